"""Compiling linalg-on-tensors text with IREE and running it on numpy arrays."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import iree.runtime as iree_runtime
import numpy as np
from mlir import ir

from vtile.backends.compile_cache import cached_run
from vtile.backends.dispatch_codegen import CODEGEN_LIBRARY_NAME, dispatch_flags
from vtile.backends.stall_watch import Stalled, run_unless_stalled
from vtile.backends.targets import VULKAN_SUBGROUP_SIZES, WORKER_STACK_BYTES, Target, VulkanTarget
from vtile.errors import CompileError, InstallError, TargetError, UsageError
from vtile.outputs import write_creating_directory
from vtile.versions import versions_line


def iree_tool(name: str) -> str:
    """An IREE command-line tool, preferably from this Python's environment."""
    beside = Path(sys.executable).parent / name
    if beside.is_file():
        return str(beside)
    found = shutil.which(name)
    if not found:
        raise InstallError(f"{name} not found; install iree-base-compiler==3.13.0")
    return found


def compile_vmfb(
    mlir_text: str,
    target: Target,
    extra_flags: Sequence[str] = (),
    reproducer_dir: Path | None = None,
    codegen_library: str | None = None,
) -> bytes:
    """Compiles to an IREE VM flatbuffer; `extra_flags` pass through untouched.
    `codegen_library` is the transform-dialect library that compiles the
    module's one-dispatch groups (vtile.backends.dispatch_codegen).
    If iree-compile fails, what it failed on goes to `reproducer_dir`.

    Runs iree-compile as a program: the iree.compiler Python package carries
    its own MLIR bindings, which cannot be imported next to the upstream
    `mlir` package (their nanobind builds clash), and text is our hand-off."""
    with tempfile.TemporaryDirectory(prefix="vtile-") as scratch:
        output = Path(scratch) / "module.vmfb"
        try:
            _iree_compile(mlir_text, target, [*extra_flags, "-o", str(output)], scratch,
                          codegen_library)
        except CompileError as error:
            if reproducer_dir is None:
                raise
            source = Path(scratch) / "input.mlir"
            path, command = _iree_reproducer(source, target, extra_flags, reproducer_dir,
                                             codegen_library)
            message = str(error).replace(str(source), str(path))
            raise CompileError(
                f"{message} (reproducer: {path}; rerun it with: {command})"
            ) from None
        return output.read_bytes()


def scheduled_transient_bytes(
    mlir_text: str, target: Target, extra_flags: Sequence[str] = (),
    codegen_library: str | None = None,
) -> int:
    """The transient memory IREE's stream scheduling reserves for the module
    (the aggregate `transient-memory-size` of `--iree-scheduling-dump-statistics`): the
    memory that the Vulkan HAL's runtime statistics hide in a fixed pool."""
    with tempfile.TemporaryDirectory(prefix="vtile-") as scratch:
        statistics = Path(scratch) / "statistics.json"
        _iree_compile(
            mlir_text, target,
            [*extra_flags, "--compile-to=hal", "-o", os.devnull,
             "--iree-scheduling-dump-statistics-format=json",
             f"--iree-scheduling-dump-statistics-file={statistics}"],
            scratch, codegen_library,
        )  # fmt: skip
        report = json.loads(statistics.read_text())
    return int(report["stream-aggregate"]["execution"]["transient-memory-size"])


def max_dispatch_stack_bytes(
    mlir_text: str, target: Target, extra_flags: Sequence[str] = (),
    codegen_library: str | None = None,
) -> int:
    """The largest static stack any dispatch of the module allocates: memory
    IREE's DEVICE_LOCAL statistics never see. iree-compile at a 1-byte
    limit reports every dispatch's ("Got N bytes"); 0 if none uses any."""
    with tempfile.TemporaryDirectory(prefix="vtile-") as scratch:
        stderr = _iree_compile(mlir_text, target, [*extra_flags, "-o", os.devnull], scratch,
                               codegen_library, stack_limit=1, check=False)
        return max(map(int, _STACK_NEEDED.findall(stderr)), default=0)


_STACK_NEEDED = re.compile(r"exceeded stack allocation limit of \d+ bytes for function\. Got (\d+) bytes")


