"""Vertical fusion end to end: fused modules match PyTorch on every test
model, the planner's decisions, and windows against brute force."""

import numpy as np
import pytest
import torch
import zoo
from hypothesis import given, settings
from hypothesis import strategies as st

import vtile
from vtile.analysis.graph import build_graph
from vtile.analysis.windows import Interval, LinalgAccess, LinearExpr, PadAccess
from vtile.backends.iree import vulkan_available
from vtile.frontends.model import load_model
from vtile.models import BENCHMARK_MODELS
from vtile.planner.search import PlannerOptions, plan_fusion

RTOL, ATOL = 1e-5, 1e-5

SMALL = {
    **{name: factory for name, factory in zoo.MODELS.items()},
    "mobilenet_v2_stage1": lambda: BENCHMARK_MODELS["mobilenet_v2_stage1"](size=64),
    "ds_cnn_kws": BENCHMARK_MODELS["ds_cnn_kws"],
    "resnet8": BENCHMARK_MODELS["resnet8"],
    "small_unet": lambda: BENCHMARK_MODELS["small_unet"](size=32),
}


def _inputs(x):
    return list(x) if isinstance(x, tuple) else [x]


def _reference(model, inputs):
    with torch.no_grad():
        return model(*inputs).numpy()


@pytest.mark.parametrize("name", SMALL)
def test_fused_model_matches_pytorch_on_llvm_cpu(name):
    model, x = SMALL[name]()
    inputs = _inputs(x)
    compiled = vtile.compile(model, "llvm-cpu", "vertical-fusion", example_inputs=inputs)
    (result,) = compiled(*[t.numpy() for t in inputs])
    np.testing.assert_allclose(result, _reference(model, inputs), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("name", ["conv_chain", "residual", "mobilenet_v2_stage1"])
def test_fused_model_matches_pytorch_on_vulkan_spirv(name):
    if not vulkan_available():
        pytest.skip("no Vulkan device")
    model, x = SMALL[name]()
    inputs = _inputs(x)
    compiled = vtile.compile(model, "vulkan-spirv", "vertical-fusion", example_inputs=inputs)
    (result,) = compiled(*[t.numpy() for t in inputs])
    np.testing.assert_allclose(result, _reference(model, inputs), rtol=RTOL, atol=ATOL)


def test_fused_conv_chain_never_computes_a_whole_intermediate():
    model, x = zoo.conv_chain()
    compiled = vtile.compile(model, "llvm-cpu", "vertical-fusion", example_inputs=[x])
    with torch.no_grad():
        whole = {f"-> tensor<{'x'.join(map(str, model[:end](x).shape))}xf32>" for end in (1, 3)}
    convs = [line for line in compiled.mlir.splitlines() if "linalg.conv_2d" in line]
    assert len(convs) > 3  # one copy per strip
    assert not any(shape in line for line in convs for shape in whole)
    assert "tensor.insert_slice" in compiled.mlir


def _graph(name):
    model, x = (SMALL | {"batch1_mlp": BENCHMARK_MODELS["mlp"]})[name]()
    loaded = load_model(model, vtile.make_context(), _inputs(x))
    return build_graph(loaded.module, loaded.function)


def test_planner_cuts_the_peak_within_the_recompute_cap_deterministically():
    graph = _graph("mobilenet_v2_stage1")
    plan = plan_fusion(graph, PlannerOptions(max_recompute=1.3))
    assert plan.profile.peak_bytes < plan.unfused.peak_bytes / 3
    assert all(1.0 <= group.recompute <= 1.3 for group in plan.groups)
    assert plan == plan_fusion(graph, PlannerOptions(max_recompute=1.3))


def test_planner_leaves_an_mlp_alone_and_names_the_smallest_peak_for_a_tiny_budget():
    # Batch 1: no dimension of a linear layer's output shrinks its input window.
    graph = _graph("batch1_mlp")
    assert plan_fusion(graph, PlannerOptions()).groups == ()
    with pytest.raises(vtile.VtileError, match="smallest peak found is [0-9,]+ bytes"):
        plan_fusion(graph, PlannerOptions(memory_budget=16))


def test_planner_keeps_late_layers_layer_by_layer():
    graph = _graph("resnet8")
    plan = plan_fusion(graph, PlannerOptions())
    fused = {index for group in plan.groups for index in group.nodes}
    late = [n.index for n in graph.nodes if len(n.result_shape) == 4 and n.result_shape[2] == 8]
    assert late and not set(late) <= fused


@settings(max_examples=150, deadline=None)
@given(
    size=st.integers(4, 20), stride=st.integers(1, 3), dilation=st.integers(1, 3),
    kernel=st.integers(1, 5), pad=st.integers(0, 2), data=st.data(),
)  # fmt: skip
def test_conv_window_equals_brute_force_dependence(size, stride, dilation, kernel, pad, data):
    padded = size + 2 * pad
    out = (padded - (kernel - 1) * dilation - 1) // stride + 1
    if out < 1:
        return
    lo = data.draw(st.integers(0, out - 1))
    hi = data.draw(st.integers(lo + 1, out))
    # out[i] += in_padded[stride * i + dilation * k]: loops (i, k).
    conv = LinalgAccess(
        loop_ranges=(out, kernel), result_loops=(0,),
        inputs=((LinearExpr(((0, stride), (1, dilation)), 0),),),
    )  # fmt: skip
    (padded_window,) = conv.input_windows((Interval(lo, hi),))
    (window,) = PadAccess((pad,), (size,)).input_windows(padded_window)
    # Brute force: every padded position the tile touches, as a box (what a
    # slice can load), clipped to the tensor; every real read lies inside.
    touched = {stride * i + dilation * k - pad for i in range(lo, hi) for k in range(kernel)}
    first, last = max(min(touched), 0), min(max(touched) + 1, size)
    assert window[0].size == max(0, last - first)
    if last > first:
        assert window[0] == Interval(first, last)
    assert all(window[0].lo <= r < window[0].hi for r in touched if 0 <= r < size)
