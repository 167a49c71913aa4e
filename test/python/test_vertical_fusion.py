"""The 'vertical-fusion' pipeline end to end: fused models compute what
PyTorch eager (and the unfused module) compute, on llvm-cpu and
vulkan-spirv, and the fused IR never builds a fused group's intermediates
whole. fp32 at rtol 1e-5 with an absolute floor of 1e-5, as in
test_end_to_end."""

import re

import numpy as np
import pytest
import torch
import zoo

import vtile
from vtile import models
from vtile.backends.iree import vulkan_available
from vtile.compiler import compile_model, planner_for
from vtile.pipeline import PipelineOptions
from vtile.planner.plan import plan_module
from vtile.planner.search import PATCHES, TILE_LOOPS, PlannerOptions

RTOL, ATOL = 1e-5, 1e-5
FUSION = "vertical-fusion"

# Small inputs keep compile times down; every benchmark model is covered.
BENCHMARK_ARGS = {"mobilenet_v2_stage1": {"size": 64}, "small_unet": {"size": 32}}
FACTORIES = {f"zoo.{name}": factory for name, factory in zoo.MODELS.items()}
FACTORIES.update(
    {name: (lambda f=factory, n=name: f(**BENCHMARK_ARGS.get(n, {})))
     for name, factory in models.BENCHMARK_MODELS.items()}
)  # fmt: skip

# Models the planner does fuse: their fused IR must show strips.
FUSED = ["zoo.conv_chain", "zoo.depthwise_separable", "zoo.residual", "mobilenet_v2_stage1",
         "resnet8"]  # fmt: skip


def by_model(names):
    """The model names as parameters that pytest-xdist keeps on one worker,
    where `fused_on_cpu` exports and compiles each model once."""
    return [pytest.param(name, marks=pytest.mark.xdist_group(name)) for name in names]


def model_and_input(name):
    model, x = FACTORIES[name]()
    if isinstance(x, tuple):
        (x,) = x
    return model, x


def torch_reference(model, x):
    with torch.no_grad():
        return model(x).numpy()


@pytest.fixture(scope="module")
def options(tmp_path_factory):
    """Failing stages write reproducers here, not into the checkout."""
    return PipelineOptions(reproducer_dir=tmp_path_factory.mktemp("reproducers"))


_COMPILED = {}


def fused_on_cpu(name, options):
    """vtile.compile with the fusion pipeline on llvm-cpu, once per model;
    the other targets and pipelines reuse its imported model."""
    if name not in _COMPILED:
        model, x = model_and_input(name)
        compiled = vtile.compile(model, "llvm-cpu", FUSION, example_inputs=[x], options=options)
        _COMPILED[name] = (model, x, compiled)
    return _COMPILED[name]


