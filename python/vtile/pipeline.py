"""Pipelines of stages over an `mlir.ir.Module`, with the instrumentation
compiler users expect: IR dumps after every stage, per-stage timing,
verification after each stage, and a reproducer when a stage fails.

A stage is either a textual MLIR pass pipeline (`PassStage`, run by the
C++ PassManager, rerunnable with `vtile-opt`) or a Python function
(`PythonStage`, for policy code that edits the IR).
"""

from __future__ import annotations

import re
import shlex
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from mlir import ir
from mlir.passmanager import PassManager

from vtile.context import PassOutcome, run_pass_manager_safely
from vtile.diagnostics import collect_diagnostics
from vtile.errors import CompileError, UsageError, VtileError
from vtile.outputs import write_creating_directory
from vtile.versions import versions_line

_ANCHOR = "builtin.module("


@dataclass(frozen=True)
class PassStage:
    """Runs a textual pass pipeline, e.g. "builtin.module(canonicalize)"."""

    name: str
    pipeline: str
    # Its output holds ops of dialects vtile does not load (IREE's
    # flow.dispatch.region, in generic form), so the context must allow them.
    makes_foreign_ops: bool = False

    def __post_init__(self) -> None:
        # Anchoring on the module lets stages be merged into one reproducer.
        if not (self.pipeline.startswith(_ANCHOR) and self.pipeline.endswith(")")):
            raise UsageError(
                f"stage '{self.name}': pass pipeline '{self.pipeline}' must be "
                f"anchored on the module: {_ANCHOR}...)"
            )


@dataclass(frozen=True)
class PythonStage:
    """Runs a Python function that edits the module in place and may return
    notes for the user (e.g. which ops the planner left unfused)."""

    name: str
    run: Callable[[ir.Module], list[str] | None]


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
    notes: list[str] = field(default_factory=list)  # "stage: what it wants users to know"


class PipelineError(CompileError):
    """A stage failed; `reproducer` holds the IR it saw, and `replay` is the
    command that reruns it there (`vtile-opt --run-reproducer` for pass
    stages, `vtile replay` for Python ones), or None where none can."""

    def __init__(self, message: str, reproducer: Path, replay: str | None):
        super().__init__(message)
        self.reproducer = reproducer
        self.replay = replay


class PassFailure(Exception):
    """A pass stage failed or crashed; the message says how."""


@dataclass(frozen=True)
class Pipeline:
    name: str
    stages: Sequence[Stage]
    # The `vtile replay` options that rebuild this pipeline; None for
    # pipelines that are not named ones (whose Python stages vtile cannot
    # rebuild from a file).
    replay_options: tuple[str, ...] | None = None

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
                notes = _run_stage(stage, module, options.verify_each)
            except VtileError:
                raise  # the user's to fix (e.g. a memory budget), not a compiler bug
            except Exception as error:
                if isinstance(stage, PassStage) and not isinstance(error, PassFailure):
                    raise
                path, replay = self._reproducer(before, index - 1, options)
                raise PipelineError(
                    f"pipeline '{self.name}' failed in stage '{stage.name}': "
                    f"{_describe(error)} (reproducer: {path}"
                    + (f"; rerun it with: {replay})" if replay else ")"),
                    path,
                    replay,
                ) from error
            report.timings.append(StageTiming(stage.name, time.perf_counter() - start))
            report.notes += [f"{stage.name}: {note}" for note in notes]
            if options.dump_dir:
                report.dumps.append(_dump(module, options.dump_dir, index, stage.name))
        return report

    def starting_at(self, stage_name: str) -> Pipeline:
        """The stages from `stage_name` on, for replaying a reproducer."""
        names = [stage.name for stage in self.stages]
        if stage_name not in names:
            raise UsageError(f"pipeline '{self.name}' has no stage '{stage_name}'; "
                             f"its stages: {', '.join(names)}")
        return replace(self, stages=self.stages[names.index(stage_name) :])

    def _reproducer(
        self, before: ir.Operation, failed: int, options: PipelineOptions
    ) -> tuple[Path, str | None]:
        """Writes what stage `failed` saw, and says how to rerun it."""
        asm = before.get_asm(enable_debug_info=True)
        remaining = self.stages[failed:]
        path = options.reproducer_dir / f"{_file_safe(remaining[0].name)}.mlir"
        if isinstance(remaining[0], PassStage):
            # (vtile's context allows the IREE ops it builds in generic form.)
            replay = shlex.join(["vtile-opt", "--allow-unregistered-dialect",
                                 "--run-reproducer", str(path)])
            _write_reproducer(path, replay, asm, remaining, options.verify_each)
            return path, replay
        replay = None
        if self.replay_options is not None:
            replay = shlex.join(["vtile", "replay", str(path)])
            flags = shlex.join([*self.replay_options, "--from-stage", remaining[0].name])
            header = f"// vtile reproducer: {replay}\n{REPLAY_OPTIONS}{flags}\n"
        else:
            header = "// vtile reproducer: the IR Python stage " + remaining[0].name + " saw\n"
        write_creating_directory(path, header + "// tools: " + versions_line() + "\n" + asm)
        return path, replay


