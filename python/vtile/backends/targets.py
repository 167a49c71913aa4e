"""IREE compile targets: llvm-cpu (host or cross) and vulkan-spirv.

Flags follow iree-compile 3.13; the facts behind the choices are in
docs/toolchain-vulkan.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from vtile.errors import TargetError, UsageError

# Vulkan targets iree-compile 3.13 knows, with the subgroup sizes their
# kernels assume (its #iree_gpu.target subgroup_size_choices). An unknown name
# makes it print "Unknown Vulkan target" and then segfault, and it cannot list
# the valid ones, so we validate against the names we compiled and ran.
IREE_VULKAN_TARGETS: dict[str, tuple[int, ...]] = {
    "valhall4": (16,), "valhall": (16,), "valhall1": (16,), "valhall2": (16,),
    "valhall3": (16,), "mali-g715": (16,), "adreno": (64,), "adreno-740": (64,),
    "ampere": (32,), "turing": (32,), "volta": (32,), "pascal": (32,),
    "sm_75": (32,), "sm_80": (32,), "sm_86": (32,), "sm_89": (32,),
    "rtx4090": (32,), "rtx3090": (32,), "a100": (32,), "rdna1": (32, 64),
    "rdna2": (32, 64), "rdna3": (32, 64), "rdna4": (32, 64), "cdna1": (64,),
    "cdna2": (64,), "cdna3": (64,), "gfx1100": (32, 64), "gfx90a": (64,),
    "gfx942": (64,), "rx7900xtx": (32, 64), "rx7900xt": (32, 64), "mi300x": (64,),
    "vp_android_baseline_2022": (64,),
}  # fmt: skip

# Mesa's CPU Vulkan driver (lavapipe, Debian's mesa-vulkan-drivers) has no
# IREE target, and every IREE target assumes subgroups of 16 or more: their
# reductions return wrong numbers on lavapipe's subgroups of 8. So vtile
# describes it to IREE itself: valhall4's capabilities with subgroups of 8.
LAVAPIPE = "lavapipe"
LAVAPIPE_SUBGROUP_SIZE = 8
LAVAPIPE_WORKGROUP_BYTES = 32768
LAVAPIPE_TARGET_INFO = (
    '#iree_gpu.target<arch = "lavapipe", features = "spirv:v1.6,cap:Shader", '
    "wgp = <compute = fp32|fp16|int32|int16|int8, storage = b64|b32|b16|b8, "
    "subgroup = shuffle|arithmetic, dot = dp4xi8toi32, "
    f"subgroup_size_choices = [{LAVAPIPE_SUBGROUP_SIZE}], "
    "max_workgroup_sizes = [512, 512, 512], max_thread_count_per_workgroup = 512, "
    f"max_workgroup_memory_bytes = {LAVAPIPE_WORKGROUP_BYTES}, max_workgroup_counts = [65535, 65535, 65535]>>"
)

# Every Vulkan target vtile accepts, with the subgroup sizes it assumes.
VULKAN_SUBGROUP_SIZES = {LAVAPIPE: (LAVAPIPE_SUBGROUP_SIZE,), **IREE_VULKAN_TARGETS}
VULKAN_TARGETS = tuple(VULKAN_SUBGROUP_SIZES)
DEFAULT_VULKAN_TARGET = LAVAPIPE

# A CPU vector is this many floats wide (one AVX2 register): a one-dispatch
# group's workgroup takes channels in multiples of it (they fill the lanes,
# channels-last) and at least this many columns.
VECTOR_LANES = 8

# The `#tile.target` attribute a module carries to describe its device's
# memory levels to the planner.
TILE_TARGET_ATTR = "tile.target"
# The CPU level one-dispatch groups keep their intermediate tiles in: what a
# dispatch may put on a worker's stack. It sets IREE's compile-time limit
# (`--iree-llvmcpu-stack-allocation-limit`); at run time vtile gives IREE's
# workers the largest such stack plus room for the task system's own frames
# (`--task_worker_stack_size`). 2 MiB holds MobileNetV2's first stage at
# 224x224 in strips of 2 rows.
STACK_LEVEL = "stack"
MAX_STACK_BYTES = 2 * 1024 * 1024
WORKER_STACK_BYTES = MAX_STACK_BYTES + 512 * 1024
# Where tile loops keep a tile's buffers between dispatches
# (`dataflow-materialize-tile-loops`' default level): IREE's heap, bounded
# by nothing vtile knows, so `tile.loop`'s footprint check always passes it.
WORKSPACE_LEVEL = "workspace"
WORKSPACE_BYTES = 1 << 62
# The GPU level one-dispatch groups keep their intermediate tiles in: a
# workgroup's shared memory. lavapipe has 32 KiB; a named GPU is held to
# 16 KiB, the least every Vulkan device has (maxComputeSharedMemorySize).
WORKGROUP_LEVEL = "workgroup"
VULKAN_MIN_WORKGROUP_BYTES = 16384
# The memory level a one-dispatch group's tiles live in, per device.
TILE_LEVELS = {"cpu": STACK_LEVEL, "gpu": WORKGROUP_LEVEL}

# This machine's copy rates (read and write, numpy) through a 2 MiB buffer
# (28-57 GB/s over runs) and a 64 MiB one (10 GB/s); no pass reads
# bandwidths yet.
STACK_BANDWIDTH_GBS = 30.0
WORKSPACE_BANDWIDTH_GBS = 10.0
# lavapipe's workgroup memory is this CPU's cache-resident memory too; no
# GPU's was measured.
WORKGROUP_BANDWIDTH_GBS = STACK_BANDWIDTH_GBS


def held_for_the_run(level: str) -> bool:
    """Whether a one-dispatch group's tiles in `level` count for the whole
    run: a worker's stack is memory of its own, never reused by the heap;
    a GPU's workgroup memory is on chip, in use while its dispatch runs."""
    return level == STACK_LEVEL


