// tile-lower-loops: tile.loop unrolled into one body copy per tile in loop order, tile.empty and tile.load_window lowered to tensor ops, and the error for a window at a non-constant offset.
// RUN: vtile-opt %s --split-input-file --tile-lower-loops --verify-diagnostics | FileCheck %s --implicit-check-not=tile.

// Identity order: the last dimension varies fastest, so the channel tiles
// (dim 1) are outer and the row tiles (dim 2) inner. Each copy of the body
// reads the tile offsets as constants.
// CHECK-LABEL: func.func @identity_order
// CHECK-SAME: (%[[X:[^:]+]]: tensor<1x8x8x8xf32>)
func.func @identity_order(%x: tensor<1x8x8x8xf32>) -> tensor<1x8x8x8xf32> {
  // CHECK: %[[OUT:.+]] = tensor.empty() : tensor<1x8x8x8xf32>
  // CHECK-NEXT: %[[N0:.+]] = arith.constant 0 : index
  // CHECK-NEXT: %[[C0:.+]] = arith.constant 0 : index
  // CHECK-NEXT: %[[H0:.+]] = arith.constant 0 : index
  // CHECK-NEXT: %[[W0:.+]] = arith.constant 0 : index
  // CHECK-NEXT: %[[T0:.+]] = tensor.extract_slice %[[X]][%[[N0]], %[[C0]], %[[H0]], %[[W0]]] [1, 4, 4, 8] [1, 1, 1, 1]
  // CHECK-NEXT: %[[E0:.+]] = tensor.empty() : tensor<1x4x4x8xf32>
  // CHECK-NEXT: %[[R0:.+]] = linalg.exp ins(%[[T0]] : tensor<1x4x4x8xf32>) outs(%[[E0]] : tensor<1x4x4x8xf32>)
  // CHECK-NEXT: %[[I0:.+]] = tensor.insert_slice %[[R0]] into %[[OUT]][0, 0, 0, 0] [1, 4, 4, 8] [1, 1, 1, 1]
  // CHECK-NEXT: %[[N1:.+]] = arith.constant 0 : index
  // CHECK-NEXT: %[[C1:.+]] = arith.constant 0 : index
  // CHECK-NEXT: %[[H1:.+]] = arith.constant 4 : index
  // CHECK-NEXT: %[[W1:.+]] = arith.constant 0 : index
  // CHECK-NEXT: %[[T1:.+]] = tensor.extract_slice %[[X]][%[[N1]], %[[C1]], %[[H1]], %[[W1]]] [1, 4, 4, 8] [1, 1, 1, 1]
  // CHECK-NEXT: %[[E1:.+]] = tensor.empty() : tensor<1x4x4x8xf32>
  // CHECK-NEXT: %[[R1:.+]] = linalg.exp ins(%[[T1]] : tensor<1x4x4x8xf32>) outs(%[[E1]] : tensor<1x4x4x8xf32>)
  // CHECK-NEXT: %[[I1:.+]] = tensor.insert_slice %[[R1]] into %[[I0]][0, 0, 4, 0] [1, 4, 4, 8] [1, 1, 1, 1]
  // CHECK: %[[I2:.+]] = tensor.insert_slice %{{.+}} into %[[I1]][0, 4, 0, 0] [1, 4, 4, 8] [1, 1, 1, 1]
  // CHECK: %[[I3:.+]] = tensor.insert_slice %{{.+}} into %[[I2]][0, 4, 4, 0] [1, 4, 4, 8] [1, 1, 1, 1]
  // CHECK-NEXT: return %[[I3]] : tensor<1x8x8x8xf32>
  %out = tile.loop (%n, %c, %h, %w) tiles [1, 4, 4, 8] -> tensor<1x8x8x8xf32> {
    %t = tensor.extract_slice %x[%n, %c, %h, %w] [1, 4, 4, 8] [1, 1, 1, 1] : tensor<1x8x8x8xf32> to tensor<1x4x4x8xf32>
    %e = tile.empty in "l1" : tensor<1x4x4x8xf32>
    %r = linalg.exp ins(%t : tensor<1x4x4x8xf32>) outs(%e : tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32>
    tile.store %r : tensor<1x4x4x8xf32>
  }
  return %out : tensor<1x8x8x8xf32>
}

// -----

// order [0, 2, 1, 3]: rows outer, channels inner.
// CHECK-LABEL: func.func @permuted_order
// CHECK-SAME: (%[[X:[^:]+]]: tensor<1x8x8x8xf32>)
func.func @permuted_order(%x: tensor<1x8x8x8xf32>) -> tensor<1x8x8x8xf32> {
  // CHECK: %[[OUT:.+]] = tensor.empty() : tensor<1x8x8x8xf32>
  // CHECK: %[[I0:.+]] = tensor.insert_slice %{{.+}} into %[[OUT]][0, 0, 0, 0] [1, 4, 4, 8] [1, 1, 1, 1]
  // CHECK-NEXT: %[[N1:.+]] = arith.constant 0 : index
  // CHECK-NEXT: %[[C1:.+]] = arith.constant 4 : index
  // CHECK-NEXT: %[[H1:.+]] = arith.constant 0 : index
  // CHECK-NEXT: %[[W1:.+]] = arith.constant 0 : index
  // CHECK-NEXT: %[[T1:.+]] = tensor.extract_slice %[[X]][%[[N1]], %[[C1]], %[[H1]], %[[W1]]] [1, 4, 4, 8] [1, 1, 1, 1]
  // CHECK: %[[I1:.+]] = tensor.insert_slice %{{.+}} into %[[I0]][0, 4, 0, 0] [1, 4, 4, 8] [1, 1, 1, 1]
  // CHECK: %[[I2:.+]] = tensor.insert_slice %{{.+}} into %[[I1]][0, 0, 4, 0] [1, 4, 4, 8] [1, 1, 1, 1]
  // CHECK: %[[I3:.+]] = tensor.insert_slice %{{.+}} into %[[I2]][0, 4, 4, 0] [1, 4, 4, 8] [1, 1, 1, 1]
  // CHECK-NEXT: return %[[I3]] : tensor<1x8x8x8xf32>
  %out = tile.loop (%n, %c, %h, %w) tiles [1, 4, 4, 8] order [0, 2, 1, 3] -> tensor<1x8x8x8xf32> {
    %t = tensor.extract_slice %x[%n, %c, %h, %w] [1, 4, 4, 8] [1, 1, 1, 1] : tensor<1x8x8x8xf32> to tensor<1x4x4x8xf32>
    %e = tile.empty in "l1" : tensor<1x4x4x8xf32>
    %r = linalg.exp ins(%t : tensor<1x4x4x8xf32>) outs(%e : tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32>
    tile.store %r : tensor<1x4x4x8xf32>
  }
  return %out : tensor<1x8x8x8xf32>
}

// -----

// A 3x3 conv in 4 row tiles: window rows [h - 1, h + 5) of a 16-row input.
// The first window is cut at the top (5 rows, low pad 1), the interior ones
// are whole (6 rows, no row padding), the last is cut at the bottom (5
// rows, high pad 1); every window pads the columns by 1 on both sides.
// CHECK-LABEL: func.func @windows
// CHECK-SAME: (%[[X:[^:]+]]: tensor<1x4x16x16xf32>, %[[K:[^:]+]]: tensor<8x4x3x3xf32>)
func.func @windows(%x: tensor<1x4x16x16xf32>, %k: tensor<8x4x3x3xf32>) -> tensor<1x8x16x16xf32> {
  // CHECK: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
  // CHECK: %[[OUT:.+]] = tensor.empty() : tensor<1x8x16x16xf32>
  // CHECK: %[[S0:.+]] = tensor.extract_slice %[[X]][0, 0, 0, 0] [1, 4, 5, 16] [1, 1, 1, 1] : tensor<1x4x16x16xf32> to tensor<1x4x5x16xf32>
  // CHECK-NEXT: %[[P0:.+]] = tensor.pad %[[S0]] low[0, 0, 1, 1] high[0, 0, 0, 1]
  // CHECK-NEXT: ^bb0
  // CHECK-NEXT: tensor.yield %[[ZERO]] : f32
  // CHECK-NEXT: } : tensor<1x4x5x16xf32> to tensor<1x4x6x18xf32>
  // CHECK-NEXT: %[[A0:.+]] = tensor.empty() : tensor<1x8x4x16xf32>
  // CHECK-NEXT: %[[C0:.+]] = linalg.conv_2d_nchw_fchw ins(%[[P0]], %[[K]] : tensor<1x4x6x18xf32>, tensor<8x4x3x3xf32>) outs(%[[A0]] : tensor<1x8x4x16xf32>)
  // CHECK-NEXT: %[[I0:.+]] = tensor.insert_slice %[[C0]] into %[[OUT]][0, 0, 0, 0] [1, 8, 4, 16]
  // CHECK: %[[S1:.+]] = tensor.extract_slice %[[X]][0, 0, 3, 0] [1, 4, 6, 16] [1, 1, 1, 1] : tensor<1x4x16x16xf32> to tensor<1x4x6x16xf32>
  // CHECK-NEXT: %[[P1:.+]] = tensor.pad %[[S1]] low[0, 0, 0, 1] high[0, 0, 0, 1]
  // CHECK: %[[I1:.+]] = tensor.insert_slice %{{.+}} into %[[I0]][0, 0, 4, 0] [1, 8, 4, 16]
  // CHECK: %[[S2:.+]] = tensor.extract_slice %[[X]][0, 0, 7, 0] [1, 4, 6, 16] [1, 1, 1, 1] : tensor<1x4x16x16xf32> to tensor<1x4x6x16xf32>
  // CHECK-NEXT: %[[P2:.+]] = tensor.pad %[[S2]] low[0, 0, 0, 1] high[0, 0, 0, 1]
  // CHECK: %[[I2:.+]] = tensor.insert_slice %{{.+}} into %[[I1]][0, 0, 8, 0] [1, 8, 4, 16]
  // CHECK: %[[S3:.+]] = tensor.extract_slice %[[X]][0, 0, 11, 0] [1, 4, 5, 16] [1, 1, 1, 1] : tensor<1x4x16x16xf32> to tensor<1x4x5x16xf32>
  // CHECK-NEXT: %[[P3:.+]] = tensor.pad %[[S3]] low[0, 0, 0, 1] high[0, 0, 1, 1]
  // CHECK: %[[I3:.+]] = tensor.insert_slice %{{.+}} into %[[I2]][0, 0, 12, 0] [1, 8, 4, 16]
  // CHECK-NEXT: return %[[I3]]
  %zero = arith.constant 0.0 : f32
  %out = tile.loop (%n, %c, %h, %w) tiles [1, 8, 4, 16] -> tensor<1x8x16x16xf32> {
    %win = tile.load_window %x[%n, 0, %h, %w] tile [1, 4, 4, 16] kernel [1, 1, 3, 3] pad_low [0, 0, 1, 1] padding %zero in "l1" : tensor<1x4x16x16xf32> -> tensor<1x4x6x18xf32>
    %acc = tile.empty in "l1" : tensor<1x8x4x16xf32>
    %t = linalg.conv_2d_nchw_fchw ins(%win, %k : tensor<1x4x6x18xf32>, tensor<8x4x3x3xf32>) outs(%acc : tensor<1x8x4x16xf32>) -> tensor<1x8x4x16xf32>
    tile.store %t : tensor<1x8x4x16xf32>
  }
  return %out : tensor<1x8x16x16xf32>
}

// -----

// A window outside any loop at static offsets, with stride 2: rows start at
// 0 * 2 - 1 = -1 (cut to 8 rows, low pad 1), columns at 4 * 2 - 1 = 7
// (9 columns, all inside).
// CHECK-LABEL: func.func @strided_window
// CHECK-SAME: (%[[X:[^:]+]]: tensor<1x4x16x16xf32>)
func.func @strided_window(%x: tensor<1x4x16x16xf32>) -> tensor<1x4x9x9xf32> {
  // CHECK: %[[S:.+]] = tensor.extract_slice %[[X]][0, 0, 0, 7] [1, 4, 8, 9] [1, 1, 1, 1] : tensor<1x4x16x16xf32> to tensor<1x4x8x9xf32>
  // CHECK-NEXT: %[[P:.+]] = tensor.pad %[[S]] low[0, 0, 1, 0] high[0, 0, 0, 0]
  // CHECK: } : tensor<1x4x8x9xf32> to tensor<1x4x9x9xf32>
  // CHECK-NEXT: return %[[P]]
  %zero = arith.constant 0.0 : f32
  %win = tile.load_window %x[0, 0, 0, 4] tile [1, 4, 4, 4] kernel [1, 1, 3, 3] stride [1, 1, 2, 2] pad_low [0, 0, 1, 1] padding %zero in "l1" : tensor<1x4x16x16xf32> -> tensor<1x4x9x9xf32>
  return %win : tensor<1x4x9x9xf32>
}

// -----

// tile.empty outside a loop becomes tensor.empty too.
// CHECK-LABEL: func.func @empty
func.func @empty() -> tensor<4x8xf16> {
  // CHECK-NEXT: %[[E:.+]] = tensor.empty() : tensor<4x8xf16>
  // CHECK-NEXT: return %[[E]]
  %e = tile.empty in "l2" : tensor<4x8xf16>
  return %e : tensor<4x8xf16>
}

// -----

func.func @dynamic_offset(%x: tensor<1x4x16x16xf32>, %h: index) -> tensor<1x4x6x18xf32> {
  %zero = arith.constant 0.0 : f32
  // expected-error @+1 {{window offset in dimension 2 is not a constant; only windows of unrolled tile loops can be lowered}}
  %win = tile.load_window %x[0, 0, %h, 0] tile [1, 4, 4, 16] kernel [1, 1, 3, 3] pad_low [0, 0, 1, 1] padding %zero in "l1" : tensor<1x4x16x16xf32> -> tensor<1x4x6x18xf32>
  return %win : tensor<1x4x6x18xf32>
}

// -----

// A stored value defined outside the loop is stored into every tile
// (found by mutation: the lowering looked it up among the body's clones).
// CHECK-LABEL: func.func @store_from_outside
// CHECK-SAME: (%[[X:.+]]: tensor<4xf32>)
// CHECK: %[[E:.+]] = tensor.empty() : tensor<8xf32>
// CHECK: %[[A:.+]] = tensor.insert_slice %[[X]] into %[[E]][0] [4] [1]
// CHECK: %[[B:.+]] = tensor.insert_slice %[[X]] into %[[A]][4] [4] [1]
// CHECK: return %[[B]]
func.func @store_from_outside(%x: tensor<4xf32>) -> tensor<8xf32> {
  %out = tile.loop (%i) tiles [4] -> tensor<8xf32> {
    tile.store %x : tensor<4xf32>
  }
  return %out : tensor<8xf32>
}
