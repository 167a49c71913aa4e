"""The op graph IREE compiles for a fused plan: every tile-loop group
unrolled into its tiles, as `dataflow-materialize-tile-loops` emits them.

IREE sees no loop: each tile is a run of ops of their own sizes, and IREE
forms dispatches and packs buffers for every tile apart (measured on
edge_cnn: 4 strips of about 11 buffers each). Predicting its arena from
one kernel holding one tile's buffers misses the gaps its greedy packing
leaves between the tiles' buffers. Per tile, this graph holds:
- one copy of each op per consumer window into it, as upstream
  tile-and-fuse builds them (the groups' costing counts the same copies),
  producers first in operand order, each computing its window;
- `tensor.extract_slice` views of the group's inputs (IREE reads them in
  place; a pad of one is then copied in by a kernel of its own);
- a `tensor.insert_slice` of the tile's result into the group's result,
  which exists from the first tile's insert on.
Only the arena prediction reads it; the plan recorded in the IR keeps one
kernel per group."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, replace

from mlir import ir

from vtile.analysis.graph import GRAPH_INPUT, OpGraph, OpNode, element_bytes, users_of
from vtile.analysis.windows import Box, Interval, full_box
from vtile.planner.groups import GroupCost

EXTRACT = "tensor.extract_slice"
INSERT = "tensor.insert_slice"


@dataclass(frozen=True)
class UnrolledGraph:
    graph: OpGraph
    # Per op of the original graph outside the unrolled groups, and per
    # unrolled group's root (its result: the last insert), its node here.
    index_of: dict[int, int]


def tile_boxes(shape: tuple[int, ...], group: GroupCost) -> list[Box]:
    """The root's result box of every tile, in the order the tile loops
    run them: outer dimensions first."""
    cut = [d for d in range(len(shape)) if d == group.tile_dim or group.tile[d] < shape[d]]
    starts = [range(0, shape[d], group.tile[d]) for d in cut]
    boxes = []
    for position in itertools.product(*starts):
        box = list(full_box(shape))
        for d, start in zip(cut, position, strict=True):
            box[d] = Interval(start, min(start + group.tile[d], shape[d]))
        boxes.append(tuple(box))
    return boxes


def unrolled_graph(graph: OpGraph, groups: Sequence[GroupCost],
                   order: Sequence[int] | None = None) -> UnrolledGraph:
    """`graph` with each of `groups` unrolled where its root was, the ops
    in `order` (original indices; program order by default)."""
    unrolled = {g.root: g for g in groups}
    members = {n for g in groups for n in g.nodes} - set(unrolled)
    nodes: list[OpNode] = []
    index_of: dict[int, int] = {}

    def mapped(producer: int | None) -> int | None:
        return producer if producer is None or producer == GRAPH_INPUT else index_of[producer]

    def add(node: OpNode, **changes) -> int:
        nodes.append(replace(node, index=len(nodes), **changes))
        return len(nodes) - 1

    def copy(group: GroupCost, index: int, box: Box) -> int:
        node = graph.nodes[index]
        windows = node.access.input_windows(box)
        producers: list[int | None] = []
        for operand, producer in enumerate(node.producers):
            if producer in group.nodes:
                producers.append(copy(group, producer, windows[operand]))
            elif producer is None or operand >= len(windows):
                producers.append(mapped(producer))
            else:
                value = node.operand_values[operand]
                producers.append(add(node, name=EXTRACT, producers=[mapped(producer)],
                                     operand_values=[value], access=None,
                                     result_shape=tuple(i.size for i in windows[operand]),
                                     element_bytes=element_bytes(
                                         ir.RankedTensorType(value.type).element_type)))
        return add(node, producers=producers, result_shape=tuple(i.size for i in box))

    for index in order if order is not None else range(len(graph.nodes)):
        node = graph.nodes[index]
        if index in members:
            continue
        group = unrolled.get(index)
        if group is None:
            index_of[index] = add(node, producers=[mapped(p) for p in node.producers])
            continue
        result: int | None = None
        for box in tile_boxes(node.result_shape, group):
            tile = copy(group, index, box)
            result = add(node, name=INSERT, producers=[tile, result], access=None,
                         operand_values=[])
        index_of[index] = result

    returned = {index_of[n] for n in graph.returned}
    return UnrolledGraph(replace(graph, nodes=nodes, users=users_of(nodes), returned=returned),
                         index_of)
