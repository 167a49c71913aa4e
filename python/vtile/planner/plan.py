"""Planning a whole module: one fusion plan per function."""

from __future__ import annotations

from dataclasses import dataclass

from mlir import ir

from vtile.analysis.graph import OpGraph, build_graph
from vtile.planner.annotate import annotate as write_plan
from vtile.planner.annotate import lowerings as plan_lowerings
from vtile.planner.lowering import GroupLowering
from vtile.planner.search import FusionPlan, PlannerOptions, plan_fusion


@dataclass(frozen=True)
class FunctionPlan:
    function: str
    graph: OpGraph
    plan: FusionPlan
    lowerings: tuple[GroupLowering, ...] = ()  # per group


def plan_module(module: ir.Module, options: PlannerOptions, annotate: bool = False) -> list[FunctionPlan]:
    """Plans every function with a body; `annotate` records the plans in the
    IR for `dataflow-form-kernels`."""
    plans = []
    for op in module.body.operations:
        op = op.operation
        if op.name != "func.func" or not op.regions[0].blocks:
            continue
        name = ir.StringAttr(op.attributes["sym_name"]).value
        graph = build_graph(module, name)
        plan = plan_fusion(graph, options)
        lowerings = plan_lowerings(graph, plan, options)
        if annotate:
            write_plan(graph, plan, options, lowerings)
        plans.append(FunctionPlan(name, graph, plan, tuple(lowerings)))
    return plans
