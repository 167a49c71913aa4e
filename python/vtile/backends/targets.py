"""IREE compile targets: llvm-cpu (host or cross) and vulkan-spirv.

Flags follow iree-compile 3.13; the facts behind the choices are in
docs/toolchain-vulkan.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from vtile.errors import VtileError

# Vulkan targets iree-compile 3.13 accepts. An unknown name makes it print
# "Unknown Vulkan target" and then segfault, and it cannot list the valid
# ones, so we validate against the names we compiled and ran.
VULKAN_TARGETS = (
    "valhall4", "valhall", "valhall1", "valhall2", "valhall3", "mali-g715",
    "adreno", "adreno-740", "ampere", "turing", "volta", "pascal", "sm_75",
    "sm_80", "sm_86", "sm_89", "rtx4090", "rtx3090", "a100", "rdna1", "rdna2",
    "rdna3", "rdna4", "cdna1", "cdna2", "cdna3", "gfx1100", "gfx90a",
    "gfx942", "rx7900xtx", "rx7900xt", "mi300x", "vp_android_baseline_2022",
)  # fmt: skip

# Runs everything on lavapipe, whose subgroup size is 8: targets built for
# subgroups of 32 or 64 fail to load there, and the Android baseline has no f16.
DEFAULT_VULKAN_TARGET = "valhall4"


@dataclass(frozen=True)
class CpuTarget:
    """llvm-cpu. Without a triple, the host CPU (and the module can run
    here); with one, a cross-compile for an edge CPU such as
    aarch64-linux-gnu / cortex-a55."""

    triple: str | None = None
    cpu: str = "host"

    name = "llvm-cpu"
    driver = "local-task"

    def __post_init__(self) -> None:
        if self.triple is not None and self.cpu == "host":
            raise VtileError(
                f"cross-compiling for {self.triple} needs an explicit CPU "
                "(e.g. --cpu cortex-a55); 'host' means this machine"
            )

    @property
    def runs_here(self) -> bool:
        return self.triple is None

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
    """vulkan-spirv, run by IREE's `vulkan` driver (lavapipe without a GPU)."""

    vulkan_target: str = DEFAULT_VULKAN_TARGET

    name = "vulkan-spirv"
    driver = "vulkan"
    runs_here = True

    def __post_init__(self) -> None:
        if self.vulkan_target not in VULKAN_TARGETS:
            raise VtileError(
                f"unknown Vulkan target '{self.vulkan_target}'; known targets: "
                + ", ".join(VULKAN_TARGETS)
            )

    def compile_flags(self) -> list[str]:
        return [
            "--iree-hal-target-device=vulkan",
            f"--iree-vulkan-target={self.vulkan_target}",
        ]


Target = CpuTarget | VulkanTarget
