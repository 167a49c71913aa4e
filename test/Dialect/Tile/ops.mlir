// Round trips of every tile op and attribute: pretty -> pretty, and through
// the generic form.
// RUN: vtile-opt %s --split-input-file | vtile-opt --split-input-file | FileCheck %s
// RUN: vtile-opt %s --split-input-file --mlir-print-op-generic | vtile-opt --split-input-file | FileCheck %s

// CHECK-LABEL: module attributes {tile.target = #tile.target<"cortex-a53", levels = [<"l1", capacity = 32768, bandwidth = 64.0>, <"l2", capacity = 524288, bandwidth = 32.5>, <"dram", capacity = 1073741824, bandwidth = 0.4>]>}
module attributes {tile.target = #tile.target<"cortex-a53", levels = [
    #tile.level<"l1", capacity = 32768, bandwidth = 64.0>,
    #tile.level<"l2", capacity = 524288, bandwidth = 32.5>,
    #tile.level<"dram", capacity = 1073741824, bandwidth = 0.4>]>} {
  // CHECK-LABEL: func.func @conv3x3
  // CHECK-SAME: (%[[IN:.*]]: tensor<1x16x56x56xf32>, %[[K:.*]]: tensor<32x16x3x3xf32>)
  func.func @conv3x3(%in: tensor<1x16x56x56xf32>, %k: tensor<32x16x3x3xf32>) -> tensor<1x32x56x56xf32> {
    // CHECK: %[[ZERO:.*]] = arith.constant
    %zero = arith.constant 0.0 : f32
    // CHECK: %[[OUT:.*]] = tile.loop (%[[N:.*]], %[[C:.*]], %[[H:.*]], %[[W:.*]]) tiles [1, 32, 8, 8] order [0, 2, 3, 1] -> tensor<1x32x56x56xf32> {
    %out = tile.loop (%n, %c, %h, %w) tiles [1, 32, 8, 8] order [0, 2, 3, 1] -> tensor<1x32x56x56xf32> {
      // CHECK-NEXT: %[[WIN:.*]] = tile.load_window %[[IN]][%[[N]], 0, %[[H]], %[[W]]] tile [1, 16, 8, 8] kernel [1, 1, 3, 3] pad_low [0, 0, 1, 1] padding %[[ZERO]] in "l1" : tensor<1x16x56x56xf32> -> tensor<1x16x10x10xf32>
      %win = tile.load_window %in[%n, 0, %h, %w] tile [1, 16, 8, 8] kernel [1, 1, 3, 3] pad_low [0, 0, 1, 1] padding %zero in "l1" : tensor<1x16x56x56xf32> -> tensor<1x16x10x10xf32>
      // CHECK-NEXT: %[[ACC:.*]] = tile.empty in "l1" : tensor<1x32x8x8xf32>
      %acc = tile.empty in "l1" : tensor<1x32x8x8xf32>
      // CHECK-NEXT: %[[T:.*]] = linalg.conv_2d_nchw_fchw ins(%[[WIN]], %[[K]] : {{.*}}) outs(%[[ACC]] : tensor<1x32x8x8xf32>)
      %t = linalg.conv_2d_nchw_fchw ins(%win, %k : tensor<1x16x10x10xf32>, tensor<32x16x3x3xf32>) outs(%acc : tensor<1x32x8x8xf32>) -> tensor<1x32x8x8xf32>
      // CHECK-NEXT: tile.store %[[T]] : tensor<1x32x8x8xf32>
      tile.store %t : tensor<1x32x8x8xf32>
    }
    // CHECK: return %[[OUT]]
    return %out : tensor<1x32x56x56xf32>
  }
}

// -----

// Stride, dilation and extra attributes print; the identity order is omitted
// when not given.
// CHECK-LABEL: func.func @strided_dilated
func.func @strided_dilated(%in: tensor<2x33x33xi8>, %pad: i8) -> tensor<2x16x16xi8> {
  // CHECK: tile.loop (%{{.*}}, %{{.*}}, %{{.*}}) tiles [1, 4, 8] -> tensor<2x16x16xi8> attributes {note = "kept"} {
  %out = tile.loop (%b, %h, %w) tiles [1, 4, 8] -> tensor<2x16x16xi8> attributes {note = "kept"} {
    // CHECK: tile.load_window %{{.*}}[%{{.*}}, %{{.*}}, 3] tile [1, 4, 8] kernel [1, 3, 3] stride [1, 2, 2] dilation [1, 2, 1] padding %{{.*}} in "regs" : tensor<2x33x33xi8> -> tensor<1x11x17xi8>
    %win = tile.load_window %in[%b, %h, 3] tile [1, 4, 8] kernel [1, 3, 3] stride [1, 2, 2] dilation [1, 2, 1] padding %pad in "regs" : tensor<2x33x33xi8> -> tensor<1x11x17xi8>
    %t = tile.empty in "regs" : tensor<1x4x8xi8>
    tile.store %t : tensor<1x4x8xi8>
  }
  return %out : tensor<2x16x16xi8>
}

// -----

// A target attribute anywhere up the parent chain scopes the levels; a
// function-level target works as well as a module-level one.
// CHECK-LABEL: func.func @function_target
// CHECK-SAME: attributes {tile.target = #tile.target<"m7", levels = [<"sram", capacity = 4096, bandwidth = 1.5>, <"flash", capacity = 8192, bandwidth = 1.0e-05>]>}
func.func @function_target() -> tensor<4xf32> attributes {tile.target = #tile.target<"m7", levels = [#tile.level<"sram", capacity = 4096, bandwidth = 1.5>, #tile.level<"flash", capacity = 8192, bandwidth = 0.00001>]>} {
  %out = tile.loop (%i) tiles [4] -> tensor<4xf32> {
    %t = tile.empty in "sram" : tensor<4xf32>
    tile.store %t : tensor<4xf32>
  }
  return %out : tensor<4xf32>
}
