"""The pipelines users pick by name (`vtile compile --pipeline NAME`).

Each runs on linalg-on-tensors before the module is handed to IREE, whose
own default pipeline then compiles it."""

from __future__ import annotations

from mlir import ir

from vtile.backends.targets import Target
from vtile.errors import UsageError
from vtile.pipeline import PassStage, Pipeline, PythonStage, Stage
from vtile.planner.memory_levels import with_memory_levels, without_memory_levels
from vtile.planner.plan import plan_module
from vtile.planner.report import fusion_summary
from vtile.planner.search import PlannerOptions

NONE = "none"
VERTICAL_FUSION = "vertical-fusion"

# On every target: it cuts MobileNetV2's first stage's measured peak 7x on
# llvm-cpu and IREE's scheduled transients 15x on vulkan-spirv, with
# PyTorch's numbers on both (benchmarks/pipelines.py).
DEFAULT_PIPELINE = VERTICAL_FUSION

PIPELINE_HELP = {
    NONE: "no fusion: IREE's default pipeline (the baseline), after only the passes the "
    "target needs to compile right",
    VERTICAL_FUSION: "plan fusion groups and compute each one output strip at a time, "
    "recomputing halos, so its intermediate tensors never exist whole",
}

# MLIR 22's one-op elementwise named ops that IREE 3.13's parser lacks (it
# keeps only linalg.elementwise); test_iree_linalg_ops.py checks the list
# against iree-opt. Every pipeline first rewrites them as linalg.generic.
IREE_MISSING_LINALG_OPS = tuple(f"linalg.{name}" for name in (
    "abs", "add", "ceil", "div", "div_unsigned", "erf", "exp", "floor", "log", "max", "min",
    "mul", "negf", "powf", "reciprocal", "round", "rsqrt", "select", "sqrt", "square", "sub",
    "tanh",
))  # fmt: skip
GENERALIZE_FOR_IREE = PassStage(
    "generalize-for-iree",
    "builtin.module(func.func(generalize-linalg-ops{ops="
    + ",".join(IREE_MISSING_LINALG_OPS) + "}))",
)

# The C++ half of vertical fusion, in order; each pass also runs alone in vtile-opt.
FUSION_PASSES = (
    PassStage("form-kernels", "builtin.module(func.func(dataflow-form-kernels))"),
    # First: a group it cannot make one dispatch goes back to tile loops.
    PassStage("form-dispatch-regions",
              "builtin.module(func.func(dataflow-form-dispatch-regions))", makes_foreign_ops=True),
    PassStage("materialize-tile-loops",
              "builtin.module(func.func(dataflow-materialize-tile-loops))"),
    PassStage("lower-tile-loops",
              "builtin.module(func.func(tile-lower-loops,dataflow-inline-kernels,canonicalize,cse))"),
)  # fmt: skip


# Last: IREE does not read the `tile` dialect's memory levels.
DROP_MEMORY_LEVELS = PythonStage("drop-memory-levels", without_memory_levels)


def iree_flags(name: str) -> list[str]:
    """IREE flags a pipeline's output needs. None so far: measured on
    MobileNetV2's first stage, IREE's default partitioning already keeps one
    strip's buffers live at a time (see the README's design notes)."""
    named_pipeline(name)  # refuses unknown names
    return []


def named_pipeline(
    name: str, planner: PlannerOptions | None = None, target: Target | None = None
) -> Pipeline:
    """The pipeline's stages between the passes IREE needs to parse and
    compile any module right: `GENERALIZE_FOR_IREE` first, the target's
    `lowering_passes` last."""
    planner = planner or PlannerOptions()
    stages: list[Stage] = [GENERALIZE_FOR_IREE]
    if name == VERTICAL_FUSION:
        stages.append(PythonStage("plan-fusion", _plan_stage(planner, target)))
        stages += FUSION_PASSES
    elif name != NONE:
        raise UsageError(f"unknown pipeline '{name}'; known: {', '.join(PIPELINE_HELP)}")
    if target is not None and target.lowering_passes is not None:
        stages.append(PassStage(f"{target.name}-lowering", target.lowering_passes))
    stages.append(DROP_MEMORY_LEVELS)
    targeting = target.cli_options() if target is not None else []
    return Pipeline(name, stages, ("--pipeline", name, *targeting, *planner.cli_options()))


def _plan_stage(options: PlannerOptions, target: Target | None):
    def plan(module: ir.Module) -> list[str]:
        if target is not None:
            with_memory_levels(module, target)
        return [fusion_summary(plan) for plan in plan_module(module, options, annotate=True)]

    return plan
