"""Records a fusion plan in the IR: `dataflow.group = N` on every op of a
group and the group's `#dataflow.plan` on its root, which
`dataflow-form-kernels` reads."""

from __future__ import annotations

from mlir import ir

from vtile.analysis.graph import OpGraph
from vtile.analysis.windows import Box
from vtile.planner.groups import GroupCost, middle_box
from vtile.planner.lowering import GroupLowering
from vtile.planner.search import DISPATCH, FusionPlan, PlannerOptions

GROUP_ATTR = "dataflow.group"
PLAN_ATTR = "dataflow.plan"


def kernel_inputs(graph: OpGraph, group: GroupCost) -> list[ir.Value]:
    """The values `dataflow-form-kernels` makes kernel inputs, in its order:
    first use, operand order, non-constant values from outside the group."""
    members, inputs = set(group.nodes), []
    for index in group.nodes:
        node = graph.nodes[index]
        for producer, value in zip(node.producers, node.operand_values, strict=True):
            if producer is None or producer in members or value in inputs:
                continue
            inputs.append(value)
    return inputs


def halo(graph: OpGraph, group: GroupCost, value: ir.Value) -> tuple[list[int], list[int]]:
    """Elements the middle tile's window reaches beyond the tile's own
    extent, scaled to the input by the ratio of sizes (the stride), in each
    dimension the root is tiled in."""
    shape = ir.RankedTensorType(value.type).shape
    window: Box | None = group.windows.get(value)
    root_shape = graph.nodes[group.root].result_shape
    box = middle_box(root_shape, group.tile)
    low, high = [], []
    for dim, size in enumerate(shape):
        if (window is None or window[dim].size == size or dim >= len(root_shape)
                or group.tile[dim] == root_shape[dim]):
            low.append(0)
            high.append(0)
            continue
        scale = size / root_shape[dim]
        low.append(max(0, round(box[dim].lo * scale) - window[dim].lo))
        high.append(max(0, window[dim].hi - round(box[dim].hi * scale)))
    return low, high


def plan_attribute(graph: OpGraph, group: GroupCost, device: str, lowering: GroupLowering) -> str:
    halos = []
    for value in kernel_inputs(graph, group):
        low, high = halo(graph, group, value)
        halos.append(f"#dataflow.halo<low = {low}, high = {high}>")
    order = list(range(len(group.tile)))
    peak = lowering.level_bytes if lowering.lowering == DISPATCH else group.tile_bytes
    return (
        f"#dataflow.plan<tile = {list(group.tile)}, halos = [{', '.join(halos)}], "
        f"order = {order}, device = \"{device}\", peak_bytes = {peak}, "
        f"recompute = {group.recompute:.4f}, lowering = \"{lowering.lowering}\">"
    )


def annotate(graph: OpGraph, plan: FusionPlan, options: PlannerOptions,
             chosen: list[GroupLowering]) -> None:
    """Writes the plan, as built (`vtile.planner.lowering.as_built`), with
    each group's `chosen` lowering."""
    context = graph.function.context
    i64 = ir.IntegerType.get_signless(64, context)
    for number, (group, lowering) in enumerate(zip(plan.groups, chosen, strict=True)):
        for index in group.nodes:
            graph.nodes[index].operation.attributes[GROUP_ATTR] = ir.IntegerAttr.get(i64, number)
        root = graph.nodes[group.root].operation
        text = plan_attribute(graph, group, options.device, lowering)
        root.attributes[PLAN_ATTR] = ir.Attribute.parse(text, context)

