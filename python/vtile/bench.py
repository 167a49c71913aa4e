"""Measuring a vtile-compiled module against IREE's default pipeline on the
same model, inputs and target, in the same run, with IREE's own tools:
latency is the median of `iree-benchmark-module` repetitions, memory the
DEVICE_LOCAL peak that `iree-run-module --print_statistics` reports
(under `local-sync` on the CPU, the driver whose statistics see transients).
On the CPU, latency is measured under both drivers: `local-task` (one
worker per CPU, what vtile runs with) and `local-sync` (the caller's thread
alone, what an edge runtime without threads has)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vtile.backends.iree import (
    iree_tool,
    max_dispatch_stack_bytes,
    require_runnable,
    scheduled_transient_bytes,
)
from vtile.backends.targets import WORKER_STACK_BYTES
from vtile.compiler import CompiledModel, compile_model
from vtile.errors import RunError
from vtile.named_pipelines import NONE

_PEAK = re.compile(r"DEVICE_LOCAL:\s*(\d+)B peak")


@dataclass(frozen=True)
class Measurement:
    pipeline: str
    median_ms: float
    latency_cv: float  # stddev / mean over the repetitions: the noise
    device_local_peak_bytes: int
    # What IREE's stream scheduling reserves for transients, from compile-time
    # statistics: on vulkan-spirv the runtime's DEVICE_LOCAL peak is a fixed
    # 64 MiB pool plus inputs and outputs, whatever the module holds.
    scheduled_transient_bytes: int
    vmfb_bytes: int
    # The largest static stack of any dispatch (tiles kept on a worker's
    # stack), which DEVICE_LOCAL statistics do not see; every worker may
    # hold one at once.
    max_dispatch_stack_bytes: int = 0
    workers: int = 1
    # On the CPU: the median under `local-sync` (median_ms is `local-task`'s).
    sync_median_ms: float | None = None

    @property
    def memory_bytes(self) -> int:
        """The measured peak plus the stack all workers may hold."""
        return self.device_local_peak_bytes + self.max_dispatch_stack_bytes * self.workers

    @property
    def sync_memory_bytes(self) -> int:
        """The measured peak plus one stack: `local-sync` runs one dispatch at a time."""
        return self.device_local_peak_bytes + self.max_dispatch_stack_bytes


@dataclass(frozen=True)
class Comparison:
    model: str
    target: str
    baseline: Measurement  # IREE's default pipeline, or IREE's own ONNX flow
    candidate: Measurement  # the vtile pipeline

    @property
    def latency_ratio(self) -> float:
        """candidate / baseline: below 1 is faster."""
        return self.candidate.median_ms / self.baseline.median_ms

    @property
    def memory_ratio(self) -> float:
        """candidate / baseline of peak plus stacks: below 1 uses less memory."""
        return self.candidate.memory_bytes / self.baseline.memory_bytes

    @property
    def sync_latency_ratio(self) -> float | None:
        """candidate / baseline under `local-sync` (CPU targets only)."""
        if self.candidate.sync_median_ms is None or self.baseline.sync_median_ms is None:
            return None
        return self.candidate.sync_median_ms / self.baseline.sync_median_ms

    @property
    def sync_memory_ratio(self) -> float:
        """candidate / baseline of peak plus one stack (`local-sync`)."""
        return self.candidate.sync_memory_bytes / self.baseline.sync_memory_bytes

    @property
    def transient_ratio(self) -> float:
        """candidate / baseline of IREE's scheduled transient memory."""
        return (self.candidate.scheduled_transient_bytes
                / max(self.baseline.scheduled_transient_bytes, 1))  # fmt: skip


def measure(compiled: CompiledModel, repetitions: int = 10) -> Measurement:
    require_runnable(compiled.target)
    with tempfile.TemporaryDirectory(prefix="vtile-bench-") as scratch:
        flags = _module_flags(compiled, Path(scratch))
        median_ms, latency_cv = _latency(flags, repetitions)
        sync_median_ms = None
        if compiled.target.driver == "local-task":
            sync_median_ms, _ = _latency(_local_sync(flags), repetitions)
        peak = _device_local_peak(flags)
    transient = scheduled_transient_bytes(compiled.mlir, compiled.target, compiled.iree_flags,
                                          compiled.codegen_library)
    stack = 0
    if compiled.target.driver == "local-task":
        stack = max_dispatch_stack_bytes(compiled.mlir, compiled.target, compiled.iree_flags,
                                         compiled.codegen_library)
    return Measurement(
        compiled.pipeline, median_ms, latency_cv, peak, transient,
        len(compiled.vmfb), stack, os.cpu_count() or 1, sync_median_ms,
    )  # fmt: skip


