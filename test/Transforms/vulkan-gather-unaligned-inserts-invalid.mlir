// vulkan-gather-unaligned-inserts refuses a zero vector width.
// RUN: vtile-opt %s --pass-pipeline="builtin.module(func.func(vulkan-gather-unaligned-inserts{vector-bits=0}))" --verify-diagnostics

// expected-error @+1 {{vector-bits must be positive}}
func.func @zero_bits(%x: tensor<2x6xf32>) -> tensor<2x6xf32> {
  return %x : tensor<2x6xf32>
}
