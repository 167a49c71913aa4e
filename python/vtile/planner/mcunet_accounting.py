"""MCUNet's memory accounting: peak activation bytes as the int8
microcontroller literature counts them (MCUNet, MCUNetV2 and their
TinyEngine), so a vtile plan can be set beside those papers' figures.

It is not what IREE allocates (`vtile.planner.predict` models that). Its
rules, on the op graph, one layer at a time:
- every activation is one byte per element (int8);
- a layer holds the values it reads and the one it writes; a value read
  later (a residual, a skip) stays live; a function input lives until its
  last reader, a result from its writer on;
- views cost nothing: reshapes, and pads (the kernels pad on the fly);
- in place: an elementwise op (batch norm, activation, residual add)
  writes over an input it reads at the output's own point, and a
  depthwise convolution (`linalg.depthwise_conv_*`) over its input, when
  that input dies there (TinyEngine's in-place depthwise); a convolution
  whose result flows only through elementwise ops into an add writes
  straight into that add's other input, when it dies there and the
  convolution does not read it (MCUNet counts a residual block's
  projection without its residual);
- a fusion group runs patch by patch: it holds its inputs and its output
  whole, except a function input, read one patch's window at a time (the
  image is decoded patch by patch, as MCUNetV2 assumes), and one patch
  computed layer by layer under the same rules, each op's region the
  middle patch's (halo included); the last layer writes into the output.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from mlir import ir

from vtile.analysis.graph import GRAPH_INPUT, OpGraph
from vtile.analysis.windows import box_volume, full_box
from vtile.planner.groups import GroupCost, op_tiles
from vtile.planner.kernels import RESHAPES, is_elementwise
from vtile.planner.liveness import Step, live_bytes, spans
from vtile.planner.memory import MemoryProfile

VIEWS = (*RESHAPES, "tensor.pad")

Reads = Callable[[int], list[tuple[int, int]]]  # a step's (producer, operand) pairs


class MCUNetAccounting:
    """The accounting of one graph; what the search asks again and again
    (which ops are elementwise, each group's patch, the storages of the
    last groups asked about, which candidates that differ only in their
    tiles share) is worked out once."""

    def __init__(self, graph: OpGraph) -> None:
        self.graph = graph
        self.elementwise = frozenset(n.index for n in graph.nodes if is_elementwise(graph, n.index))
        self.patches: dict[GroupCost, int] = {}
        self.last: tuple[tuple[tuple[int, ...], ...], list[int], list[int]] | None = None

    def profile(self, groups: Sequence[GroupCost]) -> MemoryProfile:
        """Live bytes at each step (an op, or a group at its root's step)
        of the program order, under the module docstring's rules."""
        order, live = self._live(groups)
        patches = {g.root: self.patch_bytes(g) for g in groups}
        steps = tuple((index, bytes_ + patches.get(index, 0))
                      for index, bytes_ in zip(order, live, strict=True))
        if not steps:
            return MemoryProfile(0, -1, ())
        peak_node, peak = max(steps, key=lambda item: item[1])
        return MemoryProfile(peak, peak_node, steps)

    def _live(self, groups: Sequence[GroupCost]) -> tuple[list[int], list[int]]:
        """The steps and the bytes live at each, patches left out."""
        key = tuple(g.nodes for g in groups)
        if self.last is not None and self.last[0] == key:
            return self.last[1], self.last[2]
        graph = self.graph
        group_of = {n: g for g in groups for n in g.nodes}
        order = [n.index for n in graph.nodes
                 if n.index not in group_of or group_of[n.index].root == n.index]

        def reads(index: int) -> list[tuple[int, int]]:
            group = group_of.get(index)
            members = [index] if group is None else list(group.nodes)
            inside = set(members)
            return [(p, i) for m in members for i, p in enumerate(graph.nodes[m].producers)
                    if p is not None and p not in inside
                    and not (p == GRAPH_INPUT and group is not None)]  # a patch's window

        storages = _Storages(graph, self.elementwise, order, reads, graph.returned)
        for index in order:
            storages.run(index, _volume(graph.nodes[index].result_shape),
                         in_place=index not in group_of)
        self.last = (key, order, storages.live())
        return order, self.last[2]

    def patch_bytes(self, group: GroupCost) -> int:
        """The most one patch holds at once: its ops' regions layer by
        layer, and its windows of function inputs. The root writes into
        the group's output, counted outside."""
        if group not in self.patches:
            graph = self.graph
            regions = op_tiles(graph, group)
            members = set(group.nodes)

            def reads(index: int) -> list[tuple[int, int]]:
                return [(p, i) for i, p in enumerate(graph.nodes[index].producers)
                        if p in members or p == GRAPH_INPUT]

            windows = {value: box_volume(window) for value, window in group.windows.items()}
            storages = _Storages(graph, self.elementwise, list(group.nodes), reads,
                                 (group.root,), windows)
            for index in group.nodes:
                storages.run(index, 0 if index == group.root else box_volume(regions[index]),
                             in_place=True)
            self.patches[group] = max(storages.live(), default=0)
        return self.patches[group]


def mcunet_profile(graph: OpGraph, groups: Sequence[GroupCost]) -> MemoryProfile:
    """`MCUNetAccounting(graph).profile(groups)`, for a single question."""
    return MCUNetAccounting(graph).profile(groups)


def _volume(shape: Sequence[int]) -> int:
    return box_volume(full_box(shape))


class _Storages:
    """The memory of the values as `order` runs: a storage is a value's,
    shared with its views and with results written over it in place."""

    def __init__(self, graph: OpGraph, elementwise: frozenset[int], order: list[int],
                 reads: Reads, returned: Sequence[int],
                 argument_bytes: dict | None = None) -> None:
        self.graph, self.elementwise, self.order, self.reads = graph, elementwise, order, reads
        self.argument_bytes = argument_bytes
        self.position = {index: p for p, index in enumerate(order)}
        self.of: dict = {}  # value key (producer node, or the argument value) -> storage
        self.storages: list[list] = []  # per storage, the keys of its values
        self.sizes: dict = {}  # per value key: its bytes
        self.steps = [Step((index,), tuple(self.key(index, pair) for pair in reads(index)))
                      for index in order]
        self.lived = spans(self.steps, returned)

    def key(self, index: int, pair: tuple[int, int]):
        producer, operand = pair
        return self.graph.nodes[index].operand_values[operand] if producer == GRAPH_INPUT \
            else producer

    def dies_at(self, store: int, step: int) -> bool:
        """No value of `store` is read after `step`."""
        return all(self.lived[k][1] <= step for k in self.storages[store])

    def run(self, index: int, nbytes: int, in_place: bool) -> None:
        pairs = self.reads(index)
        for pair in pairs:
            k = self.key(index, pair)
            if k not in self.of:  # a function input, live from the start
                value = self.graph.nodes[index].operand_values[pair[1]]
                size = (self.argument_bytes.get(value, 0) if self.argument_bytes is not None
                        else _volume(ir.RankedTensorType(value.type).shape))
                self.of[k] = len(self.storages)
                self.storages.append([k])
                self.sizes[k] = size
        shared = self.shared(index, pairs) if in_place else None
        if shared is None:
            shared = len(self.storages)
            self.storages.append([])
        self.of[index] = shared
        self.storages[shared].append(index)
        if self.graph.nodes[index].name in VIEWS and len(self.storages[shared]) > 1:
            nbytes = self.sizes[self.key(index, pairs[0])]  # padding is not stored
        self.sizes[index] = nbytes

    def live(self) -> list[int]:
        """Bytes live at each step: per storage, its largest value live then."""
        return live_bytes(self.steps, self.sizes, self.lived, self.of)

    def shared(self, index: int, pairs: list[tuple[int, int]]) -> int | None:
        """The storage `index` writes over, if any (module docstring)."""
        node = self.graph.nodes[index]
        if node.name in VIEWS and len(pairs) == 1:
            return self.of[self.key(index, pairs[0])]
        if "depthwise" in node.name:
            candidates = [(index, pairs[0])] if pairs else []
        elif index in self.elementwise:
            candidates = self.same_shaped(index, pairs)
        else:
            # Not over what the op itself reads: a convolution cannot overwrite its input.
            own = {self.of.get(self.key(index, pair)) for pair in pairs}
            candidates = [c for c in self.residual(index)
                          if self.of.get(self.key(*c)) not in own]
        for reader, pair in candidates:
            store = self.of.get(self.key(reader, pair))
            if store is not None and self.dies_at(store, self.position[reader]):
                return store
        return None

    def same_shaped(self, index: int, pairs: list[tuple[int, int]]):
        result = self.graph.nodes[index].operation.results[0].type
        return [(index, pair) for pair in pairs
                if self.graph.nodes[index].operand_values[pair[1]].type == result]

    def residual(self, index: int):
        """The other inputs of the add that this op's result flows into
        through elementwise ops, each their only reader."""
        graph, current = self.graph, index
        while True:
            consumers = graph.consumers(current)
            if len(consumers) != 1 or consumers[0] not in self.position \
                    or consumers[0] not in self.elementwise:
                return []
            reader = consumers[0]
            others = [(reader, pair) for _, pair in
                      self.same_shaped(reader, self.reads(reader)) if pair[0] != current]
            if others:
                return others
            current = reader
