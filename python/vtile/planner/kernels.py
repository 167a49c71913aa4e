"""The kernel graph: what IREE runs for a function, as the memory planner
sees it. A kernel is one IREE dispatch (or a fusion group's tile loops);
a buffer is a tensor that exists whole in memory.

It follows what IREE 3.13 builds from linalg on tensors (each rule was
read from `--compile-to=stream` output of the benchmark models):
- an elementwise op joins the kernel of a producer whose only user it is
  (IREE fuses it into that dispatch), so that producer's result never
  exists; of several such producers, the one whose kernel IREE forms
  first, and the kernel then runs where its last op is;
- reshapes, and the windows of an unrolled tile (`tensor.extract_slice`),
  are views of their source's buffer;
- a pad's buffer is its source's, grown to the padded size: the source's
  kernel writes into its interior (a function argument, or anything not
  computed by a linalg op, is copied in by a kernel of its own);
- a concatenation's inputs that nothing else reads are written into its
  buffer by their kernels; a copy kernel inserts the others;
- a fusion group is one kernel that reads its inputs and writes its
  result; tile loops add one tile's buffers while it runs, a one
  dispatch's tiles are on the stack (not heap memory);
- unrolled into its tiles (`vtile.planner.unrolled`, what IREE compiles),
  a tile-loop group is the tiles' own kernels, and a copy kernel per tile
  inserts it into the group's result (`tensor.insert_slice`).
Function arguments and returned values are not buffers of the arena: IREE
allocates them apart, for the whole call."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from vtile.analysis.graph import GRAPH_INPUT, OpGraph
from vtile.analysis.windows import LinalgAccess, box_volume, full_box
from vtile.planner.groups import GroupCost
from vtile.planner.unrolled import EXTRACT, INSERT

RESHAPES = ("tensor.expand_shape", "tensor.collapse_shape")


@dataclass(frozen=True)
class Buffer:
    bytes: int
    value: int = -1  # the graph op whose result it holds
    returned: bool = False  # a function result: allocated apart, for the whole call
    # IREE fills it (a pad's border) before its first writer runs.
    filled: bool = False


@dataclass
class Kernel:
    nodes: list[int]  # the graph ops it runs, in program order
    reads: list[int] = field(default_factory=list)  # buffers
    writes: int | None = None  # the buffer it writes
    scratch_bytes: int = 0  # heap memory it holds while it runs (tile-loop buffers)
    stack_bytes: int = 0  # a one dispatch's tiles, on the stack


@dataclass(frozen=True)
class KernelGraph:
    kernels: tuple[Kernel, ...]  # program order
    buffers: tuple[Buffer, ...]
    # What each kernel is called in reports: its main op and result shape.
    labels: tuple[str, ...] = ()

    def writers(self) -> dict[int, list[int]]:
        """Per buffer, the kernels that write it (a concatenation's have several)."""
        found: dict[int, list[int]] = {}
        for index, kernel in enumerate(self.kernels):
            if kernel.writes is not None:
                found.setdefault(kernel.writes, []).append(index)
        return found

    def predecessors(self, kernel: int) -> set[int]:
        writers = self.writers()
        return {w for b in self.kernels[kernel].reads for w in writers.get(b, [])} - {kernel}

    @property
    def returned_bytes(self) -> int:
        return sum(b.bytes for b in self.buffers if b.returned)


def is_elementwise(graph: OpGraph, index: int) -> bool:
    """Every loop is parallel and every operand is read at the result's
    point, or broadcast along some dimensions (each index a loop, or a
    constant): IREE fuses it into its producer."""
    node = graph.nodes[index]
    access = node.access
    if not node.name.startswith("linalg.") or not isinstance(access, LinalgAccess):
        return False
    if len(access.result_loops) != len(access.loop_ranges):
        return False
    return all(not e.coefficients or (len(e.coefficients) == 1 and e.coefficients[0][1] == 1
                                      and e.constant == 0)
               for operand in access.inputs for e in operand)


def kernel_graph(graph: OpGraph, groups: Sequence[GroupCost] = (),
                 stack_bytes: dict[int, int] | None = None,
                 activation_bytes: int | None = None) -> KernelGraph:
    """The kernels of `graph` with `groups` fused. `stack_bytes`, by group
    root: the groups that are one dispatch, and their stack; the others
    keep tile loops and their tile buffers. `activation_bytes`: count every
    activation at this many bytes per element (e.g. 1, to compare with int8
    literature) instead of its type's width."""
    stack_bytes = stack_bytes or {}
    group_of = {n: g for g in groups for n in g.nodes}

    def size(index: int) -> int:
        node = graph.nodes[index]
        if activation_bytes is None:
            return node.result_bytes
        return box_volume(full_box(node.result_shape)) * activation_bytes

    def scaled(nbytes: int, element_bytes: int) -> int:
        return nbytes if activation_bytes is None else nbytes // element_bytes * activation_bytes

    kernels: list[Kernel] = []
    buffers: list[Buffer] = []
    buffer_of: dict[int, int | None] = {}  # node -> its buffer (None: an argument)
    kernel_of: dict[int, int] = {}  # node -> the kernel that computes it
    readers: dict[int, int] = {n.index: len(graph.consumers(n.index)) for n in graph.nodes}

    def new_buffer(index: int) -> int:
        buffers.append(Buffer(size(index), index))
        return len(buffers) - 1

    def reads(index: int, skip: set[int]) -> list[int]:
        found = []
        for producer in graph.nodes[index].producers:
            if producer is None or producer == GRAPH_INPUT or producer in skip:
                continue
            buffer = buffer_of[producer]
            if buffer is not None and buffer not in found:
                found.append(buffer)
        return found

    for node in graph.nodes:
        index = node.index
        producers = [p for p in node.producers if p is not None and p != GRAPH_INPUT]
        group = group_of.get(index)
        if group is not None:
            if index != group.root:
                continue
            members = set(group.nodes)
            kernel = Kernel(list(group.nodes), writes=new_buffer(index))
            kernel.reads = [b for m in group.nodes for b in reads(m, members)]
            kernel.reads = list(dict.fromkeys(kernel.reads))
            if index in stack_bytes:
                kernel.stack_bytes = stack_bytes[index]
            else:
                kernel.scratch_bytes = scaled(group.tile_bytes, node.element_bytes or 1)
            buffer_of[index] = kernel.writes
            kernel_of[index] = len(kernels)
            kernels.append(kernel)
            continue
        if node.name in RESHAPES and len(producers) == 1:
            buffer_of[index] = buffer_of[producers[0]]
            kernel_of[index] = kernel_of.get(producers[0], -1)
            continue
        if node.name == EXTRACT:  # a tile's window: its readers read the source in place
            buffer_of[index] = buffer_of[producers[0]] if producers else None
            kernel_of[index] = kernel_of.get(producers[0], -1) if producers else -1
            continue
        if node.name == INSERT:
            # A copy kernel writes the tile into the result, which the
            # first tile's insert creates (each tile's insert writes it:
            # none waits on another's).
            source, *destination = producers
            result = buffer_of[destination[0]] if destination else new_buffer(index)
            kernels.append(Kernel([index], reads=[buffer_of[source]], writes=result))
            buffer_of[index] = result
            kernel_of[index] = len(kernels) - 1
            continue
        if node.name == "tensor.pad" and len(producers) == 1 and readers[producers[0]] == 1 \
                and buffer_of[producers[0]] is not None and producers[0] not in group_of \
                and graph.nodes[producers[0]].name.startswith("linalg."):
            # The source's kernel writes into the padded buffer's interior.
            source = buffer_of[producers[0]]
            buffers[source] = Buffer(size(index), index, filled=True)
            buffer_of[index] = source
            kernel_of[index] = kernel_of[producers[0]]
            continue
        host = _fused_into(graph, index, producers, readers, kernel_of, buffer_of, group_of,
                           kernels)
        if host is not None:
            kernel = kernels[host]
            kernel.nodes.append(index)
            # The producer's result never exists: this op's takes its buffer.
            fresh = [b for b in reads(index, set()) if b != kernel.writes]
            kernel.reads = list(dict.fromkeys(kernel.reads + fresh))
            buffers[kernel.writes] = Buffer(size(index), index)
            buffer_of[index] = kernel.writes
            kernel_of[index] = host
            continue
        if node.name == "tensor.concat":
            kernels.append(_concatenation(index, producers, new_buffer(index), readers,
                                          buffer_of, kernel_of, kernels, buffers))
            buffer_of[index] = kernels[-1].writes
            kernel_of[index] = len(kernels) - 1
            continue
        kernel = Kernel([index], reads=reads(index, set()), writes=new_buffer(index))
        if node.name == "tensor.pad":
            buffers[kernel.writes] = Buffer(size(index), index, filled=True)
        buffer_of[index] = kernel.writes
        kernel_of[index] = len(kernels)
        kernels.append(kernel)

    for index in graph.returned:
        buffer = buffer_of.get(index)
        if buffer is not None:
            buffers[buffer] = replace(buffers[buffer], returned=True)
    # IREE runs a dispatch where its last op was: a kernel that took in a
    # later consumer moved down to it.
    kernels.sort(key=lambda kernel: kernel.nodes[-1])
    labels = tuple(_label(graph, k) for k in kernels)
    return KernelGraph(tuple(kernels), tuple(buffers), labels)


def _label(graph: OpGraph, kernel: Kernel) -> str:
    """The first op that is not elementwise or a pad (a convolution, a
    pooling), else the last, with the kernel's result shape."""
    main = next((n for n in kernel.nodes
                 if graph.nodes[n].name not in ("linalg.generic", "tensor.pad")), kernel.nodes[-1])
    shape = "x".join(map(str, graph.nodes[kernel.nodes[-1]].result_shape))
    fused = f" +{len(kernel.nodes) - 1} ops" if len(kernel.nodes) > 1 else ""
    return f"{graph.nodes[main].name.removeprefix('linalg.')} {shape}{fused}"


def _concatenation(index: int, producers: list[int], result: int, readers: dict[int, int],
                   buffer_of: dict[int, int | None], kernel_of: dict[int, int],
                   kernels: list[Kernel], buffers: list[Buffer]) -> Kernel:
    """The copy kernel of a concatenation into `result`. An input only it
    reads, the last op of its kernel, is written in place by that kernel
    (its own buffer never exists); the copy kernel inserts the others."""
    copied = []
    for producer in dict.fromkeys(producers):
        host = kernel_of.get(producer, -1)
        own = buffer_of[producer]
        if readers[producer] == 1 and host >= 0 and kernels[host].nodes[-1] == producer \
                and own == kernels[host].writes:
            buffers[own] = replace(buffers[own], bytes=0)
            kernels[host].writes = result
        elif own is not None:
            copied.append(own)
    return Kernel([index], reads=[result, *copied], writes=result)


def _fused_into(graph: OpGraph, index: int, producers: list[int], readers: dict[int, int],
                kernel_of: dict[int, int], buffer_of: dict[int, int | None],
                group_of: dict, kernels: list[Kernel]) -> int | None:
    """The kernel an elementwise op joins: among its producers whose only
    reader it is and that are the last op of a kernel (not a view, not a
    fusion group), the one whose kernel IREE forms first. IREE's
    `FormDispatchRegions` grows each root (a convolution, a matmul, a
    reduction; then the elementwise ops left over) through its consumers,
    roots in program order, so the earliest root reaching the op takes it."""
    if not is_elementwise(graph, index):
        return None
    hosts = []
    for producer in set(producers):
        host = kernel_of.get(producer, -1)
        if (readers[producer] == 1 and producer not in group_of and host >= 0
                and kernels[host].nodes[-1] == producer
                and buffer_of[producer] == kernels[host].writes):
            root = kernels[host].nodes[0]
            hosts.append((is_elementwise(graph, root), root, host))
    return min(hosts)[2] if hosts else None
