"""The memory plan of a function and the peak it predicts for IREE.

IREE's DEVICE_LOCAL peak on llvm-cpu (`iree-run-module --print_statistics`,
local-sync) is what one call holds at once: the inputs, the weights (the
constant pool), every result (allocated for the whole call) and the
transient slab that IREE packs the intermediates into. The slab is
predicted by packing the kernel graph's buffers as IREE does, in the order
IREE runs the kernels; a one dispatch's stack is not in those statistics
and is reported beside them.

IREE runs the program's order with its default partitioning, unless the
fused (`vertical-fusion`) plan's order is another: then one kernel at a
time in that order (`vtile.named_pipelines.ONE_AT_A_TIME`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from vtile.planner.arena import Arena, iree_arena, plan_arena
from vtile.planner.kernels import KernelGraph, kernel_graph
from vtile.planner.schedule import Schedule, memory_order, program_order
from vtile.planner.search import DISPATCH, LOWEST_PEAK

if TYPE_CHECKING:  # plan.py records memory plans: it imports this module
    from vtile.planner.plan import FunctionPlan


@dataclass(frozen=True)
class MemoryPlan:
    function: str
    kernels: KernelGraph
    program: Schedule  # program order
    schedule: Schedule  # the lowest-peak order
    runs: Schedule  # the order the pipeline runs: one of the two
    arena: Arena  # vtile's arena for `runs`
    iree: Arena  # the slab IREE packs for `runs`
    argument_bytes: int
    constant_bytes: int
    stack_bytes: int  # the largest one dispatch's stack: not DEVICE_LOCAL

    @property
    def reordered(self) -> bool:
        """Whether the kernels run in another order than the program's."""
        return self.runs.order != self.program.order

    @property
    def fixed_bytes(self) -> int:
        """Inputs, weights and results: held for the whole call."""
        return self.argument_bytes + self.constant_bytes + self.kernels.returned_bytes

    @property
    def predicted_device_local_bytes(self) -> int:
        return self.fixed_bytes + self.iree.size


def memory_plan(function: FunctionPlan, fused: bool = True,
                activation_bytes: int | None = None, order: str = LOWEST_PEAK) -> MemoryPlan:
    """`fused`: with the fusion plan's groups (the `vertical-fusion`
    pipeline, which runs `order`), else layer by layer (`none`, in program
    order). `activation_bytes`: count activations at this width (weights
    and inputs keep theirs)."""
    graph, plan = function.graph, function.plan
    groups, stacks = (), {}
    if fused:
        groups = plan.groups
        stacks = {group.root: lowering.level_bytes
                  for group, lowering in zip(plan.groups, function.lowerings, strict=True)
                  if lowering.lowering == DISPATCH}
    kernels = kernel_graph(graph, groups, stacks, activation_bytes)
    program = program_order(kernels)
    schedule = memory_order(kernels)
    runs = schedule if fused and order == LOWEST_PEAK else program
    # IREE's default partitioning runs a pad's fill beside the kernel before.
    concurrent_fills = runs.order == program.order
    return MemoryPlan(
        function.function, kernels, program, schedule, runs, plan_arena(kernels, runs),
        iree_arena(kernels, runs, concurrent_fills),
        graph.argument_bytes, graph.constant_bytes, max(stacks.values(), default=0),
    )  # fmt: skip
