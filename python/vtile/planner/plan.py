"""Planning a whole module: one fusion plan, and one memory plan, per function."""

from __future__ import annotations

from dataclasses import dataclass, replace

from mlir import ir

from vtile.analysis.graph import OpGraph, build_graph
from vtile.planner.annotate import annotate as write_plan
from vtile.planner.lowering import GroupLowering, as_built, choose_lowerings, group_lowering
from vtile.planner.memory_attributes import record_memory_plan
from vtile.planner.memory_levels import tile_level_capacity
from vtile.planner.predict import MemoryPlan, memory_plan
from vtile.planner.search import DISPATCH, LOWEST_PEAK, FusionPlan, PlannerOptions, plan_fusion


@dataclass(frozen=True)
class FunctionPlan:
    function: str
    graph: OpGraph
    plan: FusionPlan  # as built: one-dispatch groups by their workgroups
    lowerings: tuple[GroupLowering, ...] = ()  # per group
    memory: MemoryPlan | None = None  # the one recorded in the IR, if any

    def memory_plan(self, fused: bool = True, activation_bytes: int | None = None,
                    order: str = LOWEST_PEAK) -> MemoryPlan:
        """`vtile.planner.predict.memory_plan` of this plan."""
        return memory_plan(self.function, self.graph, self.plan, self.lowerings, fused,
                           activation_bytes, order)


def plan_module(module: ir.Module, options: PlannerOptions, annotate: bool = False) -> list[FunctionPlan]:
    """Plans every function with a body, with the memory levels of the
    `#tile.target` in scope; `annotate` records the fusion plans in the IR
    for `dataflow-form-kernels`, and the memory plans (the fused kernels'
    order and arena) for `dataflow-schedule`."""
    plans = []
    for op in module.body.operations:
        op = op.operation
        if op.name != "func.func" or not op.regions[0].blocks:
            continue
        name = ir.StringAttr(op.attributes["sym_name"]).value
        graph = build_graph(module, name)
        capacity = tile_level_capacity(op, options.device)
        searched = _search(graph, options, capacity)
        lowerings = choose_lowerings(graph, searched, options, capacity)
        plan = as_built(graph, searched, lowerings)
        function = FunctionPlan(name, graph, plan, tuple(lowerings))
        if annotate:
            write_plan(graph, plan, options, lowerings)
            memory = function.memory_plan(order=options.order)
            record_memory_plan(graph, op, memory, options.order)
            function = replace(function, memory=memory)
        plans.append(function)
    return plans


def _search(graph: OpGraph, options: PlannerOptions, capacity: int | None) -> FusionPlan:
    """The fusion plan. Asked for one dispatch per group, the planner forms
    only groups that can be one (their workgroups fit `capacity`), costed
    by what their workgroups hold (stack or workgroup memory) rather than
    by tile buffers, so a small GPU workgroup memory gets shorter groups
    rather than tile loops, and no group holds more than it saves. If no
    group of the usual plan can be one dispatch either, the plan is the
    usual one and every group says why it keeps tile loops."""
    if options.lowering != DISPATCH:
        return plan_fusion(graph, options)

    def level_bytes(group) -> int | None:
        lowering = group_lowering(graph, group, options, capacity)
        return lowering.level_bytes if lowering.lowering == DISPATCH else None

    fitting = plan_fusion(graph, options, level_bytes)
    if fitting.groups:
        return fitting
    usual = plan_fusion(graph, options)
    return fitting if any(level_bytes(group) is not None for group in usual.groups) else usual
