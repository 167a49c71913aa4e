"""One candidate fusion group: what computing it tile by tile costs.

Mirrors what upstream tile-and-fuse (the `dataflow-materialize-tile-loops`
pass) will build: for every output tile, each consumer's window into a
producer becomes one fused copy of that producer, so work and buffers are
summed per copy, the way the generated code computes them."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

from mlir import ir

from vtile.analysis.graph import OpGraph, element_bytes
from vtile.analysis.windows import Box, Interval, box_volume, full_box, hull


@dataclass(frozen=True)
class GroupCost:
    nodes: tuple[int, ...]  # program order; the last one is the root
    tile_dim: int  # the outermost root result dimension that is tiled
    tile: tuple[int, ...]  # output tile sizes of the root
    tiles: int
    work: int  # iterations including halo recomputation
    unfused_work: int
    tile_bytes: int  # one tile's largest live buffers: an op's output plus its fused inputs
    # Per group input (operand value), its window for a middle tile.
    windows: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def root(self) -> int:
        return self.nodes[-1]

    @property
    def recompute(self) -> float:
        return self.work / self.unfused_work if self.unfused_work else 1.0


def is_legal(graph: OpGraph, nodes: tuple[int, ...]) -> bool:
    """Every op has a derivable window, only the root's result leaves the
    group (other intermediates never exist whole), and the root is a linalg
    op: `dataflow-materialize-tile-loops` tiles the root by its loops."""
    if not graph.nodes[nodes[-1]].name.startswith("linalg."):
        return False
    members = set(nodes)
    for index in nodes:
        node = graph.nodes[index]
        if not node.fusible:
            return False
        if index != nodes[-1] and (
            index in graph.returned or any(u not in members for u in graph.consumers(index))
        ):
            return False
    return True


def tiled_dimension(graph: OpGraph, nodes: tuple[int, ...]) -> int | None:
    """The root dimension to cut into strips: the one whose half-size strip
    reads the fewest input bytes (H for convolutions; C for depthwise chains,
    which need no halo there), the outermost on ties. Strips along a single
    dimension keep every later dimension whole, so IREE makes the slices
    free (contiguous `flow.tensor.slice`/`update`). None if no dimension
    shrinks any input window."""
    shape = graph.nodes[nodes[-1]].result_shape
    best: tuple[int, int] | None = None
    for dim, size in enumerate(shape):
        if size < 2:
            continue
        tile = tuple(size // 2 if d == dim else s for d, s in enumerate(shape))
        windows = group_cost(graph, nodes, dim, tile, sample=True).windows
        if not any(_shrinks(window, value) for value, window in windows.items()):
            continue
        read = sum(box_volume(window) * element_bytes(ir.RankedTensorType(value.type).element_type)
                   for value, window in windows.items())
        if best is None or read < best[0]:
            best = (read, dim)
    return None if best is None else best[1]


def _shrinks(window: Box, value: ir.Value) -> bool:
    shape = ir.RankedTensorType(value.type).shape
    return any(interval.size < size for interval, size in zip(window, shape))


def group_cost(
    graph: OpGraph, nodes: tuple[int, ...], dim: int, tile: tuple[int, ...], sample: bool = False
) -> GroupCost:
    """Work, per-tile buffer bytes and input windows of the group computed
    in tiles of `tile`: strips along `dim`, or patches where `tile` also
    cuts other dimensions (`dim` is then the outermost cut). Along each cut
    dimension the first, middle and last tiles are computed; the other
    interior ones are taken to cost what the middle one does (they differ
    only by where they sit, away from the border pads), so a patch costs
    what the positions of its dimensions make it. `sample` looks at the
    middle tile only."""
    members = set(nodes)
    root = graph.nodes[nodes[-1]]
    shape = root.result_shape
    cut = [d for d in range(len(shape)) if d == dim or tile[d] < shape[d]]
    offsets = {d: list(range(0, shape[d], tile[d])) for d in cut}
    middle = {d: offsets[d][len(offsets[d]) // 2] for d in cut}
    sampled = {d: [middle[d]] if sample else sorted({offsets[d][0], middle[d], offsets[d][-1]})
               for d in cut}
    work = tile_bytes = 0
    windows: dict = {}
    for position in itertools.product(*(sampled[d] for d in cut)):
        seen_windows: dict = {}
        box = list(full_box(shape))
        repeats = 1
        for d, offset in zip(cut, position, strict=True):
            box[d] = Interval(offset, offset + tile[d])
            if offset == middle[d] and not sample:
                repeats *= len(offsets[d]) - len(sampled[d]) + 1
        tile_work, _, buffers = _visit(graph, members, root.index, tuple(box), seen_windows)
        work += tile_work * repeats
        tile_bytes = max(tile_bytes, buffers)
        if all(offset == middle[d] for d, offset in zip(cut, position, strict=True)):
            windows = seen_windows
    unfused = sum(graph.nodes[i].work() for i in nodes)
    tiles = math.prod(len(offsets[d]) for d in cut)
    return GroupCost(nodes, dim, tile, tiles, work, unfused, tile_bytes, windows)


def middle_box(shape: tuple[int, ...], tile: tuple[int, ...]) -> Box:
    """The middle tile of the grid of `tile`s over `shape`: the one whose
    windows describe the group (halos, per-op tiles), away from the border
    pads."""
    return tuple(Interval((size // t // 2) * t, (size // t // 2) * t + t)
                 for size, t in zip(shape, tile, strict=True))  # fmt: skip


def workgroup_cost(graph: OpGraph, nodes: tuple[int, ...], tile_dim: int,
                   tile: tuple[int, ...]) -> GroupCost:
    """The group computed in tiles of `tile` (any dimensions tiled, each
    dividing the result), every tile as the middle one: what the workgroups
    of a one-dispatch group compute, whose domains are extended over the
    pads so border tiles compute as much."""
    root = graph.nodes[nodes[-1]]
    windows: dict = {}
    work, _, buffers = _visit(graph, set(nodes), root.index,
                              middle_box(root.result_shape, tile), windows)
    tiles = math.prod(size // t for size, t in zip(root.result_shape, tile, strict=True))
    unfused = sum(graph.nodes[i].work() for i in nodes)
    return GroupCost(nodes, tile_dim, tile, tiles, work * tiles, unfused, buffers, windows)


def _visit(
    graph: OpGraph, members: set[int], index: int, box: Box, windows: dict
) -> tuple[int, int, int]:
    """(work, bytes of this op's tile, largest live bytes) for one fused
    copy of `index` computing `box`, and its fused producers. Producers run
    first, one after the other; while an op runs, its fused inputs and its
    output are live."""
    node = graph.nodes[index]
    input_windows, work, volume = node.access.tile(box)
    own = volume * node.element_bytes
    inputs = peak = 0
    for operand, (producer, window) in enumerate(zip(node.producers, input_windows, strict=False)):
        if producer is None:
            continue
        if producer in members:
            more_work, produced, producer_peak = _visit(graph, members, producer, window, windows)
            work += more_work
            peak = max(peak, inputs + producer_peak)
            inputs += produced
        else:
            value = node.operand_values[operand]
            windows[value] = hull(windows[value], window) if value in windows else window
    return work, own, max(peak, inputs + own)


def op_tiles(graph: OpGraph, group: GroupCost, box: Box | None = None) -> dict[int, Box]:
    """The region of each op's result that the middle tile (or the root's
    `box`) computes (the hull over its fused copies): the per-layer tile,
    halo included."""
    members, tiles = set(group.nodes), {}
    root = graph.nodes[group.root]

    def visit(index: int, region: Box) -> None:
        tiles[index] = hull(tiles[index], region) if index in tiles else region
        node = graph.nodes[index]
        windows = node.access.input_windows(region)
        for producer, window in zip(node.producers, windows, strict=False):
            if producer in members:
                visit(producer, window)

    visit(root.index, box or middle_box(root.result_shape, group.tile))
    return tiles
