"""vtile.analysis.graph: which ops become nodes, how they link, and the
windows their accesses give, on hand-written linalg and on imported
PyTorch models."""

import pytest
import zoo
from linalg_models import UPSAMPLE
from mlir import ir

import vtile
from vtile import models
from vtile.analysis.graph import GRAPH_INPUT, build_graph, element_bytes
from vtile.analysis.windows import Interval, LinalgAccess, PadAccess, full_box
from vtile.frontends.model import load_model

CONSTANT_OPS = {"tensor.empty", "linalg.fill", "arith.constant", "tensor.expand_shape",
                "tensor.collapse_shape", "linalg.transpose"}  # fmt: skip

# pad -> 3x3 conv -> relu, with a constant subgraph for the weights (a splat
# reshaped and scaled by a linalg.generic) and a constant bias broadcast.
PAD_CONV_RELU = """
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#id1 = affine_map<(d0) -> (d0)>
#bias = affine_map<(d0, d1, d2, d3) -> (d1)>
func.func @net(%x: tensor<1x4x16x16xf32>) -> tensor<1x8x16x16xf32> {
  %zero = arith.constant 0.0 : f32
  %two = arith.constant 2.0 : f32
  %flat = arith.constant dense<0.25> : tensor<288xf32>
  %b = arith.constant dense<0.5> : tensor<8xf32>
  %e288 = tensor.empty() : tensor<288xf32>
  %scaled = linalg.generic {indexing_maps = [#id1, #id1], iterator_types = ["parallel"]}
      ins(%flat : tensor<288xf32>) outs(%e288 : tensor<288xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.mulf %in, %two : f32
    linalg.yield %m : f32
  } -> tensor<288xf32>
  %w = tensor.expand_shape %scaled [[0, 1, 2, 3]] output_shape [8, 4, 3, 3]
      : tensor<288xf32> into tensor<8x4x3x3xf32>
  %p = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x4x16x16xf32> to tensor<1x4x18x18xf32>
  %e = tensor.empty() : tensor<1x8x16x16xf32>
  %init = linalg.generic {indexing_maps = [#bias, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b : tensor<8xf32>) outs(%e : tensor<1x8x16x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x8x16x16xf32>
  %c = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
      ins(%p, %w : tensor<1x4x18x18xf32>, tensor<8x4x3x3xf32>) outs(%init : tensor<1x8x16x16xf32>) -> tensor<1x8x16x16xf32>
  %r = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%c : tensor<1x8x16x16xf32>) outs(%e : tensor<1x8x16x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x8x16x16xf32>
  return %r : tensor<1x8x16x16xf32>
}

// Stride 2, dilation 2 on a 1x2x20x20 input padded by 2: 8x8 out.
func.func @strided(%x: tensor<1x2x20x20xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x3x10x10xf32> {
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %x low[0, 0, 2, 2] high[0, 0, 2, 2] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x2x20x20xf32> to tensor<1x2x24x24xf32>
  %e = tensor.empty() : tensor<1x3x10x10xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x3x10x10xf32>) -> tensor<1x3x10x10xf32>
  %c = linalg.conv_2d_nchw_fchw {dilations = dense<2> : vector<2xi64>, strides = dense<2> : vector<2xi64>}
      ins(%p, %w : tensor<1x2x24x24xf32>, tensor<3x2x3x3xf32>) outs(%f : tensor<1x3x10x10xf32>) -> tensor<1x3x10x10xf32>
  return %c : tensor<1x3x10x10xf32>
}
"""