def device_local_peak(compiled: CompiledModel) -> int:
    """The DEVICE_LOCAL peak of one call on the model's sample inputs."""
    require_runnable(compiled.target)
    with tempfile.TemporaryDirectory(prefix="vtile-peak-") as scratch:
        return _device_local_peak(_module_flags(compiled, Path(scratch)))


def _module_flags(compiled: CompiledModel, scratch: Path) -> list[str]:
    """iree-run-module / iree-benchmark-module flags that call the model on
    its sample inputs, written to `scratch`."""
    module = scratch / "module.vmfb"
    module.write_bytes(compiled.vmfb)
    flags = [
        f"--module={module}",
        f"--device={compiled.target.driver}",
        f"--function={compiled.model.function}",
    ]
    if compiled.target.driver == "local-task":  # one-dispatch groups' tiles
        flags.append(f"--task_worker_stack_size={WORKER_STACK_BYTES}")
    for index, array in enumerate(compiled.model.sample_inputs):
        path = scratch / f"input{index}.npy"
        np.save(path, array)
        flags.append(f"--input=@{path}")
    return flags


def _local_sync(flags: list[str]) -> list[str]:
    """The flags with the CPU's `local-task` driver swapped for `local-sync`
    (other drivers unchanged). The memory run always uses it: `local-task`
    serves transient buffers from a pool its statistics never show
    (MobileNetV2's first stage at 224x224 read 631,104 B there and 9,804,672 B
    under local-sync, which counts every allocation)."""
    return [flag.replace("--device=local-task", "--device=local-sync") for flag in flags]


def _run(tool: str, flags: list[str]) -> str:
    result = subprocess.run([iree_tool(tool), *flags], capture_output=True, text=True)
    if result.returncode != 0:
        lines = result.stderr.strip().splitlines()
        raise RunError(f"{tool} failed: {lines[-1] if lines else result.returncode}")
    return result.stdout + result.stderr


def _latency(flags: list[str], repetitions: int) -> tuple[float, float]:
    """(median in ms, coefficient of variation) of the repetitions."""
    output = _run(
        "iree-benchmark-module",
        # Warm up first: without it, the first of two identical modules
        # measured was up to 1.8x slower than the second.
        [*flags, f"--benchmark_repetitions={repetitions}", "--benchmark_format=json",
         "--benchmark_min_warmup_time=0.2"],
    )
    report = json.loads(output[output.index("{") :])
    aggregates = {
        entry["aggregate_name"]: entry
        for entry in report["benchmarks"]
        if entry.get("run_type") == "aggregate"
    }
    if "median" not in aggregates or "cv" not in aggregates:
        raise RunError("iree-benchmark-module reported no median (repetitions must be >= 2)")
    median = aggregates["median"]
    scale = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}[median["time_unit"]]
    return median["real_time"] * scale, aggregates["cv"]["real_time"]


def _device_local_peak(flags: list[str]) -> int:
    output = _run("iree-run-module",
                  [*_local_sync(flags), "--print_statistics", "--output_max_element_count=0"])
    match = _PEAK.search(output)
    if not match:
        raise RunError("iree-run-module printed no DEVICE_LOCAL statistics")
    return int(match.group(1))


def compare(
    candidate: CompiledModel,
    repetitions: int = 10,
    on_step: Callable[[str], None] = lambda step: None,
    baseline: CompiledModel | None = None,
) -> Comparison:
    """Measures the candidate and a baseline on the same inputs: by default
    the candidate's model compiled for its target with IREE's default
    pipeline (vtile's `none`), or `baseline` (e.g. IREE's own ONNX flow,
    vtile.compiler.compile_with_iree_onnx); `on_step` hears about each long step."""
    model, target = candidate.model, candidate.target
    if baseline is None:
        on_step(f"compiling {model.name} for {target.name} with IREE's default pipeline")
        baseline = compile_model(model, target, NONE)
    measurements = []
    for label, compiled in (
        (f"the baseline ({baseline.pipeline})", baseline),
        (f"vtile pipeline '{candidate.pipeline}'", candidate),
    ):
        on_step(f"benchmarking {label} on {target.name} ({repetitions} repetitions)")
        measurements.append(measure(compiled, repetitions))
    return Comparison(model.name, target.name, *measurements)