@pytest.mark.parametrize("name", by_model(FACTORIES))
def test_fused_model_matches_pytorch_on_llvm_cpu(name, options):
    model, x, compiled = fused_on_cpu(name, options)
    assert compiled.pipeline == FUSION
    assert "plan-fusion" in [t.name for t in compiled.report.timings]
    (result,) = compiled(x.numpy())
    expected = torch_reference(model, x)
    assert result.shape == expected.shape
    np.testing.assert_allclose(result, expected, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("name", by_model(FUSED))
def test_fused_models_are_computed_in_strips(name, options):
    _, _, compiled = fused_on_cpu(name, options)
    assert "tensor.insert_slice" in compiled.mlir
    assert "dataflow." not in compiled.mlir  # every plan was carried out and dropped


@pytest.mark.parametrize("name", by_model(FACTORIES))
def test_fused_model_matches_pytorch_on_vulkan_spirv(name, options):
    if not vulkan_available():
        pytest.skip("no Vulkan device")
    model, x, cpu = fused_on_cpu(name, options)
    compiled = compile_model(cpu.model, "vulkan-spirv", FUSION, options)
    (result,) = compiled(x.numpy())
    np.testing.assert_allclose(result, torch_reference(model, x), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize(
    "name", by_model(["zoo.conv_chain", "zoo.residual", "zoo.pooling_head", "small_unet",
                      "resnet8"])
)
def test_fused_module_computes_what_the_unfused_one_does(name, options):
    _, x, fused = fused_on_cpu(name, options)
    unfused = compile_model(fused.model, "llvm-cpu", "none", options)
    assert "tensor.insert_slice" not in unfused.mlir
    (a,) = fused(x.numpy())
    (b,) = unfused(x.numpy())
    np.testing.assert_allclose(a, b, rtol=RTOL, atol=ATOL)


def conv_output_types(model, x):
    """`tensor<...xf32>` of every Conv2d output, from a PyTorch run."""
    shapes = []
    hooks = [
        m.register_forward_hook(lambda _m, _i, out: shapes.append(tuple(out.shape)))
        for m in model.modules()
        if isinstance(m, torch.nn.Conv2d)
    ]
    with torch.no_grad():
        model(x)
    for hook in hooks:
        hook.remove()
    return ["tensor<" + "x".join(map(str, s)) + "xf32>" for s in shapes]


CONV_RESULT = re.compile(r"linalg\.conv_2d_nchw_fchw\b[^\n]*->\s*(tensor<[^>]*>)")


def test_fused_conv_chain_never_builds_its_intermediates_whole(options):
    model, x, fused = fused_on_cpu("zoo.conv_chain", options)
    first, second, last = conv_output_types(model, x)
    assert (first, second) == ("tensor<1x8x24x24xf32>", "tensor<1x16x24x24xf32>")
    unfused = compile_model(fused.model, "llvm-cpu", "none", options).mlir
    # Not vacuous: the unfused module does compute them whole.
    assert {first, second, last} <= set(CONV_RESULT.findall(unfused))
    results = CONV_RESULT.findall(fused.mlir)
    assert len(results) > 3  # one copy per strip
    assert first not in results and second not in results
    # Nothing else produces them whole either: the types do not occur at all.
    assert first not in fused.mlir and second not in fused.mlir
    # The output is assembled strip by strip into a whole `last`.
    inserts = re.findall(r"tensor\.insert_slice [^\n]* into (tensor<[^>]*>)", fused.mlir)
    assert inserts and set(inserts) == {last}


CHAIN = """
func.func @chain(%x: tensor<1x4x16x16xf32>, %w1: tensor<8x4x3x3xf32>, %w2: tensor<8x8x3x3xf32>) -> tensor<1x8x{out}x{out}xf32> {{
  %zero = arith.constant 0.0 : f32
  %p1 = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {{
  ^bb0(%a: index, %b: index, %c: index, %d: index):
    tensor.yield %zero : f32
  }} : tensor<1x4x16x16xf32> to tensor<1x4x18x18xf32>
  %e = tensor.empty() : tensor<1x8x16x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x8x16x16xf32>) -> tensor<1x8x16x16xf32>
  %c1 = linalg.conv_2d_nchw_fchw {{dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}}
      ins(%p1, %w1 : tensor<1x4x18x18xf32>, tensor<8x4x3x3xf32>) outs(%f : tensor<1x8x16x16xf32>) -> tensor<1x8x16x16xf32>
  %r = linalg.generic {{indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}}
      ins(%c1 : tensor<1x8x16x16xf32>) outs(%e : tensor<1x8x16x16xf32>) {{
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  }} -> tensor<1x8x16x16xf32>
  %p2 = tensor.pad %r low[0, 0, 1, 1] high[0, 0, 1, 1] {{
  ^bb0(%a: index, %b: index, %c: index, %d: index):
    tensor.yield %zero : f32
  }} : tensor<1x8x16x16xf32> to tensor<1x8x18x18xf32>
  %e2 = tensor.empty() : tensor<1x8x{out}x{out}xf32>
  %f2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<1x8x{out}x{out}xf32>) -> tensor<1x8x{out}x{out}xf32>
  %c2 = linalg.conv_2d_nchw_fchw {{dilations = dense<1> : vector<2xi64>, strides = dense<{stride}> : vector<2xi64>}}
      ins(%p2, %w2 : tensor<1x8x18x18xf32>, tensor<8x8x3x3xf32>) outs(%f2 : tensor<1x8x{out}x{out}xf32>) -> tensor<1x8x{out}x{out}xf32>
  return %c2 : tensor<1x8x{out}x{out}xf32>
}}
"""


def numpy_conv2d(x, w, stride, padding):
    """NCHW x FCHW cross-correlation, float64, by explicit sums."""
    x = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (padding,) * 2, (padding,) * 2))
    n, c, h, wd = x.shape
    f, _, kh, kw = w.shape
    oh, ow = (h - kh) // stride + 1, (wd - kw) // stride + 1
    out = np.zeros((n, f, oh, ow))
    for i in range(kh):
        for j in range(kw):
            patch = x[:, :, i : i + stride * (oh - 1) + 1 : stride, j : j + stride * (ow - 1) + 1 : stride]
            out += np.einsum("nchw,fc->nfhw", patch, w[:, :, i, j].astype(np.float64))
    return out


def conv_chain_reference(x, w1, w2, stride):
    hidden = np.maximum(numpy_conv2d(x, w1, 1, 1), 0.0)
    expected = numpy_conv2d(hidden, w2, stride, 1)
    # And the same from PyTorch, which shares no code with the einsum.
    t = torch.nn.functional
    reference = t.conv2d(t.relu(t.conv2d(torch.from_numpy(x), torch.from_numpy(w1), padding=1)),
                         torch.from_numpy(w2), stride=stride, padding=1).numpy()  # fmt: skip
    np.testing.assert_allclose(expected, reference, rtol=1e-4, atol=1e-4)
    return expected


def dense(array):
    """An MLIR dense literal holding `array` (float32) exactly."""
    return "dense<" + repr(array.astype(np.float64).tolist()) + ">"