# Ops whose windows cannot be derived: a gather by tensor.extract (nearest
# upsampling), an access through floordiv, and reshapes of activations.
UNDERIVABLE = """
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#half = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2 floordiv 2, d3)>
func.func @odd(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x128xf32> {
  %zero = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %e4 = tensor.empty() : tensor<1x2x4x4xf32>
  %r = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : tensor<1x2x4x4xf32>) outs(%e4 : tensor<1x2x4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x2x4x4xf32>
  %e84 = tensor.empty() : tensor<1x2x8x4xf32>
  %rows = linalg.generic {indexing_maps = [#half, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%r : tensor<1x2x4x4xf32>) outs(%e84 : tensor<1x2x8x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x2x8x4xf32>
  %wide = tensor.expand_shape %rows [[0], [1], [2], [3, 4]] output_shape [1, 2, 8, 2, 2]
      : tensor<1x2x8x4xf32> into tensor<1x2x8x2x2xf32>
  %flat = tensor.collapse_shape %wide [[0], [1], [2, 3, 4]] : tensor<1x2x8x2x2xf32> into tensor<1x2x32xf32>
  %cat = tensor.concat dim(2) %flat, %flat, %flat, %flat
      : (tensor<1x2x32xf32>, tensor<1x2x32xf32>, tensor<1x2x32xf32>, tensor<1x2x32xf32>) -> tensor<1x2x128xf32>
  return %cat : tensor<1x2x128xf32>
}
"""


def parse(text):
    return ir.Module.parse(text, vtile.make_context())


def I(lo, hi):  # noqa: E743
    return Interval(lo, hi)


def node_named(graph, name):
    (node,) = [n for n in graph.nodes if n.name == name]
    return node


@pytest.fixture(scope="module")
def net():
    return build_graph(parse(PAD_CONV_RELU), "net")


def test_constants_are_not_nodes(net):
    # The weight subgraph (splat, scaling generic, expand_shape), the bias
    # broadcast, tensor.empty and the scalars are all computed from constants.
    assert [n.name for n in net.nodes] == ["tensor.pad", "linalg.conv_2d_nchw_fchw", "linalg.generic"]
    assert [n.index for n in net.nodes] == [0, 1, 2]
    relu = net.nodes[2]
    assert "arith.maximumf" in str(relu.operation)


def test_producers_link_to_nodes_graph_input_and_constants(net):
    pad, conv, relu = net.nodes
    assert pad.producers == [GRAPH_INPUT]
    assert conv.producers == [pad.index, None, None]  # padded input, weights, bias init
    assert relu.producers == [conv.index, None]
    assert conv.operand_values[0] == pad.operation.results[0]
    assert net.consumers(pad.index) == [conv.index]
    assert net.consumers(conv.index) == [relu.index]
    assert net.consumers(relu.index) == []
    assert net.returned == {relu.index}


def test_shapes_and_bytes(net):
    pad, conv, relu = net.nodes
    assert pad.result_shape == (1, 4, 18, 18)
    assert pad.result_bytes == 4 * 18 * 18 * 4
    assert conv.result_shape == relu.result_shape == (1, 8, 16, 16)
    assert conv.result_bytes == 8 * 16 * 16 * 4
    assert net.argument_bytes == 4 * 16 * 16 * 4
    assert all(n.fusible and n.reason == "" for n in net.nodes)


def test_conv_row_strip_reads_the_hand_computed_padded_rows(net):
    pad, conv, relu = net.nodes
    assert isinstance(conv.access, LinalgAccess)
    strip = (I(0, 1), I(0, 8), I(4, 8), I(0, 16))
    padded, weights, init = conv.access.input_windows(strip)
    # Output rows 4..7 of a 3x3 stride-1 conv read padded rows 4..9, every
    # column of the 18 and every channel; the weights whole.
    assert padded == (I(0, 1), I(0, 4), I(4, 10), I(0, 18))
    assert weights == full_box((8, 4, 3, 3))
    assert init == strip
    # 1 x 8 x 4 x 16 outputs, 4 x 3 x 3 MACs each.
    assert conv.work(strip) == 8 * 4 * 16 * 4 * 3 * 3
    assert conv.work() == 8 * 16 * 16 * 4 * 3 * 3


