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


@dataclass(frozen=True)
class MemoryProfile:
    peak_bytes: int
    peak_node: int  # the op (or group root) running at the peak
    step_bytes: tuple[tuple[int, int], ...]  # (node run at that step, live bytes)

    @property
    def steps_at_peak(self) -> int:
        return sum(1 for _, live in self.step_bytes if live == self.peak_bytes)


def memory_profile(graph: OpGraph, groups: Sequence[GroupCost],
                   transient_bytes: dict[int, int] | None = None) -> MemoryProfile:
    """`transient_bytes`, by group root, replaces a group's tile buffers
    (a one-dispatch group's are its workgroup's stack)."""
    group_of = {n: g for g in groups for n in g.nodes}
    # A member runs when its group's root runs.
    step = {n.index: (group_of[n.index].root if n.index in group_of else n.index) for n in graph.nodes}
    exists = [n.index for n in graph.nodes if step[n.index] == n.index]
    end = len(graph.nodes)
    last_use = {i: (end if i in graph.returned else i) for i in exists}
    for node in graph.nodes:
        for producer in node.producers:
            if producer is not None and producer != GRAPH_INPUT and producer in last_use:
                last_use[producer] = max(last_use[producer], step[node.index])
    transient = {g.root: g.tile_bytes for g in groups} | (transient_bytes or {})

    dying: dict[int, int] = {}
    for i in exists:
        dying[last_use[i]] = dying.get(last_use[i], 0) + graph.nodes[i].result_bytes
    steps, live = [], graph.argument_bytes
    for s in exists:
        live += graph.nodes[s].result_bytes
        steps.append((s, live + transient.get(s, 0)))
        live -= dying.get(s, 0)
    if not steps:
        return MemoryProfile(graph.argument_bytes, -1, ())
    peak_node, peak = max(steps, key=lambda item: item[1])
    return MemoryProfile(peak, peak_node, tuple(steps))
