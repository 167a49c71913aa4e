"""Records a function's memory plan in the IR, where `dataflow-schedule`
moves the ops into its order and `dataflow-verify-memory-plan` checks it:
- `dataflow.memory_plan` on the function: the arena size, the order's peak
  of live bytes, the offsets' alignment, which order;
- `dataflow.step` on every op of a kernel: its position in that order;
- `dataflow.buffer` on the op whose result a buffer holds, and
  `dataflow.scratch` on a tile-loop group's root: its `#dataflow.slot`
  (offset, bytes, the steps it is live in).
IREE knows none of them; `drop_memory_plan` takes them off before it
compiles the module."""

from __future__ import annotations

from mlir import ir

from vtile.analysis.graph import OpGraph
from vtile.planner.annotate import PLAN_ATTR
from vtile.planner.arena import BUFFER
from vtile.planner.predict import MemoryPlan

MEMORY_PLAN_ATTR = "dataflow.memory_plan"
STEP_ATTR = "dataflow.step"
BUFFER_ATTR = "dataflow.buffer"
SCRATCH_ATTR = "dataflow.scratch"
OP_ATTRS = (STEP_ATTR, BUFFER_ATTR, SCRATCH_ATTR)


def record_memory_plan(graph: OpGraph, function: ir.Operation, plan: MemoryPlan,
                       order: str) -> None:
    """Writes `plan` (its `runs` schedule, named `order`, and its arena)."""
    context = function.context
    i64 = ir.IntegerType.get_signless(64, context)
    kernels = plan.kernels.kernels
    function.attributes[MEMORY_PLAN_ATTR] = ir.Attribute.parse(
        f"#dataflow.memory_plan<arena_bytes = {plan.arena.size}, "
        f"peak_bytes = {plan.runs.peak_bytes}, alignment = {plan.arena.alignment}, "
        f'order = "{order}">', context)
    for step, kernel in enumerate(plan.runs.order):
        for node in kernels[kernel].nodes:
            graph.nodes[node].operation.attributes[STEP_ATTR] = ir.IntegerAttr.get(i64, step)
    for slot in plan.arena.slots:
        if slot.kind == BUFFER:
            name, node = BUFFER_ATTR, plan.kernels.buffers[slot.index].value
        else:  # a tile-loop group's: its root holds the group's plan
            name = SCRATCH_ATTR
            node = next(n for n in kernels[slot.index].nodes
                        if PLAN_ATTR in graph.nodes[n].operation.attributes)
        graph.nodes[node].operation.attributes[name] = ir.Attribute.parse(
            f"#dataflow.slot<offset = {slot.offset}, bytes = {slot.bytes}, "
            f"steps = [{slot.first}, {slot.last}]>", context)


def drop_memory_plan(module: ir.Module) -> None:
    """Takes every memory-plan attribute off `module`'s functions and ops."""

    def drop(operation: ir.Operation) -> ir.WalkResult:
        for name in (MEMORY_PLAN_ATTR, *OP_ATTRS):
            if name in operation.attributes:
                del operation.attributes[name]
        return ir.WalkResult.ADVANCE

    module.operation.walk(drop)
