"""`vtile.compile`: a model in, an IREE module out that runs on numpy arrays."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from mlir import ir

from vtile.backends.dispatch_codegen import codegen_library, find_dispatches
from vtile.backends.iree import LoadedModule, compile_vmfb, load
from vtile.backends.iree_onnx import IREE_ONNX_FLOW, import_with_iree_onnx
from vtile.backends.targets import Target, make_target
from vtile.context import make_context
from vtile.errors import CompileError, UsageError
from vtile.frontends.model import Model, load_model
from vtile.frontends.onnx_prepare import InputShapes
from vtile.named_pipelines import DEFAULT_PIPELINE, iree_flags, named_pipeline
from vtile.outputs import write_all
from vtile.pipeline import PipelineOptions, PipelineReport
from vtile.planner.memory_levels import with_memory_levels
from vtile.planner.search import TILE_LOOPS, PlannerOptions

# How iree-compile says a one-dispatch group cannot be built as planned: a
# dispatch needs more stack or workgroup memory than its limit, IREE
# rewrote the group so that a producer no longer fuses into the workgroup
# loop, or its CPU code generation cannot vectorize an op of the group.
DISPATCH_REFUSALS = ("exceeded stack allocation limit",
                     "bytes of shared memory; exceeded the limit",
                     "could not find next producer to fuse",
                     "Attempted to vectorize, but failed")  # ONNX's LRN: a 5-D pooling


@dataclass
class CompiledModel:
    """A compiled module; call it with numpy arrays to run it."""

    model: Model
    target: Target
    pipeline: str
    mlir: str  # what IREE compiled: the pipeline's output
    vmfb: bytes
    report: PipelineReport
    # Flags the pipeline's output needs from a plain `iree-compile`, beyond
    # the target's own; `vtile compile --emit-mlir` users pass them.
    iree_flags: list[str] = field(default_factory=list)
    # The transform-dialect library its one-dispatch groups need, if any
    # (passed with vtile.backends.dispatch_codegen.dispatch_flags).
    codegen_library: str | None = None
    _loaded: LoadedModule | None = field(default=None, repr=False)

    def __call__(self, *inputs: np.ndarray) -> list[np.ndarray]:
        if len(inputs) != len(self.model.inputs):
            raise UsageError(
                f"@{self.model.function} takes {len(self.model.inputs)} inputs, got {len(inputs)}"
            )
        arrays = [np.ascontiguousarray(x) for x in inputs]
        for index, (array, spec) in enumerate(zip(arrays, self.model.inputs)):
            if array.shape != spec.shape or array.dtype != spec.dtype:
                raise UsageError(
                    f"input {index} is {array.shape} {array.dtype}; "
                    f"@{self.model.function} expects {spec}"
                )
        if self._loaded is None:
            self._loaded = load(self.vmfb, self.target, self.model.function)
        return self._loaded(*arrays)

    def save(self, path: str | Path) -> None:
        """Writes the .vmfb, whole or not at all (`OutputError`)."""
        write_all({Path(path): self.vmfb})


def compile(  # noqa: A001 (the public name users expect)
    model_or_path: object,
    target: str | Target = "llvm-cpu",
    pipeline: str | None = None,
    *,
    example_inputs: Sequence[object] | None = None,
    options: PipelineOptions | None = None,
    planner: PlannerOptions | None = None,
    context: ir.Context | None = None,
    input_shapes: InputShapes | None = None,
) -> CompiledModel:
    """Imports a model (torch.nn.Module with `example_inputs`, `.mlir`,
    `.onnx` or `file.py:factory`), runs the named vtile pipeline on its
    linalg, and compiles the result with IREE for `target`. `planner` sets
    the fusion planner's memory budget and recompute cap. `input_shapes`
    fix an ONNX model's symbolic input dimensions, spelled as the CLI's
    `--input-shape` (`["data=1x3x224x224"]`) or as `{"data": (1, 3, 224,
    224)}`. Failures raise the `vtile.VtileError` subclass for their kind
    (`vtile.errors`), e.g. `ModelError` for a model vtile cannot read,
    `BudgetError`, `CompileError` with a reproducer."""
    model = load_model(model_or_path, context or make_context(), example_inputs, input_shapes)
    return compile_model(model, target, pipeline, options, planner)


def compile_model(
    model: Model,
    target: str | Target = "llvm-cpu",
    pipeline: str | None = None,
    options: PipelineOptions | None = None,
    planner: PlannerOptions | None = None,
) -> CompiledModel:
    """Compiles an already imported model (`vtile.frontends.model.load_model`).
    The model's module is left untouched, so it can be compiled again."""
    if isinstance(target, str):
        target = make_target(target)
    pipeline = pipeline or DEFAULT_PIPELINE
    planner = planner_for(target, planner)
    module = ir.Module.parse(str(model.module), model.module.context)
    target = with_memory_levels(module, target)  # the stack limit the plan is held to
    options = options or PipelineOptions()
    report = named_pipeline(pipeline, planner, target).run(module, options)
    # Text is the hand-off: IREE's MLIR is newer and reads no MLIR 22 bytecode.
    text = str(module)
    flags = iree_flags(module)
    dispatches = find_dispatches(module)
    library = codegen_library(dispatches, target) if dispatches else None
    try:
        # A refused one-dispatch group falls back below: no reproducer for it.
        vmfb = compile_vmfb(text, target, flags,
                            options.reproducer_dir if library is None else None, library)
    except CompileError as error:
        if library is None:
            raise
        if not any(why in str(error) for why in DISPATCH_REFUSALS):
            compile_vmfb(text, target, flags, options.reproducer_dir, library)  # raises again
            raise
        # Same numbers with tile loops; say so.
        fallback = compile_model(model, target, pipeline, options,
                                 replace(planner, lowering=TILE_LOOPS))
        fallback.report.notes.append(
            f"one-dispatch groups kept as tile loops: {str(error).split(' (reproducer')[0]}"
        )
        return fallback
    return CompiledModel(model, target, pipeline, text, vmfb, report, flags, library)


def compile_with_iree_onnx(path: Path, model: Model, target: Target) -> CompiledModel:
    """`path` compiled by IREE alone (its own ONNX importer, then its default
    pipeline), callable on `model`'s inputs (the same file imported by vtile)."""
    text = import_with_iree_onnx(path)
    return CompiledModel(model, target, IREE_ONNX_FLOW, text, compile_vmfb(text, target),
                         PipelineReport())


def planner_for(target: Target, planner: PlannerOptions | None) -> PlannerOptions:
    """The planner's options with the kernels placed on the target's device."""
    device = "gpu" if target.driver == "vulkan" else "cpu"
    return replace(planner or PlannerOptions(), device=device)