def _iree_compile(
    mlir_text: str, target: Target, flags: Sequence[str], scratch: str,
    codegen_library: str | None = None, stack_limit: int | None = None, check: bool = True,
) -> str:
    """Runs iree-compile; returns its stderr. `check`: raise CompileError
    if it fails."""
    if target.device_targets is not None:
        mlir_text = _with_device_targets(mlir_text, target.device_targets)
    source = Path(scratch) / "input.mlir"
    source.write_text(mlir_text)
    if codegen_library is not None:
        library = Path(scratch) / CODEGEN_LIBRARY_NAME
        library.write_text(codegen_library)
        flags = [*flags, *dispatch_flags(library, target, stack_limit)]
    elif stack_limit is not None:
        flags = [*flags, f"--iree-llvmcpu-stack-allocation-limit={stack_limit}"]
    command = [iree_tool("iree-compile"), str(source), *target.compile_flags(), *flags]
    result = cached_run(command, Path(scratch), _run_iree_compile)
    # A library that does not load is only logged, and iree-compile goes on
    # with its default codegen, which cannot compile a multi-op dispatch well.
    failed = result.returncode != 0 or (codegen_library is not None and "error:" in result.stderr)
    if check and failed:
        raise CompileError(f"iree-compile failed for {target.name}: {_first_error(result)}")
    return result.stderr


# iree-compile 3.13 sometimes hangs early (threads waiting on futexes, well
# under a second of CPU time): seen in a fuzz run and in CI, and reproduced
# by hand, once in three runs of one module under load, while the same
# command otherwise compiles in 5 s. A run that stalls this long is killed
# and tried again, a few times.
IREE_COMPILE_STALL_S = 30
IREE_COMPILE_ATTEMPTS = 4


def _run_iree_compile(command: list[str]) -> subprocess.CompletedProcess:
    for _attempt in range(IREE_COMPILE_ATTEMPTS):
        try:
            return run_unless_stalled(command, IREE_COMPILE_STALL_S)
        except Stalled:
            continue
    raise CompileError(f"iree-compile stalled (no CPU time for {IREE_COMPILE_STALL_S} s) "
                       f"{IREE_COMPILE_ATTEMPTS} times")


def _iree_reproducer(
    source: Path, target: Target, flags: Sequence[str], directory: Path,
    codegen_library: str | None = None,
) -> tuple[Path, str]:
    """Keeps the text iree-compile failed on, with the command that reruns
    it (and the codegen library beside it), and the tool versions at the
    end, where they leave the line numbers of iree-compile's errors true."""
    path = directory / f"iree-compile-{target.name}.mlir"
    if codegen_library is not None:
        library = directory / f"iree-compile-{target.name}.{CODEGEN_LIBRARY_NAME}"
        write_creating_directory(library, codegen_library)
        flags = [*flags, *dispatch_flags(library.resolve(), target)]
    command = shlex.join(
        ["iree-compile", str(path), *target.compile_flags(), *flags, "-o", os.devnull]
    )
    write_creating_directory(path, source.read_text()
                             + f"\n// vtile reproducer: {command}\n// tools: {versions_line()}\n")
    return path, command


def _with_device_targets(mlir_text: str, device_targets: str) -> str:
    """Sets the module's `hal.device.targets`. The hal dialect is IREE's, so
    the attribute is built in a scratch context that keeps it opaque."""
    context = ir.Context()
    context.allow_unregistered_dialects = True
    module = ir.Module.parse(mlir_text, context)
    module.operation.attributes["hal.device.targets"] = ir.Attribute.parse(
        device_targets, context
    )
    return str(module)


def _first_error(result: subprocess.CompletedProcess) -> str:
    for line in result.stderr.splitlines():
        if "error:" in line:
            return line.strip()
    if result.returncode < 0:
        return f"killed by signal {-result.returncode}"
    lines = result.stderr.strip().splitlines()
    return lines[0] if lines else f"exit code {result.returncode}"


def vulkan_subgroup_sizes() -> range:
    """The subgroup sizes the first Vulkan device (the one IREE's `vulkan`
    driver picks) can run."""
    driver = iree_runtime.get_driver("vulkan")
    device = driver.query_available_devices()[0]
    info = driver.dump_device_info(device["device_id"])
    match = re.search(r"minSubgroupSize=(\d+) maxSubgroupSize=(\d+)", info)
    if not match:
        raise TargetError(f"cannot read the subgroup size of Vulkan device {device['name']}")
    return range(int(match.group(1)), int(match.group(2)) + 1)