def test_pad_maps_padded_rows_back_to_source_rows(net):
    pad = net.nodes[0]
    assert isinstance(pad.access, PadAccess)
    ((window,),) = [pad.access.input_windows((I(0, 1), I(0, 4), I(4, 10), I(0, 18)))]
    assert window == (I(0, 1), I(0, 4), I(3, 9), I(0, 16))
    # The first strip starts in the padding: padded rows 0..5 are source rows 0..4.
    ((window,),) = [pad.access.input_windows((I(0, 1), I(0, 4), I(0, 6), I(0, 18)))]
    assert window == (I(0, 1), I(0, 4), I(0, 5), I(0, 16))
    assert pad.work() == 0


def test_relu_window_is_the_tile(net):
    relu = net.nodes[2]
    strip = (I(0, 1), I(0, 8), I(4, 8), I(0, 16))
    assert relu.access.input_windows(strip) == [strip, strip]
    assert relu.work(strip) == 8 * 4 * 16


def test_strided_dilated_conv_windows():
    graph = build_graph(parse(PAD_CONV_RELU), "strided")
    pad, conv = graph.nodes
    assert conv.producers == [pad.index, GRAPH_INPUT, None]
    # Output rows 2, 3: stride 2, dilation 2, kernel 3 read padded rows
    # 2*2 + {0, 2, 4} .. 2*3 + {0, 2, 4}, i.e. 4..10.
    strip = (I(0, 1), I(0, 3), I(2, 4), I(0, 10))
    padded, weights, _ = conv.access.input_windows(strip)
    # Columns 0..9: up to 2*9 + 4 = 22.
    assert padded == (I(0, 1), I(0, 2), I(4, 11), I(0, 23))
    assert weights == full_box((3, 2, 3, 3))
    # Padded rows 4..10 are source rows 2..8 (low padding 2).
    ((source,),) = [pad.access.input_windows(padded)]
    assert source == (I(0, 1), I(0, 2), I(2, 9), I(0, 20))  # columns 22 -> 20 clipped
    assert graph.argument_bytes == (2 * 20 * 20 + 3 * 2 * 3 * 3) * 4


# build_graph pairs each op with its twin in a generalized copy; the copy
# must stay op-for-op aligned with the original even when the rewrite
# driver could fold or erase something.
DEAD_EMPTY = """
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @f(%x: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %unused = tensor.empty() : tensor<8xf32>
  %e = tensor.empty() : tensor<4x4xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x4xf32>) outs(%e : tensor<4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.negf %in : f32
    linalg.yield %m : f32
  } -> tensor<4x4xf32>
  return %r : tensor<4x4xf32>
}
"""

# linalg.index over a size-1 dimension (batch 1) folds to a constant.
INDEX_OF_UNIT_DIM = """
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @f(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %e = tensor.empty() : tensor<1x4xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<1x4xf32>) outs(%e : tensor<1x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %i = linalg.index 0 : index
    %j = arith.index_cast %i : index to i32
    %k = arith.sitofp %j : i32 to f32
    %m = arith.addf %in, %k : f32
    linalg.yield %m : f32
  } -> tensor<1x4xf32>
  return %r : tensor<1x4xf32>
}
"""


@pytest.mark.parametrize("text", [DEAD_EMPTY, INDEX_OF_UNIT_DIM], ids=["dead-op", "foldable-index"])
def test_graph_of_ir_the_generalization_could_rewrite(text):
    graph = build_graph(parse(text), "f")
    (node,) = graph.nodes
    assert node.name == "linalg.generic"
    assert node.producers == [GRAPH_INPUT, None]
    assert node.fusible
    shape = node.result_shape
    assert node.access.input_windows(full_box(shape)) == [full_box(shape), full_box(shape)]


@pytest.mark.parametrize(
    "name, size", [("f32", 4), ("bf16", 2), ("f16", 2), ("i1", 1), ("i8", 1), ("f8E4M3FN", 1),
                   ("i64", 8), ("index", 8)],
)  # fmt: skip
def test_element_bytes_come_from_the_type_width(name, size):
    with vtile.make_context():
        assert element_bytes(ir.Type.parse(name)) == size


