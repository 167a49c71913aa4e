"""A static arena: one offset per intermediate buffer (and per tile-loop
scratch) so that buffers live at the same step never share bytes.

Packing is greedy best fit, as IREE packs a region's transients
(`stream.resource.pack`): each slot in turn takes the smallest gap between
the placed slots whose lifetimes meet its own. IREE takes slots in order
of first use; vtile also tries largest first and keeps the smaller arena.
The arena size is at least the schedule's peak."""

from __future__ import annotations

from dataclasses import dataclass

from vtile.planner.kernels import KernelGraph
from vtile.planner.schedule import Schedule, lifetimes

# IREE's llvm-cpu transient offsets are multiples of 64 bytes.
ARENA_ALIGNMENT = 64
BUFFER = "buffer"
SCRATCH = "scratch"


@dataclass(frozen=True)
class Slot:
    """A buffer (or a kernel's scratch) in the arena."""

    kind: str  # BUFFER or SCRATCH
    index: int  # of the buffer, or of the kernel whose scratch it is
    offset: int
    bytes: int
    first: int  # steps of the schedule it is live in, inclusive
    last: int

    @property
    def name(self) -> str:
        if self.kind == BUFFER:
            return f"buffer {self.index}"
        return f"scratch of kernel {self.index}"

    def overlaps(self, other: Slot) -> bool:
        in_time = self.first <= other.last and other.first <= self.last
        in_space = self.offset < other.offset + other.bytes and other.offset < self.offset + self.bytes
        return in_time and in_space


@dataclass(frozen=True)
class Arena:
    slots: tuple[Slot, ...]
    alignment: int

    @property
    def size(self) -> int:
        return max((s.offset + _aligned(s.bytes, self.alignment) for s in self.slots), default=0)


def _aligned(size: int, alignment: int) -> int:
    return -(-size // alignment) * alignment


def _pending(graph: KernelGraph, schedule: Schedule,
             concurrent_fills: bool = False) -> list[tuple[str, int, int, int, int]]:
    """(kind, index, bytes, first step, last step) of every buffer and scratch in
    the arena, in the order IREE lists them: by first step, then as defined."""
    pending = []
    for buffer, span in enumerate(lifetimes(graph, schedule.order, concurrent_fills)):
        if span is not None and graph.buffers[buffer].bytes:
            pending.append((BUFFER, buffer, graph.buffers[buffer].bytes, *span))
    for step, kernel in enumerate(schedule.order):
        if graph.kernels[kernel].scratch_bytes:
            pending.append((SCRATCH, kernel, graph.kernels[kernel].scratch_bytes, step, step))
    return sorted(pending, key=lambda p: p[3])


def _pack(pending: list[tuple[str, int, int, int, int]], alignment: int) -> Arena:
    """Places each in turn in the smallest gap between the placed slots
    whose lifetimes meet its own, or above them all."""
    placed: list[Slot] = []
    for kind, index, size, first, last in pending:
        best, best_gap, top = None, None, 0
        for other in sorted((s for s in placed if s.first <= last and first <= s.last),
                            key=lambda s: s.offset):
            offset = _aligned(top, alignment)
            gap = other.offset - offset
            if gap >= _aligned(size, alignment) and (best_gap is None or gap < best_gap):
                best, best_gap = offset, gap
            top = max(top, other.offset + _aligned(other.bytes, alignment))
        placed.append(Slot(kind, index, _aligned(top, alignment) if best is None else best, size,
                           first, last))
    return Arena(tuple(sorted(placed, key=lambda s: (s.first, s.offset))), alignment)


def iree_arena(graph: KernelGraph, schedule: Schedule, concurrent_fills: bool = False,
               alignment: int = ARENA_ALIGNMENT) -> Arena:
    """The arena as IREE packs it (`packStaticSlicesGreedily`): in order of
    first use, each in the smallest gap that fits. `concurrent_fills`: under
    IREE's default partitioning, which runs a buffer's fill alongside the
    kernel before its writer (`--iree-stream-partitioning-favor=debug`
    runs one op at a time)."""
    return _pack(_pending(graph, schedule, concurrent_fills), alignment)


def plan_arena(graph: KernelGraph, schedule: Schedule, alignment: int = ARENA_ALIGNMENT) -> Arena:
    """vtile's arena: the smaller of IREE's packing and the same best fit
    taking the largest buffers first (which leaves no gap a later, larger
    buffer cannot use)."""
    pending = _pending(graph, schedule)
    by_size = _pack(sorted(pending, key=lambda p: (-p[2], p[3])), alignment)
    in_order = _pack(pending, alignment)
    return by_size if by_size.size < in_order.size else in_order