def constant_weight_chain(stride, w1, w2):
    """CHAIN with the weights as constants: only x is an argument."""
    out = (18 - 3) // stride + 1
    text = CHAIN.format(stride=stride, out=out)
    text = text.replace(
        "%x: tensor<1x4x16x16xf32>, %w1: tensor<8x4x3x3xf32>, %w2: tensor<8x8x3x3xf32>",
        "%x: tensor<1x4x16x16xf32>",
    ).replace(
        "%zero = arith.constant 0.0 : f32",
        "%zero = arith.constant 0.0 : f32\n"
        f"  %w1 = arith.constant {dense(w1)} : tensor<8x4x3x3xf32>\n"
        f"  %w2 = arith.constant {dense(w2)} : tensor<8x8x3x3xf32>",
    )
    return text, out


@pytest.mark.parametrize("stride", [1, 2])
def test_mlir_file_chain_with_constant_weights_matches_numpy(tmp_path, options, stride):
    rng = np.random.default_rng(stride)
    # Scaled by fan-in, as trained layers are: unit-variance weights make
    # outputs near 50 whose float32 sums differ by more than ATOL with the
    # order of summation alone.
    w1 = (rng.standard_normal((8, 4, 3, 3)) / 6).astype(np.float32)
    w2 = (rng.standard_normal((8, 8, 3, 3)) / np.sqrt(72)).astype(np.float32)
    text, out = constant_weight_chain(stride, w1, w2)
    path = tmp_path / "chain.mlir"
    path.write_text(text)
    compiled = vtile.compile(path, "llvm-cpu", FUSION, options=options)
    # The chain was fused: in strips, or as one dispatch.
    assert "tensor.insert_slice" in compiled.mlir or '"flow.dispatch.region"' in compiled.mlir
    (x,) = compiled.model.sample_inputs
    x = rng.standard_normal(x.shape).astype(np.float32)
    (result,) = compiled(x)
    expected = conv_chain_reference(x, w1, w2, stride)
    assert result.shape == expected.shape == (1, 8, out, out)
    np.testing.assert_allclose(result, expected, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("stride", [1, 2])
def test_mlir_file_chain_with_weight_arguments_matches_numpy(tmp_path, options, stride):
    out = (18 - 3) // stride + 1
    path = tmp_path / "chain.mlir"
    path.write_text(CHAIN.format(stride=stride, out=out))
    compiled = vtile.compile(path, "llvm-cpu", FUSION, options=options)
    x, w1, w2 = compiled.model.sample_inputs
    assert (x.shape, w1.shape, w2.shape) == ((1, 4, 16, 16), (8, 4, 3, 3), (8, 8, 3, 3))
    (result,) = compiled(x, w1, w2)
    expected = conv_chain_reference(x, w1, w2, stride)
    assert result.shape == expected.shape == (1, 8, out, out)
    np.testing.assert_allclose(result, expected, rtol=RTOL, atol=ATOL)


def test_mlir_file_chain_with_weight_arguments_is_fused_in_row_strips(tmp_path, options):
    """Weights passed as arguments are no reason to strip output channels:
    4-row strips of this chain (1.13x recompute) take the peak from 26,112
    to 22,272 bytes, so the default plan fuses it."""
    path = tmp_path / "chain.mlir"
    path.write_text(CHAIN.format(stride=1, out=16))
    compiled = vtile.compile(path, "llvm-cpu", FUSION, options=options,
                             planner=PlannerOptions(lowering=TILE_LOOPS))
    assert "tensor.insert_slice" in compiled.mlir


def test_plan_without_recompute_compiles_and_matches(options):
    """max_recompute=1.0 leaves only groups that recompute nothing; for
    conv_chain those end at a tensor.pad, which must still compile."""
    model, x = model_and_input("zoo.conv_chain")
    compiled = vtile.compile(model, "llvm-cpu", FUSION, example_inputs=[x], options=options,
                             planner=PlannerOptions(max_recompute=1.0))  # fmt: skip
    (result,) = compiled(x.numpy())
    np.testing.assert_allclose(result, torch_reference(model, x), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("name", ["zoo.conv_chain", "resnet8"])
def test_patch_plans_compile_and_match(name, options):
    """`tiles=patches`: groups cut into n x n patches of rows and columns,
    same numbers as PyTorch."""
    model, x = model_and_input(name)
    planner = PlannerOptions(tiles=PATCHES, lowering=TILE_LOOPS)
    compiled = vtile.compile(model, "llvm-cpu", FUSION, example_inputs=[x], options=options,
                             planner=planner)
    (plan,) = plan_module(compiled.model.module, planner_for(compiled.target, planner))
    shapes = [(g.tile, plan.graph.nodes[g.root].result_shape) for g in plan.plan.groups]
    assert any(sum(t < s for t, s in zip(tile, shape, strict=True)) == 2 for tile, shape in shapes)
    (result,) = compiled(x.numpy())
    np.testing.assert_allclose(result, torch_reference(model, x), rtol=RTOL, atol=ATOL)
