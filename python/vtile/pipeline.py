"""Pipelines of stages over an `mlir.ir.Module`, with the instrumentation
compiler users expect: IR dumps after every stage, per-stage timing,
verification after each stage, and a reproducer when a stage fails.

A stage is either a textual MLIR pass pipeline (`PassStage`, run by the
C++ PassManager, rerunnable with `vtile-opt`) or a Python function
(`PythonStage`, for policy code that edits the IR).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mlir import ir
from mlir.passmanager import PassManager

from vtile.errors import VtileError
from vtile.versions import versions_line

_ANCHOR = "builtin.module("


@dataclass(frozen=True)
class PassStage:
    """Runs a textual pass pipeline, e.g. "builtin.module(canonicalize)"."""

    name: str
    pipeline: str

    def __post_init__(self) -> None:
        # Anchoring on the module lets stages be merged into one reproducer.
        if not (self.pipeline.startswith(_ANCHOR) and self.pipeline.endswith(")")):
            raise VtileError(
                f"stage '{self.name}': pass pipeline '{self.pipeline}' must be "
                f"anchored on the module: {_ANCHOR}...)"
            )


@dataclass(frozen=True)
class PythonStage:
    """Runs a Python function that edits the module in place."""

    name: str
    run: Callable[[ir.Module], None]


Stage = PassStage | PythonStage


@dataclass(frozen=True)
class StageTiming:
    name: str
    seconds: float


@dataclass
class PipelineOptions:
    dump_dir: Path | None = None  # write <NN>-<stage>.mlir after every stage
    verify_each: bool = True  # verify the module after every stage
    reproducer_dir: Path = Path("vtile-reproducers")  # where failures go


@dataclass
class PipelineReport:
    timings: list[StageTiming] = field(default_factory=list)
    dumps: list[Path] = field(default_factory=list)


class PipelineError(VtileError):
    """A stage failed; `reproducer` reruns it (`vtile-opt --run-reproducer`)."""

    def __init__(self, message: str, reproducer: Path):
        super().__init__(message)
        self.reproducer = reproducer


@dataclass(frozen=True)
class Pipeline:
    name: str
    stages: Sequence[Stage]

    def run(
        self, module: ir.Module, options: PipelineOptions | None = None
    ) -> PipelineReport:
        """Runs every stage on `module` in place."""
        options = options or PipelineOptions()
        report = PipelineReport()
        if options.dump_dir:
            options.dump_dir.mkdir(parents=True, exist_ok=True)
            report.dumps.append(_dump(module, options.dump_dir, 0, "input"))
        for index, stage in enumerate(self.stages, start=1):
            # A failing pass leaves the IR half-transformed; keep what the
            # stage saw. Cloning shares resource blobs, unlike printing them.
            before = module.operation.clone()
            start = time.perf_counter()
            try:
                _run_stage(stage, module, options.verify_each)
            except ir.MLIRError as error:
                path = _write_reproducer(
                    before.get_asm(enable_debug_info=True),
                    self.stages[index - 1 :],
                    options,
                )
                raise PipelineError(
                    f"pipeline '{self.name}' failed in stage '{stage.name}': "
                    f"{_first_message(error)} (reproducer: {path})",
                    path,
                ) from error
            report.timings.append(StageTiming(stage.name, time.perf_counter() - start))
            if options.dump_dir:
                report.dumps.append(_dump(module, options.dump_dir, index, stage.name))
        return report


def _run_stage(stage: Stage, module: ir.Module, verify: bool) -> None:
    if isinstance(stage, PassStage):
        manager = PassManager.parse(stage.pipeline, module.context)
        manager.enable_verifier(verify)
        manager.run(module.operation)
        return
    # Python stages build IR; give them the module's context as the default.
    with module.context, ir.Location.unknown():
        stage.run(module)
    if verify:
        module.operation.verify()


def _first_message(error: ir.MLIRError) -> str:
    diagnostics = error.error_diagnostics
    return diagnostics[0].message if diagnostics else str(error)


def _dump(module: ir.Module, directory: Path, index: int, name: str) -> Path:
    path = directory / f"{index:02d}-{_file_safe(name)}.mlir"
    path.write_text(str(module))
    return path


def _file_safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name)


def _write_reproducer(
    module_asm: str, remaining: Sequence[Stage], options: PipelineOptions
) -> Path:
    """Writes the IR the failing stage saw plus the remaining pass pipelines,
    in MLIR's reproducer format. Python stages cannot run in vtile-opt; they
    are listed in a comment and the pass stages after them are kept."""
    options.reproducer_dir.mkdir(parents=True, exist_ok=True)
    path = options.reproducer_dir / f"{_file_safe(remaining[0].name)}.mlir"
    passes = [s.pipeline for s in remaining if isinstance(s, PassStage)]
    python = [s.name for s in remaining if isinstance(s, PythonStage)]
    header = "// vtile reproducer: vtile-opt --run-reproducer " + str(path) + "\n"
    header += "// tools: " + versions_line() + "\n"
    if python:
        header += "// Python stages not included: " + ", ".join(python) + "\n"
    pipeline = _ANCHOR + ",".join(p[len(_ANCHOR) : -1] for p in passes) + ")"
    resources = (
        "  external_resources: {\n    mlir_reproducer: {\n"
        f'      pipeline: "{pipeline}",\n'
        "      disable_threading: true,\n"
        f"      verify_each: {'true' if options.verify_each else 'false'}\n"
        "    }\n  }"
    )
    # Modules with resource blobs (e.g. weights) already end in a {-# #-}
    # section; the reproducer entry must join it.
    if "\n{-#\n" in module_asm:
        text = module_asm.replace("\n{-#\n", "\n{-#\n" + resources + ",\n", 1)
    else:
        text = module_asm + "\n{-#\n" + resources + "\n#-}\n"
    path.write_text(header + text)
    return path