def vulkan_available() -> bool:
    """Whether IREE's vulkan driver finds a device. The driver list always
    names vulkan, so ask it for devices; failures mean no loader or no ICD."""
    try:
        return len(iree_runtime.get_driver("vulkan").query_available_devices()) > 0
    except (RuntimeError, ValueError):
        return False


def read_back(device: iree_runtime.HalDevice, array: iree_runtime.DeviceArray) -> np.ndarray:
    """Copies a device result to numpy through a mappable staging buffer.

    DeviceArray.to_host() imports an unaligned numpy allocation, which Vulkan
    refuses on lavapipe (minImportedHostPointerAlignment 4096)."""
    view = array._buffer_view  # no public accessor in iree-runtime 3.13
    source = view.get_buffer()
    staging = device.allocator.allocate_buffer(
        memory_type=int(
            iree_runtime.MemoryType.HOST_LOCAL | iree_runtime.MemoryType.DEVICE_VISIBLE
        ),
        allowed_usage=int(
            iree_runtime.BufferUsage.TRANSFER_TARGET | iree_runtime.BufferUsage.MAPPING_SCOPED
        ),
        allocation_size=source.byte_length(),
    )
    semaphore = device.create_semaphore(0)
    device.queue_copy(
        source,
        staging,
        wait_semaphores=iree_runtime.HalFence.create_at(semaphore, 0),
        signal_semaphores=iree_runtime.HalFence.create_at(semaphore, 1),
    )
    iree_runtime.HalFence.create_at(semaphore, 1).wait()
    dtype = iree_runtime.HalElementType.map_to_dtype(view.element_type)
    return np.array(staging.map().asarray(tuple(view.shape), dtype), copy=True)


def _require_subgroup_size(target: VulkanTarget) -> None:
    """Kernels built for another subgroup size load fine and compute wrong
    reductions; refuse them instead."""
    device_sizes = vulkan_subgroup_sizes()
    if not any(size in device_sizes for size in target.subgroup_sizes):
        usable = [
            name
            for name, sizes in VULKAN_SUBGROUP_SIZES.items()
            if any(size in device_sizes for size in sizes)
        ]
        raise TargetError(
            f"Vulkan target '{target.vulkan_target}' assumes subgroups of "
            f"{' or '.join(map(str, target.subgroup_sizes))} but this machine's Vulkan "
            f"device uses {_describe_sizes(device_sizes)}; its results "
            "would be wrong. Compile for a matching target: " + (", ".join(usable) or "none known")
        )


def _describe_sizes(sizes: range) -> str:
    if len(sizes) == 1:
        return str(sizes.start)
    return f"{sizes.start} to {sizes.stop - 1}"


@dataclass
class LoadedModule:
    """A compiled module loaded on a device; call it with numpy arrays."""

    device: iree_runtime.HalDevice
    function: object

    def __call__(self, *inputs: np.ndarray) -> list[np.ndarray]:
        results = self.function(*inputs)
        if not isinstance(results, (tuple, list)):
            results = [results]
        return [read_back(self.device, result) for result in results]


def require_runnable(target: Target) -> None:
    """Refuses modules this machine cannot run, or would run wrongly."""
    if not target.runs_here:
        raise TargetError(f"{target.name} module for another CPU cannot run on this machine")
    if target.driver == "vulkan":
        if not vulkan_available():
            raise TargetError(
                "no Vulkan device found (install a driver, e.g. Debian's "
                "mesa-vulkan-drivers, or use the llvm-cpu target)"
            )
        _require_subgroup_size(target)


def load(vmfb: bytes, target: Target, function: str = "main") -> LoadedModule:
    """Loads `vmfb` on the target's driver, ready to run `function`."""
    require_runnable(target)
    if target.driver == "local-task":
        # One-dispatch groups keep their tiles on the worker's stack.
        iree_runtime.flags.parse_flags(f"--task_worker_stack_size={WORKER_STACK_BYTES}")
    device = iree_runtime.get_device(target.driver)
    config = iree_runtime.Config(device=device)
    context = iree_runtime.SystemContext(config=config)
    context.add_vm_module(iree_runtime.VmModule.copy_buffer(config.vm_instance, vmfb))
    module = context.modules.module
    try:
        return LoadedModule(device, module[function])
    except KeyError:
        raise UsageError(f"compiled module has no function @{function}") from None
