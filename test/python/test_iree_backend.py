"""IREE back ends on hand-written linalg, against numpy."""

import numpy as np
import pytest

from vtile.backends.iree import compile_vmfb, load, scheduled_transient_bytes, vulkan_available
from vtile.backends.targets import CpuTarget, VulkanTarget, make_target
from vtile.errors import VtileError

CONV = """
func.func @main(%x: tensor<1x3x16x16xf32>, %w: tensor<8x3x3x3xf32>) -> tensor<1x8x14x14xf32> {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<1x8x14x14xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<1x8x14x14xf32>) -> tensor<1x8x14x14xf32>
  %y = linalg.conv_2d_nchw_fchw ins(%x, %w : tensor<1x3x16x16xf32>, tensor<8x3x3x3xf32>)
      outs(%init : tensor<1x8x14x14xf32>) -> tensor<1x8x14x14xf32>
  return %y : tensor<1x8x14x14xf32>
}
"""


def conv_reference(x, w):
    out = np.zeros((1, w.shape[0], x.shape[2] - 2, x.shape[3] - 2), np.float64)
    for i in range(3):
        for j in range(3):
            patch = x[0, :, i : i + out.shape[2], j : j + out.shape[3]].astype(np.float64)
            out[0] += np.einsum("chw,fc->fhw", patch, w[:, :, i, j])
    return out


@pytest.fixture
def conv_inputs():
    rng = np.random.default_rng(0)
    return (
        rng.standard_normal((1, 3, 16, 16), dtype=np.float32),
        rng.standard_normal((8, 3, 3, 3), dtype=np.float32),
    )


def run(target, inputs):
    return load(compile_vmfb(CONV, target), target)(*inputs)[0]


def test_llvm_cpu_matches_numpy(conv_inputs):
    result = run(CpuTarget(), conv_inputs)
    np.testing.assert_allclose(result, conv_reference(*conv_inputs), rtol=1e-5, atol=1e-5)


def test_vulkan_spirv_matches_numpy(conv_inputs):
    # scripts/install.sh installs lavapipe (mesa-vulkan-drivers): no skip.
    assert vulkan_available()
    result = run(VulkanTarget(), conv_inputs)
    np.testing.assert_allclose(result, conv_reference(*conv_inputs), rtol=1e-5, atol=1e-5)


def test_cross_compile_for_aarch64_produces_a_module_that_cannot_run_here():
    target = CpuTarget(triple="aarch64-linux-gnu", cpu="cortex-a55")
    vmfb = compile_vmfb(CONV, target)
    assert len(vmfb) > 0
    with pytest.raises(VtileError, match="cannot run on this machine"):
        load(vmfb, target)


def test_unknown_vulkan_target_is_refused_before_iree_crashes():
    with pytest.raises(VtileError, match="unknown Vulkan target 'mali-g9000'"):
        VulkanTarget("mali-g9000")


def test_cross_compile_needs_a_cpu():
    with pytest.raises(VtileError, match="needs an explicit CPU"):
        CpuTarget(triple="aarch64-linux-gnu")


def test_compiler_error_is_one_line():
    with pytest.raises(VtileError, match="iree-compile failed for llvm-cpu: .*error"):
        compile_vmfb("func.func @main() { %0 = arith.constant 1 : i32 }", CpuTarget())


def test_scheduled_transients_hold_the_intermediate_between_two_matmuls():
    # Two matmuls never share a dispatch: the first one's 64x64 f32 result
    # (16 KiB) is a transient, and nothing else that large.
    text = """
    func.func @main(%x: tensor<64x64xf32>) -> tensor<64x64xf32> {
      %zero = arith.constant 0.0 : f32
      %e = tensor.empty() : tensor<64x64xf32>
      %f = linalg.fill ins(%zero : f32) outs(%e : tensor<64x64xf32>) -> tensor<64x64xf32>
      %y = linalg.matmul ins(%x, %x : tensor<64x64xf32>, tensor<64x64xf32>)
          outs(%f : tensor<64x64xf32>) -> tensor<64x64xf32>
      %z = linalg.matmul ins(%y, %x : tensor<64x64xf32>, tensor<64x64xf32>)
          outs(%f : tensor<64x64xf32>) -> tensor<64x64xf32>
      return %z : tensor<64x64xf32>
    }"""
    transient = scheduled_transient_bytes(text, make_target("llvm-cpu"))
    assert 64 * 64 * 4 <= transient < 3 * 64 * 64 * 4
