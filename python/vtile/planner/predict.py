"""The memory plan of a function and the peak it predicts for IREE.

IREE's DEVICE_LOCAL peak on llvm-cpu (`iree-run-module --print_statistics`,
local-sync) is what one call holds at once: the inputs, the weights (the
constant pool), every result (allocated for the whole call) and the
transient slab that IREE packs the intermediates into. The slab is
predicted by packing the kernel graph's buffers as IREE does, in the order
IREE runs the kernels; a one dispatch's stack is not in those statistics
and is reported beside them. For the fused plan, that kernel graph is the
one IREE forms from the module `vertical-fusion` hands it: tile loops
unrolled, every tile's buffers packed apart (one kernel with one tile's
buffers missed edge_cnn's by 11%: greedy packing leaves gaps between the
tiles' buffers).

IREE runs the program's order with its default partitioning, unless the
fused (`vertical-fusion`) plan's order is another: then one kernel at a
time in that order (`vtile.named_pipelines.ONE_AT_A_TIME`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from vtile.analysis.graph import GRAPH_INPUT, OpGraph
from vtile.planner.arena import Arena, iree_arena, plan_arena
from vtile.planner.groups import GroupCost
from vtile.planner.kernels import KernelGraph, kernel_graph
from vtile.planner.lowering import GroupLowering
from vtile.planner.schedule import Schedule, memory_order, program_order
from vtile.planner.search import DISPATCH, LOWEST_PEAK, FusionPlan
from vtile.planner.unrolled import unrolled_graph


@dataclass(frozen=True)
class MemoryPlan:
    function: str
    kernels: KernelGraph
    program: Schedule  # program order
    schedule: Schedule  # the lowest-peak order
    runs: Schedule  # the order the pipeline runs: one of the two
    arena: Arena  # vtile's arena for `runs`
    iree: Arena  # the slab IREE packs for `runs` (fused: over the tiles unrolled)
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


def memory_plan(function: str, graph: OpGraph, plan: FusionPlan,
                lowerings: Sequence[GroupLowering], fused: bool = True,
                activation_bytes: int | None = None, order: str = LOWEST_PEAK) -> MemoryPlan:
    """The memory plan of `function` (its `graph`) under the fusion `plan`,
    each group reaching IREE by its `lowerings`. `fused`: with the plan's
    groups (the `vertical-fusion` pipeline, which runs `order`), else layer
    by layer (`none`, in program order). `activation_bytes`: count
    activations at this width (weights and inputs keep theirs)."""
    groups, stacks = (), {}
    if fused:
        groups = plan.groups
        stacks = {group.root: lowering.level_bytes
                  for group, lowering in zip(plan.groups, lowerings, strict=True)
                  if lowering.lowering == DISPATCH}
    kernels = kernel_graph(graph, groups, stacks, activation_bytes)
    program = program_order(kernels)
    schedule = memory_order(kernels)
    runs = schedule if fused and order == LOWEST_PEAK else program
    # IREE's default partitioning runs a pad's fill beside the kernel before.
    concurrent_fills = runs.order == program.order
    if fused:
        iree = _compiled_arena(graph, kernels, runs, groups, stacks, activation_bytes,
                               concurrent_fills)
    else:
        iree = iree_arena(kernels, runs, concurrent_fills)
    return MemoryPlan(
        function, kernels, program, schedule, runs, plan_arena(kernels, runs), iree,
        graph.argument_bytes, graph.constant_bytes, max(stacks.values(), default=0),
    )  # fmt: skip


def _compiled_arena(graph: OpGraph, kernels: KernelGraph, runs: Schedule,
                    groups: Sequence[GroupCost], stacks: dict[int, int],
                    activation_bytes: int | None, concurrent_fills: bool) -> Arena:
    """IREE's packing of the graph `vertical-fusion` hands it: every op
    where `runs` puts its kernel (`dataflow-schedule`; views and pads
    written in place run with their producer), the groups that keep tile
    loops unrolled into their tiles (`vtile.planner.unrolled`), one-dispatch
    groups one kernel each. IREE forms its dispatches on that order."""
    step = {n: position for position, k in enumerate(runs.order) for n in kernels.kernels[k].nodes}
    for node in graph.nodes:
        if node.index not in step:
            step[node.index] = max((step[p] for p in node.producers
                                    if p is not None and p != GRAPH_INPUT), default=-1)
    unrolled = unrolled_graph(graph, [g for g in groups if g.root not in stacks],
                              sorted(step, key=lambda n: (step[n], n)))
    index_of = unrolled.index_of
    dispatches = [replace(g, nodes=tuple(index_of[n] for n in g.nodes))
                  for g in groups if g.root in stacks]
    tiles = kernel_graph(unrolled.graph, dispatches,
                         {index_of[root]: stack for root, stack in stacks.items()},
                         activation_bytes)
    return iree_arena(tiles, program_order(tiles), concurrent_fills)
