"""The graph IREE compiles for a fused plan: tile-loop groups unrolled into
their tiles, and the kernels IREE forms from it. Windows are worked out by
hand from the convolutions' halos."""

import pytest
import torch
from torch import nn

from vtile.analysis.graph import GRAPH_INPUT, build_graph
from vtile.context import make_context
from vtile.frontends.model import load_model
from vtile.planner.groups import group_cost
from vtile.planner.kernels import kernel_graph
from vtile.planner.schedule import lifetimes, program_order
from vtile.planner.unrolled import EXTRACT, INSERT, unrolled_graph


def _graph(model: nn.Module, shape: tuple[int, ...]):
    torch.manual_seed(0)
    loaded = load_model(model.eval(), make_context(), (torch.randn(*shape),))
    return build_graph(loaded.module, loaded.function)


@pytest.fixture(scope="module")
def chain():
    """3x3 convolution, ReLU, 3x3 convolution, 16x16: one group of 4 strips."""
    model = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1, bias=False), nn.ReLU(),
                          nn.Conv2d(8, 8, 3, padding=1, bias=False))
    graph = _graph(model, (1, 3, 16, 16))
    nodes = tuple(range(len(graph.nodes)))
    return graph, group_cost(graph, nodes, 2, (1, 8, 4, 16))


def _names(graph):
    return [node.name for node in graph.nodes]


def test_each_strip_computes_its_rows_and_is_inserted_into_the_result(chain):
    graph, group = chain
    assert _names(graph) == ["tensor.pad", "linalg.conv_2d_nchw_fchw", "linalg.generic",
                             "tensor.pad", "linalg.conv_2d_nchw_fchw"]
    unrolled = unrolled_graph(graph, [group]).graph
    # Per strip: a view of the input, its pad, the first convolution and
    # ReLU, their pad, the second convolution, the insert.
    assert _names(unrolled) == [EXTRACT, "tensor.pad", "linalg.conv_2d_nchw_fchw",
                                "linalg.generic", "tensor.pad", "linalg.conv_2d_nchw_fchw",
                                INSERT] * 4
    rows = [[node.result_shape[2] for node in unrolled.nodes[7 * s:7 * s + 6]] for s in range(4)]
    # Output rows [4s, 4s+4) read rows [4s-1, 4s+5) of the first
    # convolution, clipped to the image at the first and last strip; that
    # one reads one more row on each side of the input.
    assert rows == [[6, 7, 5, 5, 6, 4], [8, 8, 6, 6, 6, 4], [8, 8, 6, 6, 6, 4], [6, 7, 5, 5, 6, 4]]
    inserts = [node for node in unrolled.nodes if node.name == INSERT]
    assert [node.result_shape for node in inserts] == [(1, 8, 16, 16)] * 4
    assert [node.producers[1] for node in inserts] == [None] + [n.index for n in inserts[:-1]]
    assert unrolled.returned == {inserts[-1].index}
    assert unrolled.nodes[0].producers == [GRAPH_INPUT]


def test_iree_copies_each_padded_input_window_and_inserts_each_strip(chain):
    graph, group = chain
    unrolled = unrolled_graph(graph, [group]).graph
    kernels = kernel_graph(unrolled)
    # Per strip: the input window copied into its padded buffer, the
    # convolution with its ReLU writing into the next pad's interior, the
    # second convolution, the copy into the result.
    assert [len(k.nodes) for k in kernels.kernels] == [1, 2, 1, 1] * 4
    sizes = [kernels.buffers[k.writes].bytes for k in kernels.kernels[:4]]
    assert sizes == [3 * 7 * 18 * 4, 8 * 6 * 18 * 4, 8 * 4 * 16 * 4, 8 * 16 * 16 * 4]
    assert [kernels.buffers[k.writes].filled for k in kernels.kernels[:2]] == [True, True]
    result = kernels.kernels[3].writes
    assert all(k.writes == result for k in kernels.kernels[3::4])


def test_the_result_exists_from_the_first_strips_insert():
    """A strip group whose result a later op reads: it is live from the
    first insert to that reader, and each strip's buffers only during its
    strip."""
    model = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1, bias=False), nn.ReLU(),
                          nn.Conv2d(8, 8, 3, padding=1, bias=False), nn.Flatten(),
                          nn.Softmax(dim=1))
    graph = _graph(model, (1, 3, 16, 16))
    convolutions = [n.index for n in graph.nodes if n.name == "linalg.conv_2d_nchw_fchw"]
    group = group_cost(graph, tuple(range(convolutions[-1] + 1)), 2, (1, 8, 8, 16))
    unrolled = unrolled_graph(graph, [group])
    kernels = kernel_graph(unrolled.graph)
    order = program_order(kernels).order
    spans = lifetimes(kernels, order)
    inserts = [k for k, kernel in enumerate(kernels.kernels)
               if unrolled.graph.nodes[kernel.nodes[0]].name == INSERT]
    assert len(inserts) == 2
    result = kernels.kernels[inserts[0]].writes
    first, last = spans[result]
    assert first == inserts[0] and last > inserts[1]
    # The first strip's buffers are dead before the second strip starts.
    assert all(spans[kernels.kernels[k].writes][1] <= inserts[0] for k in range(inserts[0]))


class Join(nn.Module):
    """p = conv(x) and q = conv(conv(x)), both read once, by p + q."""

    def __init__(self):
        super().__init__()
        self.p = nn.Conv2d(4, 4, 1, bias=False)
        self.q1 = nn.Conv2d(4, 4, 3, padding=1, bias=False)
        self.q2 = nn.Conv2d(4, 4, 3, padding=1, bias=False)

    def forward(self, x):
        return self.p(x) + self.q2(self.q1(x))


def test_an_add_joins_the_earliest_convolution_and_runs_where_it_is():
    graph = _graph(Join(), (1, 4, 8, 8))
    kernels = kernel_graph(graph)
    (add,) = [n.index for n in graph.nodes if n.name == "linalg.generic"]
    convolutions = [n.index for n in graph.nodes if n.name == "linalg.conv_2d_nchw_fchw"]
    # IREE grows the roots through their consumers in program order: p's
    # convolution reaches the add first and takes it, and the dispatch runs
    # where the add is, after q's second convolution.
    (host,) = [k for k in kernels.kernels if add in k.nodes]
    assert host.nodes == [convolutions[0], add]
    assert kernels.kernels[-1] is host
    program_order(kernels)  # still topological