def test_unknown_function_is_refused():
    with pytest.raises(KeyError):
        build_graph(parse(PAD_CONV_RELU), "missing")


@pytest.fixture(scope="module")
def odd():
    return build_graph(parse(UNDERIVABLE), "odd")


@pytest.fixture(scope="module")
def upsample():
    return build_graph(parse(UPSAMPLE), "upsample")


def test_gather_by_tensor_extract_is_not_fusible(upsample):
    up = [n for n in upsample.nodes if "tensor.extract" in str(n.operation)]
    assert len(up) == 1
    assert not up[0].fusible
    assert up[0].access is None
    assert "tensor.extract" in up[0].reason


def test_floordiv_access_is_not_fusible(odd):
    (rows,) = [n for n in odd.nodes if n.result_shape == (1, 2, 8, 4)]
    assert rows.name == "linalg.generic"
    assert not rows.fusible
    assert "floordiv" in rows.reason


@pytest.mark.parametrize("name", ["tensor.expand_shape", "tensor.collapse_shape", "tensor.concat"])
def test_reshapes_and_concat_of_activations_are_nodes_but_not_fusible(odd, name):
    node = node_named(odd, name)
    assert not node.fusible
    assert name in node.reason
    assert node.producers[0] >= 0  # an activation, not a constant


def test_activation_read_by_tensor_extract_counts_as_used(upsample):
    """The upsampling generic reads the relu only inside its body: the relu
    must still be a producer of it, or the relu looks dead after its own
    step (memory_profile frees it before the upsampling runs) and a group
    could end at it while the gather still needs it whole."""
    relu = upsample.nodes[0]
    assert "arith.maximumf" in str(relu.operation)
    (up,) = [n for n in upsample.nodes if "tensor.extract" in str(n.operation)]
    assert up.index in upsample.consumers(relu.index)
    assert relu.index in up.producers


# --- Imported PyTorch models -------------------------------------------------


def import_graph(factory):
    model, x = factory()
    if isinstance(x, tuple):
        (x,) = x
    loaded = load_model(model, vtile.make_context(), [x])
    return loaded, build_graph(loaded.module, loaded.function)


@pytest.fixture(scope="module")
def residual():
    return import_graph(zoo.residual)


def test_residual_nodes_exclude_constants(residual):
    loaded, graph = residual
    names = [n.name for n in graph.nodes]
    assert not set(names) & CONSTANT_OPS
    assert names.count("linalg.conv_2d_nchw_fchw") == 2
    assert names.count("tensor.pad") == 2
    assert set(names) <= {"linalg.conv_2d_nchw_fchw", "tensor.pad", "linalg.generic"}
    # The module does have constants (weights, batch-norm statistics).
    text = str(loaded.module)
    assert "arith.constant dense" in text or "dense_resource" in text
    # Every node has at least one non-constant operand.
    assert all(any(p is not None for p in n.producers) for n in graph.nodes)


def test_residual_links(residual):
    _, graph = residual
    nodes = graph.nodes
    # Program order: producers come first; users are the inverse of producers.
    for node in nodes:
        for producer in node.producers:
            assert producer is None or producer == GRAPH_INPUT or producer < node.index
    for node in nodes:
        for consumer in graph.consumers(node.index):
            assert node.index in nodes[consumer].producers
        for producer in node.producers:
            if producer is not None and producer >= 0:
                assert node.index in graph.consumers(producer)
    # x feeds the first pad and the residual add, nothing else.
    readers = [n for n in nodes if GRAPH_INPUT in n.producers]
    assert readers[0].index == 0 and readers[0].name == "tensor.pad"
    assert len(readers) == 2
    add = readers[1]
    assert add.name == "linalg.generic" and "arith.addf" in str(add.operation)
    (body_end,) = [p for p in add.producers if p is not None and p >= 0]
    assert body_end > node_named_last_conv(graph).index
    # The final relu reads the add and is returned.
    assert graph.returned == {len(nodes) - 1}
    assert nodes[-1].producers[0] == add.index
    assert graph.argument_bytes == 16 * 16 * 16 * 4


