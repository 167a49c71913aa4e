"""Windows: which part of each input an output tile of an op reads.

Derived from indexing maps, never from op names: every input access of a
linalg op is an affine map of the loops, and a loop box maps to an input
box by interval arithmetic. That is exact for the maps linalg uses for
convolutions, pooling, broadcasts and transposes (sums of loop * constant
plus a constant); anything else (mod, floordiv, symbols) is not derivable
and ends a fusion group."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple


class NotDerivable(Exception):
    """The window of an access cannot be computed from its indexing map."""


class Interval(NamedTuple):
    """Half-open [lo, hi). A named tuple, not a dataclass: the planner
    hashes millions of tile boxes, and a tuple's hash is native."""

    lo: int
    hi: int

    @property
    def size(self) -> int:
        return self.hi - self.lo

    def hull(self, other: Interval) -> Interval:
        return Interval(min(self.lo, other.lo), max(self.hi, other.hi))


Box = tuple[Interval, ...]


def box_volume(box: Box) -> int:
    volume = 1
    for interval in box:
        volume *= interval.size
    return volume


def full_box(shape: Sequence[int]) -> Box:
    return tuple(Interval(0, size) for size in shape)


def hull(a: Box, b: Box) -> Box:
    return tuple(x.hull(y) for x, y in zip(a, b, strict=True))


@dataclass(frozen=True)
class LinearExpr:
    """sum(coefficient * loop) + constant: one result of an indexing map."""

    coefficients: tuple[tuple[int, int], ...]  # (loop, coefficient)
    constant: int

    def image(self, loops: Box) -> Interval:
        """The values the expression takes over a loop box (inclusive ends
        turned half-open); empty when a loop it uses has no iterations."""
        if any(loops[loop].size <= 0 for loop, _ in self.coefficients):
            return Interval(self.constant, self.constant)
        lo = hi = self.constant
        for loop, coefficient in self.coefficients:
            first, last = coefficient * loops[loop].lo, coefficient * (loops[loop].hi - 1)
            lo += min(first, last)
            hi += max(first, last)
        return Interval(lo, hi + 1)


@dataclass(frozen=True)
class LinalgAccess:
    """The loop structure of a linalg op: loop ranges, the result's map (a
    projection of loops) and each input's map."""

    loop_ranges: tuple[int, ...]
    result_loops: tuple[int, ...]  # result dimension d is loop result_loops[d]
    inputs: tuple[tuple[LinearExpr, ...], ...]
    # result box -> (input windows, work). The planner asks for the same
    # tiles again and again (every candidate group through the op, at every
    # tile size), and interval arithmetic in Python was most of its time.
    _tiles: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def loop_box(self, result_box: Box) -> Box:
        loops = list(full_box(self.loop_ranges))
        for dim, loop in enumerate(self.result_loops):
            loops[loop] = result_box[dim]
        return tuple(loops)

    def input_windows(self, result_box: Box) -> list[Box]:
        return list(self._tile(result_box)[0])

    def work(self, result_box: Box) -> int:
        """Iterations of the loop nest for this result tile (MACs for a conv)."""
        return self._tile(result_box)[1]

    def _tile(self, result_box: Box) -> tuple[tuple[Box, ...], int]:
        found = self._tiles.get(result_box)
        if found is None:
            loops = self.loop_box(result_box)
            work = box_volume(loops)
            if work == 0:  # no iterations read nothing
                windows = tuple(tuple(Interval(0, 0) for _ in access) for access in self.inputs)
            else:
                windows = tuple(tuple(expr.image(loops) for expr in access)
                                for access in self.inputs)
            found = self._tiles[result_box] = (windows, work)
        return found


@dataclass(frozen=True)
class PadAccess:
    """`tensor.pad`: the result box shifted by the low padding, clipped to
    the source (outside it the pad value is produced, nothing is read)."""

    low: tuple[int, ...]
    source_shape: tuple[int, ...]

    def input_windows(self, result_box: Box) -> list[Box]:
        window = []
        for interval, low, size in zip(result_box, self.low, self.source_shape, strict=True):
            lo = min(max(interval.lo - low, 0), size)
            hi = max(min(interval.hi - low, size), lo)
            window.append(Interval(lo, hi))
        return [tuple(window)]

    def work(self, result_box: Box) -> int:
        return 0  # a copy, no arithmetic


Access = LinalgAccess | PadAccess
