"""The pipelines users pick by name (`vtile compile --pipeline NAME`).

Each runs on linalg-on-tensors before the module is handed to IREE, whose
own default pipeline then compiles it."""

from __future__ import annotations

from mlir import ir

from vtile.errors import VtileError
from vtile.pipeline import PassStage, Pipeline, PythonStage
from vtile.planner.plan import plan_module
from vtile.planner.search import PlannerOptions

NONE = "none"
VERTICAL_FUSION = "vertical-fusion"

PIPELINE_HELP = {
    NONE: "no vtile stages: IREE's default pipeline alone (the baseline)",
    VERTICAL_FUSION: "plan fusion groups and compute each one output strip at a time, "
    "recomputing halos, so its intermediate tensors never exist whole",
}

# The C++ half of vertical fusion, in order; each pass also runs alone in vtile-opt.
FUSION_PASSES = (
    ("form-kernels", "builtin.module(func.func(dataflow-form-kernels))"),
    ("materialize-tile-loops", "builtin.module(func.func(dataflow-materialize-tile-loops))"),
    ("lower-tile-loops",
     "builtin.module(func.func(tile-lower-loops,dataflow-inline-kernels,canonicalize,cse))"),
)  # fmt: skip


def default_pipeline(target_name: str) -> str:
    """vertical-fusion on llvm-cpu. On vulkan-spirv fused EdgeCNN (pooling +
    linear head) computes wrong numbers on lavapipe (max abs error 1.6e-3,
    not yet understood), so IREE's default stays the default there; ask for
    vertical-fusion explicitly to try it."""
    return NONE if target_name == "vulkan-spirv" else VERTICAL_FUSION


def iree_flags(name: str) -> list[str]:
    """IREE flags a pipeline's output needs. None so far: measured on
    MobileNetV2's first stage, IREE's default partitioning already keeps one
    strip's buffers live at a time (see the README's design notes)."""
    named_pipeline(name)  # refuses unknown names
    return []


def named_pipeline(name: str, planner: PlannerOptions | None = None) -> Pipeline:
    if name == NONE:
        return Pipeline(NONE, [])
    if name == VERTICAL_FUSION:
        stages = [PythonStage("plan-fusion", _plan_stage(planner or PlannerOptions()))]
        stages += [PassStage(stage, passes) for stage, passes in FUSION_PASSES]
        return Pipeline(VERTICAL_FUSION, stages)
    raise VtileError(f"unknown pipeline '{name}'; known: {', '.join(PIPELINE_HELP)}")


def _plan_stage(options: PlannerOptions):
    def plan(module: ir.Module) -> None:
        plan_module(module, options, annotate=True)

    return plan