@dataclass(frozen=True)
class CpuTarget:
    """llvm-cpu. Without a triple, the host CPU (and the module can run
    here); with one, a cross-compile for an edge CPU such as
    aarch64-linux-gnu / cortex-a55."""

    triple: str | None = None
    cpu: str = "host"
    stack_bytes: int = MAX_STACK_BYTES  # the stack level's capacity

    name = "llvm-cpu"
    driver = "local-task"
    device_targets = None
    lowering_passes = None

    def __post_init__(self) -> None:
        if self.triple is not None and self.cpu == "host":
            raise UsageError(
                f"cross-compiling for {self.triple} needs an explicit CPU "
                "(e.g. --cpu cortex-a55); 'host' means this machine"
            )
        if not 0 < self.stack_bytes <= MAX_STACK_BYTES:
            raise UsageError(
                f"a stack limit of {self.stack_bytes} B is outside 1..{MAX_STACK_BYTES} B "
                "(the worker stack vtile runs IREE with)"
            )

    @property
    def runs_here(self) -> bool:
        return self.triple is None

    def cli_options(self) -> list[str]:
        """The `vtile` options that make this target."""
        triple = ["--triple", self.triple] if self.triple else []
        stack = [] if self.stack_bytes == MAX_STACK_BYTES else ["--stack-limit", str(self.stack_bytes)]
        return ["--target", self.name, "--cpu", self.cpu, *triple, *stack]

    @property
    def memory_levels(self) -> str:
        """The `#tile.target` the planner reads the stack limit from, and
        `tile.loop`'s verifier checks tile footprints against."""
        return (f'#tile.target<"{self.name} {self.cpu}", levels = ['
                f'#tile.level<"{STACK_LEVEL}", capacity = {self.stack_bytes}, '
                f"bandwidth = {STACK_BANDWIDTH_GBS}>, "
                f'#tile.level<"{WORKSPACE_LEVEL}", capacity = {WORKSPACE_BYTES}, '
                f"bandwidth = {WORKSPACE_BANDWIDTH_GBS}>]>")

    def compile_flags(self) -> list[str]:
        flags = [
            "--iree-hal-target-device=local",
            "--iree-hal-local-target-device-backends=llvm-cpu",
            f"--iree-llvmcpu-target-cpu={self.cpu}",
        ]
        if self.triple:
            flags.append(f"--iree-llvmcpu-target-triple={self.triple}")
        return flags


