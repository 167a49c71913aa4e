// tile-report-footprint: remarks per tile loop, and an error without a target.
// RUN: vtile-opt %s --split-input-file --tile-report-footprint --verify-diagnostics | FileCheck %s

module attributes {tile.target = #tile.target<"cortex-a53", levels = [#tile.level<"l1", capacity = 32768, bandwidth = 64.0>, #tile.level<"l2", capacity = 524288, bandwidth = 32.0>]>} {
  // CHECK-LABEL: func.func @conv3x3
  func.func @conv3x3(%in: tensor<1x16x56x56xf32>, %k: tensor<32x16x3x3xf32>) -> tensor<1x32x56x56xf32> {
    %zero = arith.constant 0.0 : f32
    // 1x16x10x10 f32 window = 6400 B plus a 1x32x8x8 f32 accumulator = 8192 B
    // in l1; a 1x32x8x8 f16 copy = 4096 B in l2.
    // expected-remark @+1 {{49 tiles of [1, 32, 8, 8]; per tile: "l1" 14592 of 32768 bytes (44.5%) "l2" 4096 of 524288 bytes (0.8%)}}
    %out = tile.loop (%n, %c, %h, %w) tiles [1, 32, 8, 8] -> tensor<1x32x56x56xf32> {
      %win = tile.load_window %in[%n, 0, %h, %w] tile [1, 16, 8, 8] kernel [1, 1, 3, 3] pad_low [0, 0, 1, 1] padding %zero in "l1" : tensor<1x16x56x56xf32> -> tensor<1x16x10x10xf32>
      %acc = tile.empty in "l1" : tensor<1x32x8x8xf32>
      %half = tile.empty in "l2" : tensor<1x32x8x8xf16>
      %t = linalg.conv_2d_nchw_fchw ins(%win, %k : tensor<1x16x10x10xf32>, tensor<32x16x3x3xf32>) outs(%acc : tensor<1x32x8x8xf32>) -> tensor<1x32x8x8xf32>
      tile.store %t : tensor<1x32x8x8xf32>
    }
    // The pass only reports: the IR is unchanged.
    // CHECK: tile.loop
    // CHECK: tile.load_window
    // CHECK: tile.store
    return %out : tensor<1x32x56x56xf32>
  }

  // CHECK-LABEL: func.func @nothing_placed
  func.func @nothing_placed(%x: tensor<4xf32>) -> tensor<8xf32> {
    // expected-remark @+1 {{2 tiles of [4]; per tile: no placed buffers}}
    %out = tile.loop (%i) tiles [4] -> tensor<8xf32> {
      tile.store %x : tensor<4xf32>
    }
    return %out : tensor<8xf32>
  }
}

// -----

func.func @no_target() -> tensor<8xf32> {
  // expected-error @+1 {{no #tile.target in scope; attach one as 'tile.target' to an enclosing op}}
  %out = tile.loop (%i) tiles [4] -> tensor<8xf32> {
    %t = tile.empty in "l1" : tensor<4xf32>
    tile.store %t : tensor<4xf32>
  }
  return %out : tensor<8xf32>
}

