"""Hand-written linalg-on-tensors test inputs."""

import numpy as np

MATMUL = """
func.func @main(%a: tensor<4x8xf32>, %b: tensor<8x3xf32>) -> tensor<4x3xf32> {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<4x3xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<4x3xf32>) -> tensor<4x3xf32>
  %c = linalg.matmul ins(%a, %b : tensor<4x8xf32>, tensor<8x3xf32>) outs(%init : tensor<4x3xf32>) -> tensor<4x3xf32>
  return %c : tensor<4x3xf32>
}
"""

# A dynamic batch dimension: front ends must refuse it.
DYNAMIC = """
func.func @main(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %y = arith.addf %x, %x : tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}
"""

UPSAMPLE = """
// Nearest 2x upsampling by tensor.extract: %r is read inside the body only.
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @upsample(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x8x8xf32> {
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
  %e8 = tensor.empty() : tensor<1x2x8x8xf32>
  %up = linalg.generic {indexing_maps = [#id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      outs(%e8 : tensor<1x2x8x8xf32>) {
  ^bb0(%out: f32):
    %ch = linalg.index 1 : index
    %h = linalg.index 2 : index
    %w = linalg.index 3 : index
    %h2 = arith.divui %h, %c2 : index
    %w2 = arith.divui %w, %c2 : index
    %v = tensor.extract %r[%c0, %ch, %h2, %w2] : tensor<1x2x4x4xf32>
    linalg.yield %v : f32
  } -> tensor<1x2x8x8xf32>
  return %up : tensor<1x2x8x8xf32>
}
"""

# MLIR 22's one-op elementwise named ops after a matmul: IREE 3.13 cannot
# parse them, so every pipeline rewrites them as linalg.generic first.
NAMED_ELEMENTWISE = """
func.func @main(%a: tensor<4x8xf32>, %b: tensor<8x3xf32>) -> tensor<4x3xf32> {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<4x3xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<4x3xf32>) -> tensor<4x3xf32>
  %m = linalg.matmul ins(%a, %b : tensor<4x8xf32>, tensor<8x3xf32>) outs(%init : tensor<4x3xf32>) -> tensor<4x3xf32>
  %t = linalg.tanh ins(%m : tensor<4x3xf32>) outs(%empty : tensor<4x3xf32>) -> tensor<4x3xf32>
  %p = linalg.mul ins(%t, %m : tensor<4x3xf32>, tensor<4x3xf32>) outs(%empty : tensor<4x3xf32>) -> tensor<4x3xf32>
  %r = linalg.max ins(%p, %init : tensor<4x3xf32>, tensor<4x3xf32>) outs(%empty : tensor<4x3xf32>) -> tensor<4x3xf32>
  %e = linalg.exp ins(%t : tensor<4x3xf32>) outs(%empty : tensor<4x3xf32>) -> tensor<4x3xf32>
  %s = linalg.sub ins(%r, %e : tensor<4x3xf32>, tensor<4x3xf32>) outs(%empty : tensor<4x3xf32>) -> tensor<4x3xf32>
  return %s : tensor<4x3xf32>
}
"""


def named_elementwise_reference(a, b):
    m = a.astype(np.float64) @ b
    t = np.tanh(m)
    return np.maximum(t * m, 0.0) - np.exp(t)

ZERO_SIZED = MATMUL.replace("4x8xf32", "0x8xf32").replace("4x3xf32", "0x3xf32")

# linalg.softmax has no indexing maps: vtile cannot tile it, IREE compiles it.
SOFTMAX = """
func.func @main(%a: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %e = tensor.empty() : tensor<4x8xf32>
  %r = linalg.softmax dimension(1) ins(%a : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %r : tensor<4x8xf32>
}
"""

# Two 3x3 convolutions, 4 channels at 16x16: one-row tiles of the pair need
# more than 5,000 bytes.
TWO_CONVS = """
func.func @main(%x: tensor<1x4x16x16xf32>) -> tensor<1x4x12x12xf32> {
  %zero = arith.constant 0.0 : f32
  %w = arith.constant dense<0.1> : tensor<4x4x3x3xf32>
  %e1 = tensor.empty() : tensor<1x4x14x14xf32>
  %f1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<1x4x14x14xf32>) -> tensor<1x4x14x14xf32>
  %c1 = linalg.conv_2d_nchw_fchw ins(%x, %w : tensor<1x4x16x16xf32>, tensor<4x4x3x3xf32>) outs(%f1 : tensor<1x4x14x14xf32>) -> tensor<1x4x14x14xf32>
  %e2 = tensor.empty() : tensor<1x4x12x12xf32>
  %f2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<1x4x12x12xf32>) -> tensor<1x4x12x12xf32>
  %c2 = linalg.conv_2d_nchw_fchw ins(%c1, %w : tensor<1x4x14x14xf32>, tensor<4x4x3x3xf32>) outs(%f2 : tensor<1x4x12x12xf32>) -> tensor<1x4x12x12xf32>
  return %c2 : tensor<1x4x12x12xf32>
}
"""

# Valid linalg that IREE 3.13 rejects: a stride-3 3x3 convolution of a 5x5
# input ("inferred input/output operand #1 has shape's dimension #0 to be
# 5, but found 3").
IREE_REJECTS = """
func.func @main(%x: tensor<1x1x5x5xf32>) -> tensor<1x1x1x1xf32> {
  %zero = arith.constant 0.0 : f32
  %w = arith.constant dense<1.0> : tensor<1x1x3x3xf32>
  %e = tensor.empty() : tensor<1x1x1x1xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x1x1x1xf32>) -> tensor<1x1x1x1xf32>
  %c = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<3> : vector<2xi64>} ins(%x, %w : tensor<1x1x5x5xf32>, tensor<1x1x3x3xf32>) outs(%f : tensor<1x1x1x1xf32>) -> tensor<1x1x1x1xf32>
  return %c : tensor<1x1x1x1xf32>
}
"""
