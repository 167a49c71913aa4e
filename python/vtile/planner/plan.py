"""Planning a whole module: one fusion plan per function."""

from __future__ import annotations

from dataclasses import dataclass

from mlir import ir

from vtile.analysis.graph import OpGraph, build_graph
from vtile.planner.annotate import annotate as write_plan
from vtile.planner.lowering import GroupLowering, as_built, choose_lowerings
from vtile.planner.memory_levels import stack_capacity
from vtile.planner.search import FusionPlan, PlannerOptions, plan_fusion


@dataclass(frozen=True)
class FunctionPlan:
    function: str
    graph: OpGraph
    plan: FusionPlan  # as built: one-dispatch groups by their workgroups
    lowerings: tuple[GroupLowering, ...] = ()  # per group


def plan_module(module: ir.Module, options: PlannerOptions, annotate: bool = False) -> list[FunctionPlan]:
    """Plans every function with a body, with the memory levels of the
    `#tile.target` in scope; `annotate` records the plans in the IR for
    `dataflow-form-kernels`."""
    plans = []
    for op in module.body.operations:
        op = op.operation
        if op.name != "func.func" or not op.regions[0].blocks:
            continue
        name = ir.StringAttr(op.attributes["sym_name"]).value
        graph = build_graph(module, name)
        searched = plan_fusion(graph, options)
        lowerings = choose_lowerings(graph, searched, options, stack_capacity(op))
        plan = as_built(graph, searched, lowerings)
        if annotate:
            write_plan(graph, plan, options, lowerings)
        plans.append(FunctionPlan(name, graph, plan, tuple(lowerings)))
    return plans
