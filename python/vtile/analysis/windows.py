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


Tile = tuple[tuple[Box, ...], int, int]  # input windows, work, result elements


@dataclass(frozen=True)
class TileCache:
    """Works out each result box's tile once. The planner asks for the same
    tiles again and again (every candidate group through an op, at every
    tile size), and interval arithmetic in Python was most of its time."""

    _tiles: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def tile(self, result_box: Box) -> Tile:
        """What the op computing `result_box` reads of each input, its work
        and the box's volume."""
        found = self._tiles.get(result_box)
        if found is None:
            windows, work = self._windows_and_work(result_box)
            found = self._tiles[result_box] = (windows, work, box_volume(result_box))
        return found

    def input_windows(self, result_box: Box) -> list[Box]:
        return list(self.tile(result_box)[0])

    def work(self, result_box: Box) -> int:
        """Iterations of the loop nest for this result tile (MACs for a conv)."""
        return self.tile(result_box)[1]

    def _windows_and_work(self, result_box: Box) -> tuple[tuple[Box, ...], int]:
        raise NotImplementedError


@dataclass(frozen=True)
class LinalgAccess(TileCache):
    """The loop structure of a linalg op: loop ranges, the result's map (a
    projection of loops) and each input's map."""

    loop_ranges: tuple[int, ...]
    result_loops: tuple[int, ...]  # result dimension d is loop result_loops[d]
    inputs: tuple[tuple[LinearExpr, ...], ...]

    def loop_box(self, result_box: Box) -> Box:
        loops = list(full_box(self.loop_ranges))
        for dim, loop in enumerate(self.result_loops):
            loops[loop] = result_box[dim]
        return tuple(loops)

    def _windows_and_work(self, result_box: Box) -> tuple[tuple[Box, ...], int]:
        loops = self.loop_box(result_box)
        work = box_volume(loops)
        if work == 0:  # no iterations read nothing
            return tuple(tuple(Interval(0, 0) for _ in access) for access in self.inputs), 0
        return tuple(tuple(expr.image(loops) for expr in access) for access in self.inputs), work


@dataclass(frozen=True)
class PadAccess(TileCache):
    """`tensor.pad`: the result box shifted by the low padding, clipped to
    the source (outside it the pad value is produced, nothing is read).
    A copy: no work."""

    low: tuple[int, ...]
    source_shape: tuple[int, ...]

    def _windows_and_work(self, result_box: Box) -> tuple[tuple[Box, ...], int]:
        window = []
        for interval, low, size in zip(result_box, self.low, self.source_shape, strict=True):
            lo = min(max(interval.lo - low, 0), size)
            hi = max(min(interval.hi - low, size), lo)
            window.append(Interval(lo, hi))
        return (tuple(window),), 0


Access = LinalgAccess | PadAccess
