"""The pipelines users pick by name (`vtile compile --pipeline NAME`).

Each runs on linalg-on-tensors before the module is handed to IREE, whose
own default pipeline then compiles it."""

from __future__ import annotations

from mlir import ir

from vtile.backends.targets import Target
from vtile.errors import UsageError
from vtile.pipeline import PassStage, Pipeline, PythonStage, Stage
from vtile.planner.memory_attributes import drop_memory_plan
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
    # The plan's order first: later passes replace each kernel in place.
    PassStage("schedule", "builtin.module(func.func(dataflow-schedule))"),
    PassStage("form-kernels",
              "builtin.module(func.func(dataflow-form-kernels,dataflow-verify-memory-plan))"),
    # First: a group it cannot make one dispatch goes back to tile loops.
    PassStage("form-dispatch-regions",
              "builtin.module(func.func(dataflow-form-dispatch-regions))", makes_foreign_ops=True),
    PassStage("materialize-tile-loops",
              "builtin.module(func.func(dataflow-materialize-tile-loops))"),
    PassStage("lower-tile-loops",
              "builtin.module(func.func(tile-lower-loops,dataflow-inline-kernels,canonicalize,cse))"),
)  # fmt: skip


def _drop_vtile_attributes(module: ir.Module) -> None:
    without_memory_levels(module)
    drop_memory_plan(module)


# Last: IREE reads neither the `tile` dialect's memory levels nor the memory plan.
DROP_VTILE_ATTRIBUTES = PythonStage("drop-vtile-attributes", _drop_vtile_attributes)

# IREE's default partitioning runs independent dispatches concurrently and
# allocates for them at once, in an order of its own; one at a time, it
# runs them in the module's order, the memory plan's. Only where that order
# is not the program's: on tile loops IREE's default packs the strips'
# buffers tighter (DS-CNN's fused peak measured 171,544 B with it, 190,744 B
# without).
ONE_AT_A_TIME = "--iree-stream-partitioning-favor=debug"
# The IREE flags a pipeline's output needs, on its module (so a saved
# .mlir says how to compile it).
IREE_FLAGS_ATTR = "vtile.iree_flags"


def iree_flags(module: ir.Module) -> list[str]:
    """IREE flags the pipeline's output `module` needs."""
    flags = module.operation.attributes
    if IREE_FLAGS_ATTR not in flags:
        return []
    return [ir.StringAttr(flag).value for flag in ir.ArrayAttr(flags[IREE_FLAGS_ATTR])]


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
    stages.append(DROP_VTILE_ATTRIBUTES)
    targeting = target.cli_options() if target is not None else []
    return Pipeline(name, stages, ("--pipeline", name, *targeting, *planner.cli_options()))


def _plan_stage(options: PlannerOptions, target: Target | None):
    def plan(module: ir.Module) -> list[str]:
        if target is not None:
            with_memory_levels(module, target)
        plans = plan_module(module, options, annotate=True)
        if any(plan.memory.reordered for plan in plans):
            module.operation.attributes[IREE_FLAGS_ATTR] = ir.ArrayAttr.get(
                [ir.StringAttr.get(ONE_AT_A_TIME, module.context)], module.context)
        return [fusion_summary(plan) for plan in plans]

    return plan
