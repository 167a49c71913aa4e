"""The memory plan of a function and the peak it predicts for IREE.

IREE's DEVICE_LOCAL peak on llvm-cpu (`iree-run-module --print_statistics`,
local-sync) is what one call holds at once: the inputs, the weights (the
constant pool), every result (allocated for the whole call) and the
transient slab that IREE packs the intermediates into. The slab is
predicted by packing the kernel graph's buffers as IREE does, in the order
IREE runs the kernels; a one dispatch's stack is not in those statistics
and is reported beside them."""

from __future__ import annotations

from dataclasses import dataclass

from vtile.planner.arena import Arena, iree_arena, plan_arena
from vtile.planner.kernels import KernelGraph, kernel_graph
from vtile.planner.plan import FunctionPlan
from vtile.planner.schedule import Schedule, memory_order, program_order
from vtile.planner.search import DISPATCH


@dataclass(frozen=True)
class MemoryPlan:
    function: str
    kernels: KernelGraph
    program: Schedule  # program order
    schedule: Schedule  # the lowest-peak order
    arena: Arena  # vtile's arena for `schedule`
    iree: Arena  # the slab IREE packs, for the order it runs (program order)
    argument_bytes: int
    constant_bytes: int
    stack_bytes: int  # the largest one dispatch's stack: not DEVICE_LOCAL

    @property
    def fixed_bytes(self) -> int:
        """Inputs, weights and results: held for the whole call."""
        return self.argument_bytes + self.constant_bytes + self.kernels.returned_bytes

    @property
    def predicted_device_local_bytes(self) -> int:
        return self.fixed_bytes + self.iree.size


def memory_plan(function: FunctionPlan, fused: bool = True,
                activation_bytes: int | None = None) -> MemoryPlan:
    """`fused`: with the fusion plan's groups (the `vertical-fusion`
    pipeline), else layer by layer (`none`). `activation_bytes`: count
    activations at this width (weights and inputs keep theirs)."""
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
    return MemoryPlan(
        function.function, kernels, program, schedule, plan_arena(kernels, schedule),
        # IREE's default partitioning runs a pad's fill beside the kernel before.
        iree_arena(kernels, program, concurrent_fills=True),
        graph.argument_bytes, graph.constant_bytes, max(stacks.values(), default=0),
    )  # fmt: skip