def node_named_last_conv(graph):
    return [n for n in graph.nodes if n.name == "linalg.conv_2d_nchw_fchw"][-1]


def test_residual_conv_row_strip(residual):
    _, graph = residual
    convs = [n for n in graph.nodes if n.name == "linalg.conv_2d_nchw_fchw"]
    for conv in convs:
        pad = graph.nodes[conv.producers[0]]
        assert pad.name == "tensor.pad" and pad.result_shape == (1, 16, 18, 18)
        assert conv.result_shape == (1, 16, 16, 16)
        strip = (I(0, 1), I(0, 16), I(4, 8), I(0, 16))
        # 3x3, stride 1, padded by 1: rows [4, 8) read padded rows [4, 10).
        assert conv.access.input_windows(strip)[0] == (I(0, 1), I(0, 16), I(4, 10), I(0, 18))
        assert pad.access.input_windows((I(0, 1), I(0, 16), I(4, 10), I(0, 18))) == [
            (I(0, 1), I(0, 16), I(3, 9), I(0, 16))
        ]


def test_conv_chain_strided_conv_window():
    _, graph = import_graph(zoo.conv_chain)
    convs = [n for n in graph.nodes if n.name == "linalg.conv_2d_nchw_fchw"]
    assert [c.result_shape for c in convs] == [(1, 8, 24, 24), (1, 16, 24, 24), (1, 8, 12, 12)]
    # Third conv: 3x3 stride 2 on 24x24 padded to 26; out rows [3, 6) read
    # padded rows 6 .. 2*5 + 2 = 12; columns 0..11 read 0 .. 2*11 + 2 = 24
    # (the last padded column is never read).
    window = convs[2].access.input_windows((I(0, 1), I(0, 8), I(3, 6), I(0, 12)))[0]
    assert window == (I(0, 1), I(0, 16), I(6, 13), I(0, 25))


def test_pooling_head_reductions_and_reshape_end_fusion():
    _, graph = import_graph(zoo.pooling_head)
    fusible = {n.name for n in graph.nodes if n.fusible}
    assert {"linalg.pooling_nchw_max", "linalg.pooling_nchw_sum", "linalg.matmul"} <= fusible
    (collapse,) = [n for n in graph.nodes if n.name == "tensor.collapse_shape"]
    assert not collapse.fusible and collapse.reason
    # 2x2 max pool, stride 2: out rows [2, 4) read rows [4, 8).
    pool = node_named(graph, "linalg.pooling_nchw_max")
    window = pool.access.input_windows((I(0, 2), I(0, 16), I(2, 4), I(0, 16)))[0]
    assert window == (I(0, 2), I(0, 16), I(4, 8), I(0, 32))


def test_unet_upsampling_and_concat_are_not_fusible():
    _, graph = import_graph(lambda: models.small_unet(size=32))
    gathers = [n for n in graph.nodes if "tensor.extract" in str(n.operation)]
    assert len(gathers) == 2
    assert all(not n.fusible and "tensor.extract" in n.reason for n in gathers)
    concats = [n for n in graph.nodes if n.name == "tensor.concat"]
    assert len(concats) == 2 and not any(n.fusible for n in concats)


def test_unet_has_no_dead_nodes():
    _, graph = import_graph(lambda: models.small_unet(size=32))
    # Every node is used by a later node or returned: nothing is dead in an
    # exported network (the upsampling reads its input by tensor.extract).
    dead = [n.index for n in graph.nodes if n.index not in graph.returned and not graph.consumers(n.index)]
    assert dead == []
