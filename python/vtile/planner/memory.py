"""Peak live activation bytes of a function run in program order, with
some ops fused into groups.

A value is live from the step that produces it to its last use; a group
runs at its root's position, reads its inputs whole, writes its output
whole, and adds one tile's buffers while it runs. Function arguments are
live throughout; weights are constants and not counted."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

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

    @cached_property  # the search ranks every candidate by it
    def steps_at_peak(self) -> int:
        return sum(1 for _, live in self.step_bytes if live + self.level_bytes == self.peak_bytes)

    def live_at(self, node: int) -> int:
        """Bytes live while `node` (or the group it roots) runs, the fast
        memory level's included."""
        return dict(self.step_bytes)[node] + self.level_bytes


class IreeAccounting:
    """The profiles of one graph under many plans, as the search asks for
    them. What every walk reads is worked out once, and candidates that
    differ only in their tiles share their groups, so the liveness of the
    last groups asked about is kept (MobileNetV2's search: 12,763 walks)."""

    def __init__(self, graph: OpGraph) -> None:
        self.graph = graph
        # Per op, its producers that are ops: arguments are counted apart.
        self.producers = [[p for p in n.producers if p is not None and p != GRAPH_INPUT]
                          for n in graph.nodes]
        self.sizes = {n.index: n.result_bytes for n in graph.nodes}
        self.last: tuple[tuple[tuple[int, ...], ...], list[int], list[int]] | None = None

    def profile(self, groups: Sequence[GroupCost], level_bytes: dict[int, int] | None = None,
                held_throughout: bool = True) -> MemoryProfile:
        """`level_bytes`, by group root: the fast memory level's bytes
        (stack, workgroup memory) of the groups that are one dispatch. Those
        keep no tile buffers on the heap. `held_throughout` (a CPU stack):
        the largest is added to every step, since a worker's stack is memory
        of its own, never reused by the heap (as the benchmark counts it).
        Otherwise each group's counts at its own step only, as tile buffers
        do (a GPU's workgroup memory is on chip; the planner's search also
        walks so)."""
        level_bytes = level_bytes or {}
        transient = {g.root: g.tile_bytes for g in groups if g.root not in level_bytes}
        level = max(level_bytes.values(), default=0) if held_throughout else 0
        if not held_throughout:
            transient |= level_bytes
        order, live = self._live(groups)
        arguments = self.graph.argument_bytes
        if not order:
            return MemoryProfile(arguments + level, -1, (), level)
        step_bytes = tuple((s, arguments + b + transient.get(s, 0)) for s, b in zip(order, live))
        peak_node, peak = max(step_bytes, key=lambda item: item[1])
        return MemoryProfile(peak + level, peak_node, step_bytes, level)

    def _live(self, groups: Sequence[GroupCost]) -> tuple[list[int], list[int]]:
        """The steps (ops, and groups at their roots) in program order, and
        the bytes of values live at each."""
        key = tuple(g.nodes for g in groups)
        if self.last is not None and self.last[0] == key:
            return self.last[1], self.last[2]
        group_of = {n: g for g in groups for n in g.nodes}
        # A member runs when its group's root runs; its result never exists.
        step = [group_of[n].root if n in group_of else n for n in range(len(self.graph.nodes))]
        reads: dict[int, list[int]] = {i: [] for i, s in enumerate(step) if s == i}
        for index, producers in enumerate(self.producers):
            reads[step[index]] += [p for p in producers if step[p] == p]
        order = list(reads)
        steps = [Step((s,), tuple(reads[s])) for s in order]
        live = live_bytes(steps, self.sizes, spans(steps, self.graph.returned))
        self.last = (key, order, live)
        return order, live


def memory_profile(graph: OpGraph, groups: Sequence[GroupCost],
                   level_bytes: dict[int, int] | None = None,
                   held_throughout: bool = True) -> MemoryProfile:
    """`IreeAccounting(graph).profile(groups, ...)`, for a single question."""
    return IreeAccounting(graph).profile(groups, level_bytes, held_throughout)