# The header line of a Python stage's reproducer that `vtile replay` reads.
REPLAY_OPTIONS = "// vtile replay options: "


def replay_options(reproducer_text: str) -> list[str]:
    """The `vtile` options a Python stage's reproducer was written with."""
    for line in reproducer_text.splitlines():
        if line.startswith(REPLAY_OPTIONS):
            return shlex.split(line[len(REPLAY_OPTIONS) :])
        if not line.startswith("//"):
            break
    raise UsageError("not a vtile replay reproducer (no '" + REPLAY_OPTIONS.strip() + "' line); "
                     "a pass stage's reproducer reruns with vtile-opt --run-reproducer")


def _run_stage(stage: Stage, module: ir.Module, verify: bool) -> list[str]:
    """Runs `stage`; returns the notes a Python stage has for the user."""
    if isinstance(stage, PassStage):
        manager = PassManager.parse(stage.pipeline, module.context)
        manager.enable_verifier(verify)
        if stage.makes_foreign_ops:
            module.context.allow_unregistered_dialects = True
        with collect_diagnostics(module.context) as diagnostics:
            outcome = run_pass_manager_safely(manager, module.operation)
        if outcome == PassOutcome.CRASHED:
            raise PassFailure("a pass crashed (it aborted or faulted; vtile recovered)")
        if outcome == PassOutcome.FAILED:
            errors = [d.message for d in diagnostics if d.severity == "error"]
            raise PassFailure(errors[0] if errors else "a pass failed without a message")
        # Remarks are the passes' notes for the user (e.g. a group kept as tile loops).
        return [d.message for d in diagnostics if d.severity == "remark"]
    # Python stages build IR; give them the module's context as the default.
    with module.context, ir.Location.unknown():
        notes = stage.run(module)
    if verify:
        module.operation.verify()
    return notes or []


def _describe(error: Exception) -> str:
    if isinstance(error, PassFailure):
        return str(error)
    if isinstance(error, ir.MLIRError):
        diagnostics = error.error_diagnostics
        return diagnostics[0].message if diagnostics else str(error)
    lines = str(error).strip().splitlines()
    return f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__


def _dump(module: ir.Module, directory: Path, index: int, name: str) -> Path:
    path = directory / f"{index:02d}-{_file_safe(name)}.mlir"
    path.write_text(str(module))
    return path


def _file_safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name)


def _write_reproducer(
    path: Path, command: str, module_asm: str, remaining: Sequence[Stage], verify_each: bool
) -> None:
    """Writes the IR the failing stage saw plus the remaining pass pipelines,
    in MLIR's reproducer format. Python stages cannot run in vtile-opt; they
    are listed in a comment and the pass stages after them are kept."""
    passes = [s.pipeline for s in remaining if isinstance(s, PassStage)]
    python = [s.name for s in remaining if isinstance(s, PythonStage)]
    header = "// vtile reproducer: " + command + "\n"
    header += "// tools: " + versions_line() + "\n"
    if python:
        header += "// Python stages not included: " + ", ".join(python) + "\n"
    pipeline = _ANCHOR + ",".join(p[len(_ANCHOR) : -1] for p in passes) + ")"
    resources = (
        "  external_resources: {\n    mlir_reproducer: {\n"
        f'      pipeline: "{pipeline}",\n'
        "      disable_threading: true,\n"
        f"      verify_each: {'true' if verify_each else 'false'}\n"
        "    }\n  }"
    )
    # Modules with resource blobs (e.g. weights) already end in a {-# #-}
    # section; the reproducer entry must join it.
    if "\n{-#\n" in module_asm:
        text = module_asm.replace("\n{-#\n", "\n{-#\n" + resources + ",\n", 1)
    else:
        text = module_asm + "\n{-#\n" + resources + "\n#-}\n"
    write_creating_directory(path, header + text)