@dataclass(frozen=True)
class VulkanTarget:
    """vulkan-spirv, run by IREE's `vulkan` driver. The default, lavapipe,
    is what machines without a GPU run; name the GPU otherwise."""

    vulkan_target: str = DEFAULT_VULKAN_TARGET

    name = "vulkan-spirv"
    driver = "vulkan"
    runs_here = True
    # Every pipeline's output, `none` included, goes through this before
    # IREE: its SPIR-V codegen stores in-place inserts at unaligned offsets
    # wrongly (Passes.td, docs/toolchain-vulkan.md).
    lowering_passes = (
        "builtin.module(func.func(vulkan-gather-unaligned-inserts,canonicalize,cse))"
    )

    def __post_init__(self) -> None:
        if self.vulkan_target not in VULKAN_TARGETS:
            raise TargetError(
                f"unknown Vulkan target '{self.vulkan_target}'; known targets: "
                + ", ".join(VULKAN_TARGETS)
            )

    @property
    def workgroup_bytes(self) -> int:
        """Workgroup memory one dispatch's tiles may use."""
        return LAVAPIPE_WORKGROUP_BYTES if self.vulkan_target == LAVAPIPE else VULKAN_MIN_WORKGROUP_BYTES

    @property
    def memory_levels(self) -> str:
        """The `#tile.target` the planner reads the workgroup memory from."""
        return (f'#tile.target<"{self.name} {self.vulkan_target}", levels = ['
                f'#tile.level<"{WORKGROUP_LEVEL}", capacity = {self.workgroup_bytes}, '
                f"bandwidth = {WORKGROUP_BANDWIDTH_GBS}>, "
                f'#tile.level<"{WORKSPACE_LEVEL}", capacity = {WORKSPACE_BYTES}, '
                f"bandwidth = {WORKSPACE_BANDWIDTH_GBS}>]>")

    @property
    def subgroup_sizes(self) -> tuple[int, ...]:
        """Subgroup sizes the compiled kernels may assume."""
        return VULKAN_SUBGROUP_SIZES[self.vulkan_target]

    @property
    def device_targets(self) -> str | None:
        """A `hal.device.targets` value for the module, for targets IREE's
        flags cannot name."""
        if self.vulkan_target != LAVAPIPE:
            return None
        return (
            '[#hal.device.target<"vulkan", [#hal.executable.target<"vulkan-spirv", '
            f'"vulkan-spirv-fb", {{iree_codegen.target_info = {LAVAPIPE_TARGET_INFO}}}>]> '
            ": !hal.device]"
        )

    def cli_options(self) -> list[str]:
        """The `vtile` options that make this target."""
        return ["--target", self.name, "--vulkan-target", self.vulkan_target]

    def compile_flags(self) -> list[str]:
        if self.device_targets is not None:
            return []
        return [
            "--iree-hal-target-device=vulkan",
            f"--iree-vulkan-target={self.vulkan_target}",
        ]


Target = CpuTarget | VulkanTarget

TARGET_NAMES = (CpuTarget.name, VulkanTarget.name)


def make_target(
    name: str,
    cpu: str | None = None,
    triple: str | None = None,
    vulkan_target: str | None = None,
    stack_limit: int | None = None,
) -> Target:
    """A target from command-line style options; options that do not apply
    to `name` are refused rather than ignored."""
    if name == CpuTarget.name:
        if vulkan_target is not None:
            raise UsageError("--vulkan-target applies to vulkan-spirv, not llvm-cpu")
        return CpuTarget(triple=triple, cpu=cpu or "host",
                         stack_bytes=stack_limit or MAX_STACK_BYTES)
    if name == VulkanTarget.name:
        if cpu is not None or triple is not None or stack_limit is not None:
            raise UsageError(
                "--cpu, --triple and --stack-limit apply to llvm-cpu, not vulkan-spirv")
        return VulkanTarget(vulkan_target or DEFAULT_VULKAN_TARGET)
    raise TargetError(f"unknown target '{name}'; known targets: {', '.join(TARGET_NAMES)}")
