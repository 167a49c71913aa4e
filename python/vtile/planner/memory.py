"""Peak live activation bytes of a function run in program order, with
some ops fused into groups.

A value is live from the step that produces it to its last use; a group
runs at its root's position, reads its inputs whole, writes its output
whole, and adds one tile's buffers while it runs. Function arguments are
live throughout; weights are constants and not counted."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from vtile.analysis.graph import GRAPH_INPUT, OpGraph
from vtile.planner.groups import GroupCost
from vtile.planner.liveness import Step, live_bytes, spans


@dataclass(frozen=True)
class MemoryProfile:
    peak_bytes: int  # the most live bytes of any step, plus `level_bytes`
    peak_node: int  # the op (or group root) running at the peak
    step_bytes: tuple[tuple[int, int], ...]  # (node run at that step, live bytes)
    # One-dispatch groups' tiles on a CPU live on a worker's stack: memory
    # held for the whole run, the most any group needs.
    level_bytes: int = 0

    @property
    def steps_at_peak(self) -> int:
        return sum(1 for _, live in self.step_bytes if live + self.level_bytes == self.peak_bytes)

    def live_at(self, node: int) -> int:
        """Bytes live while `node` (or the group it roots) runs, the fast
        memory level's included."""
        return dict(self.step_bytes)[node] + self.level_bytes


def memory_profile(graph: OpGraph, groups: Sequence[GroupCost],
                   level_bytes: dict[int, int] | None = None,
                   held_throughout: bool = True) -> MemoryProfile:
    """`level_bytes`, by group root: the fast memory level's bytes (stack,
    workgroup memory) of the groups that are one dispatch. Those keep no
    tile buffers on the heap. `held_throughout` (a CPU stack): the largest
    is added to every step, since a worker's stack is memory of its own,
    never reused by the heap (as the benchmark counts it). Otherwise each
    group's counts at its own step only, as tile buffers do (a GPU's
    workgroup memory is on chip; the planner's search also walks so)."""
    level_bytes = level_bytes or {}
    group_of = {n: g for g in groups for n in g.nodes}
    # A member runs when its group's root runs.
    step = {n.index: (group_of[n.index].root if n.index in group_of else n.index) for n in graph.nodes}
    transient = {g.root: g.tile_bytes for g in groups if g.root not in level_bytes}
    level = max(level_bytes.values(), default=0) if held_throughout else 0
    if not held_throughout:
        transient |= level_bytes
    reads: dict[int, list[int]] = {i: [] for i, s in step.items() if s == i}
    for node in graph.nodes:
        # Arguments are counted apart; a group's members never exist.
        reads[step[node.index]] += [p for p in node.producers
                                    if p is not None and p != GRAPH_INPUT and step[p] == p]
    if not reads:
        return MemoryProfile(graph.argument_bytes + level, -1, (), level)
    order = list(reads)
    steps = [Step((s,), tuple(reads[s]), transient.get(s, 0)) for s in order]
    lived = spans(steps, graph.returned)
    live = live_bytes(steps, {s: graph.nodes[s].result_bytes for s in order}, lived)
    step_bytes = tuple((s, graph.argument_bytes + bytes_) for s, bytes_ in zip(order, live))
    peak_node, peak = max(step_bytes, key=lambda item: item[1])
    return MemoryProfile(peak + level, peak_node, step_bytes, level)
