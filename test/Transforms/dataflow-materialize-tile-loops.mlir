// dataflow-materialize-tile-loops: planned kernels computed one output tile at a time in a tile.loop with fused producers, and the errors for kernels it cannot tile.
// RUN: vtile-opt %s --split-input-file --dataflow-materialize-tile-loops --mlir-print-local-scope --verify-diagnostics | FileCheck %s
// RUN: vtile-opt %s --split-input-file --dataflow-materialize-tile-loops --verify-diagnostics | FileCheck %s --check-prefix=WHOLE
// RUN: vtile-opt %s --split-input-file --dataflow-materialize-tile-loops=level=l2 --verify-diagnostics | FileCheck %s --check-prefix=L2

// pad -> conv: the pad becomes a pad of the input window whose row amounts
// depend on the tile's position (only the first tile pads above, only the
// last below), and the conv computes a 4-row tile from a 6-row window.
// CHECK-LABEL: func.func @conv
// WHOLE-LABEL: func.func @conv
// L2-LABEL: func.func @conv
func.func @conv(%x: tensor<1x4x16x16xf32>, %w1: tensor<8x4x3x3xf32>) -> tensor<1x8x16x16xf32> {
  // CHECK: dataflow.kernel {{.*}} plan <tile = [1, 8, 4, 16], {{.*}}> -> tensor<1x8x16x16xf32> {
  // CHECK-NEXT: ^bb0(%[[IN:[^:]+]]: tensor<1x4x16x16xf32>, %[[FILTER:[^:]+]]: tensor<8x4x3x3xf32>):
  // CHECK-NOT: tensor.pad
  // CHECK-NOT: linalg.
  // CHECK: %[[LOOP:.+]] = tile.loop (%{{[^,]+}}, %{{[^,]+}}, %[[H:[^,]+]], %{{[^)]+}}) tiles [1, 8, 4, 16] order [0, 1, 2, 3] -> tensor<1x8x16x16xf32> {
  // Rows of the padded input the tile needs: [h - 1, h + 5), clamped to the input.
  // CHECK-NEXT: %[[LOW:.+]] = affine.max affine_map<(d0) -> (0, -d0 + 1)>(%[[H]])
  // CHECK-NEXT: %[[FROM:.+]] = affine.max affine_map<(d0) -> (d0 - 1, 0)>(%[[H]])
  // CHECK-NEXT: %[[START:.+]] = affine.min affine_map<(d0) -> (d0, 16)>(%[[FROM]])
  // CHECK-NEXT: %[[AVAIL:.+]] = affine.min affine_map<(d0, d1) -> (-d0 + 16, -d1 + 6)>(%[[START]], %[[LOW]])
  // CHECK-NEXT: %[[ROWS:.+]] = affine.max affine_map<(d0) -> (d0, 0)>(%[[AVAIL]])
  // CHECK-NEXT: %[[EMPTY:.+]] = arith.cmpi eq, %[[ROWS]], %{{.+}} : index
  // CHECK-NEXT: %[[HIGH:.+]] = affine.apply affine_map<(d0, d1) -> (-d0 - d1 + 6)>(%[[LOW]], %[[ROWS]])
  // CHECK-NEXT: %[[WIN:.+]] = scf.if %[[EMPTY]] -> (tensor<1x4x6x18xf32>) {
  // CHECK: tensor.generate
  // CHECK: } else {
  // CHECK-NEXT: %[[SLICE:.+]] = tensor.extract_slice %[[IN]][0, 0, %[[START]], 0] [1, 4, %[[ROWS]], 16] [1, 1, 1, 1]
  // CHECK-NEXT: %[[PAD:.+]] = tensor.pad %[[SLICE]] low[0, 0, %[[LOW]], 1] high[0, 0, %[[HIGH]], 1]
  // CHECK: %[[CAST:.+]] = tensor.cast %[[PAD]] : tensor<1x4x?x18xf32> to tensor<1x4x6x18xf32>
  // CHECK-NEXT: scf.yield %[[CAST]]
  // CHECK-NEXT: }
  // The accumulator is one tile, placed in the workspace, and filled there.
  // CHECK-NEXT: %[[ACC:.+]] = tile.empty in "workspace" : tensor<1x8x4x16xf32>
  // CHECK-NEXT: %[[INIT:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%[[ACC]] : tensor<1x8x4x16xf32>)
  // CHECK-NEXT: %[[CONV:.+]] = linalg.conv_2d_nchw_fchw {{.*}} ins(%[[WIN]], %[[FILTER]] : tensor<1x4x6x18xf32>, tensor<8x4x3x3xf32>) outs(%[[INIT]] : tensor<1x8x4x16xf32>)
  // CHECK-NEXT: tile.store %[[CONV]] : tensor<1x8x4x16xf32>
  // CHECK-NEXT: }
  // CHECK-NEXT: dataflow.yield %[[LOOP]] : tensor<1x8x16x16xf32>
  // WHOLE: ^bb0
  // WHOLE-NOT: tensor<1x8x16x16xf32>
  // WHOLE: tile.loop {{.*}} -> tensor<1x8x16x16xf32>
  // WHOLE-NOT: tensor<1x8x16x16xf32>
  // WHOLE: dataflow.yield %{{.+}} : tensor<1x8x16x16xf32>
  // L2: tile.empty in "l2" : tensor<1x8x4x16xf32>
  // L2-NOT: "workspace"
  %y = dataflow.kernel ins(%x, %w1 : tensor<1x4x16x16xf32>, tensor<8x4x3x3xf32>) plan <tile = [1, 8, 4, 16], halos = [<low = [0, 0, 1, 1], high = [0, 0, 1, 1]>, <low = [0, 0, 0, 0], high = [0, 0, 0, 0]>], order = [0, 1, 2, 3], device = "cpu", peak_bytes = 0, recompute = 1.0> -> tensor<1x8x16x16xf32> {
  ^bb0(%a: tensor<1x4x16x16xf32>, %w: tensor<8x4x3x3xf32>):
    %z = arith.constant 0.0 : f32
    %e = tensor.empty() : tensor<1x8x16x16xf32>
    %f = linalg.fill ins(%z : f32) outs(%e : tensor<1x8x16x16xf32>) -> tensor<1x8x16x16xf32>
    %p = tensor.pad %a low[0, 0, 1, 1] high[0, 0, 1, 1] {
    ^bb0(%i: index, %j: index, %k: index, %l: index):
      tensor.yield %z : f32
    } : tensor<1x4x16x16xf32> to tensor<1x4x18x18xf32>
    %c = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>} ins(%p, %w : tensor<1x4x18x18xf32>, tensor<8x4x3x3xf32>) outs(%f : tensor<1x8x16x16xf32>) -> tensor<1x8x16x16xf32>
    dataflow.yield %c : tensor<1x8x16x16xf32>
  }
  return %y : tensor<1x8x16x16xf32>
}

// -----

// The plan's tile sizes and order carry over; tiling the output channels
// slices the filter at the channel offset.
// CHECK-LABEL: func.func @tile_and_order
// L2-LABEL: func.func @tile_and_order
func.func @tile_and_order(%x: tensor<1x4x16x16xf32>, %w1: tensor<8x4x3x3xf32>) -> tensor<1x8x16x16xf32> {
  // CHECK: ^bb0(%{{[^:]+}}: tensor<1x4x16x16xf32>, %[[FILTER:[^:]+]]: tensor<8x4x3x3xf32>):
  // CHECK: %[[LOOP:.+]] = tile.loop (%{{[^,]+}}, %[[C:[^,]+]], %{{[^,]+}}, %{{[^)]+}}) tiles [1, 4, 8, 8] order [2, 0, 3, 1] -> tensor<1x8x16x16xf32> {
  // CHECK: %[[WIN:.+]] = scf.if {{.*}} -> (tensor<1x4x10x10xf32>)
  // CHECK: %[[F:.+]] = tensor.extract_slice %[[FILTER]][%[[C]], 0, 0, 0] [4, 4, 3, 3] [1, 1, 1, 1] : tensor<8x4x3x3xf32> to tensor<4x4x3x3xf32>
  // CHECK-NEXT: %[[ACC:.+]] = tile.empty in "workspace" : tensor<1x4x8x8xf32>
  // CHECK-NEXT: %[[INIT:.+]] = linalg.fill {{.*}} outs(%[[ACC]] : tensor<1x4x8x8xf32>)
  // CHECK-NEXT: %[[CONV:.+]] = linalg.conv_2d_nchw_fchw {{.*}} ins(%[[WIN]], %[[F]] : tensor<1x4x10x10xf32>, tensor<4x4x3x3xf32>) outs(%[[INIT]] : tensor<1x4x8x8xf32>)
  // CHECK-NEXT: tile.store %[[CONV]] : tensor<1x4x8x8xf32>
  // CHECK: dataflow.yield %[[LOOP]]
  // L2: tile.empty in "l2" : tensor<1x4x8x8xf32>
  %y = dataflow.kernel ins(%x, %w1 : tensor<1x4x16x16xf32>, tensor<8x4x3x3xf32>) plan <tile = [1, 4, 8, 8], halos = [<low = [0, 0, 1, 1], high = [0, 0, 1, 1]>, <low = [0, 0, 0, 0], high = [0, 0, 0, 0]>], order = [2, 0, 3, 1], device = "cpu", peak_bytes = 0, recompute = 1.0> -> tensor<1x8x16x16xf32> {
  ^bb0(%a: tensor<1x4x16x16xf32>, %w: tensor<8x4x3x3xf32>):
    %z = arith.constant 0.0 : f32
    %e = tensor.empty() : tensor<1x8x16x16xf32>
    %f = linalg.fill ins(%z : f32) outs(%e : tensor<1x8x16x16xf32>) -> tensor<1x8x16x16xf32>
    %p = tensor.pad %a low[0, 0, 1, 1] high[0, 0, 1, 1] {
    ^bb0(%i: index, %j: index, %k: index, %l: index):
      tensor.yield %z : f32
    } : tensor<1x4x16x16xf32> to tensor<1x4x18x18xf32>
    %c = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>} ins(%p, %w : tensor<1x4x18x18xf32>, tensor<8x4x3x3xf32>) outs(%f : tensor<1x8x16x16xf32>) -> tensor<1x8x16x16xf32>
    dataflow.yield %c : tensor<1x8x16x16xf32>
  }
  return %y : tensor<1x8x16x16xf32>
}

// -----

// pad -> conv -> relu -> pad -> conv: every producer is fused into the tile.
// The first conv and the relu compute the second conv's halo rows too, on a
// window of the kernel input; no whole 1x8x16x16 intermediate remains.
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @chain
// WHOLE-LABEL: func.func @chain
// L2-LABEL: func.func @chain
func.func @chain(%x: tensor<1x4x16x16xf32>, %w1: tensor<8x4x3x3xf32>, %w2: tensor<8x8x3x3xf32>) -> tensor<1x8x16x16xf32> {
  // CHECK: ^bb0(%[[IN:[^:]+]]: tensor<1x4x16x16xf32>, %[[F1:[^:]+]]: tensor<8x4x3x3xf32>, %[[F2:[^:]+]]: tensor<8x8x3x3xf32>):
  // CHECK-NOT: linalg.
  // CHECK: %[[LOOP:.+]] = tile.loop ({{.*}}) tiles [1, 8, 4, 16] order [0, 1, 2, 3] -> tensor<1x8x16x16xf32> {
  // CHECK: %[[WIN2:.+]] = scf.if %{{.+}} -> (tensor<1x8x6x18xf32>) {
  // CHECK: } else {
  // CHECK: %[[WIN1:.+]] = scf.if %{{.+}} -> (tensor<1x4x?x18xf32>) {
  // CHECK: } else {
  // CHECK-NEXT: %[[SLICE:.+]] = tensor.extract_slice %[[IN]][0, 0, %{{.+}}, 0] [1, 4, %{{.+}}, 16] [1, 1, 1, 1]
  // CHECK-NEXT: tensor.pad %[[SLICE]] low[0, 0, %{{.+}}, 1] high[0, 0, %{{.+}}, 1]
  // CHECK: %[[C1:.+]] = linalg.conv_2d_nchw_fchw {{.*}} ins(%[[WIN1]], %[[F1]] : tensor<1x4x?x18xf32>, tensor<8x4x3x3xf32>) outs(%{{.+}} : tensor<1x8x?x16xf32>)
  // CHECK: %[[RELU:.+]] = linalg.generic {{.*}} ins(%[[C1]] : tensor<1x8x?x16xf32>)
  // CHECK: arith.maximumf
  // CHECK: %[[P2:.+]] = tensor.pad %[[RELU]] low[0, 0, %{{.+}}, 1] high[0, 0, %{{.+}}, 1]
  // CHECK: tensor.cast %[[P2]] : tensor<1x8x?x18xf32> to tensor<1x8x6x18xf32>
  // CHECK: %[[ACC:.+]] = tile.empty in "workspace" : tensor<1x8x4x16xf32>
  // CHECK-NEXT: %[[INIT:.+]] = linalg.fill {{.*}} outs(%[[ACC]] : tensor<1x8x4x16xf32>)
  // CHECK-NEXT: %[[C2:.+]] = linalg.conv_2d_nchw_fchw {{.*}} ins(%[[WIN2]], %[[F2]] : tensor<1x8x6x18xf32>, tensor<8x8x3x3xf32>) outs(%[[INIT]] : tensor<1x8x4x16xf32>)
  // CHECK-NEXT: tile.store %[[C2]] : tensor<1x8x4x16xf32>
  // CHECK-NEXT: }
  // CHECK-NEXT: dataflow.yield %[[LOOP]]
  // WHOLE: ^bb0
  // WHOLE-NOT: tensor<1x8x16x16xf32>
  // WHOLE: tile.loop {{.*}} -> tensor<1x8x16x16xf32>
  // WHOLE-NOT: tensor<1x8x16x16xf32>
  // WHOLE-NOT: tensor<1x8x18x18xf32>
  // WHOLE: dataflow.yield %{{.+}} : tensor<1x8x16x16xf32>
  // L2: tile.empty in "l2" : tensor<1x8x4x16xf32>
  %y = dataflow.kernel ins(%x, %w1, %w2 : tensor<1x4x16x16xf32>, tensor<8x4x3x3xf32>, tensor<8x8x3x3xf32>) plan <tile = [1, 8, 4, 16], halos = [<low = [0, 0, 2, 2], high = [0, 0, 2, 2]>, <low = [0, 0, 0, 0], high = [0, 0, 0, 0]>, <low = [0, 0, 0, 0], high = [0, 0, 0, 0]>], order = [0, 1, 2, 3], device = "cpu", peak_bytes = 0, recompute = 1.5> -> tensor<1x8x16x16xf32> {
  ^bb0(%a: tensor<1x4x16x16xf32>, %k1: tensor<8x4x3x3xf32>, %k2: tensor<8x8x3x3xf32>):
    %z = arith.constant 0.0 : f32
    %e = tensor.empty() : tensor<1x8x16x16xf32>
    %f = linalg.fill ins(%z : f32) outs(%e : tensor<1x8x16x16xf32>) -> tensor<1x8x16x16xf32>
    %p1 = tensor.pad %a low[0, 0, 1, 1] high[0, 0, 1, 1] {
    ^bb0(%i: index, %j: index, %k: index, %l: index):
      tensor.yield %z : f32
    } : tensor<1x4x16x16xf32> to tensor<1x4x18x18xf32>
    %c1 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>} ins(%p1, %k1 : tensor<1x4x18x18xf32>, tensor<8x4x3x3xf32>) outs(%f : tensor<1x8x16x16xf32>) -> tensor<1x8x16x16xf32>
    %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c1 : tensor<1x8x16x16xf32>) outs(%e : tensor<1x8x16x16xf32>) {
    ^bb0(%in: f32, %out: f32):
      %m = arith.maximumf %in, %z : f32
      linalg.yield %m : f32
    } -> tensor<1x8x16x16xf32>
    %p2 = tensor.pad %r low[0, 0, 1, 1] high[0, 0, 1, 1] {
    ^bb0(%i: index, %j: index, %k: index, %l: index):
      tensor.yield %z : f32
    } : tensor<1x8x16x16xf32> to tensor<1x8x18x18xf32>
    %c2 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>} ins(%p2, %k2 : tensor<1x8x18x18xf32>, tensor<8x8x3x3xf32>) outs(%f : tensor<1x8x16x16xf32>) -> tensor<1x8x16x16xf32>
    dataflow.yield %c2 : tensor<1x8x16x16xf32>
  }
  return %y : tensor<1x8x16x16xf32>
}

// -----

// A kernel without a plan is left alone.
// CHECK-LABEL: func.func @unplanned
func.func @unplanned(%x: tensor<8xf32>) -> tensor<8xf32> {
  // CHECK: dataflow.kernel ins(%{{.+}} : tensor<8xf32>) -> tensor<8xf32> {
  // CHECK-NEXT: ^bb0(%[[A:[^:]+]]: tensor<8xf32>):
  // CHECK-NEXT: %[[E:.+]] = tensor.empty() : tensor<8xf32>
  // CHECK-NEXT: %[[R:.+]] = linalg.exp ins(%[[A]] : tensor<8xf32>) outs(%[[E]] : tensor<8xf32>)
  // CHECK-NEXT: dataflow.yield %[[R]] : tensor<8xf32>
  // CHECK-NOT: tile.
  %y = dataflow.kernel ins(%x : tensor<8xf32>) -> tensor<8xf32> {
  ^bb0(%a: tensor<8xf32>):
    %e = tensor.empty() : tensor<8xf32>
    %r = linalg.exp ins(%a : tensor<8xf32>) outs(%e : tensor<8xf32>) -> tensor<8xf32>
    dataflow.yield %r : tensor<8xf32>
  }
  return %y : tensor<8xf32>
}

// -----

func.func @yields_argument(%x: tensor<8xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{the root of a planned kernel must be a linalg op; this kernel yields a block argument}}
  %y = dataflow.kernel ins(%x : tensor<8xf32>) plan <tile = [4], halos = [<low = [0], high = [0]>], order = [0], device = "cpu", peak_bytes = 0, recompute = 1.0> -> tensor<8xf32> {
  ^bb0(%a: tensor<8xf32>):
    dataflow.yield %a : tensor<8xf32>
  }
  return %y : tensor<8xf32>
}

// -----

func.func @pad_root(%x: tensor<6xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{the root of a planned kernel must be a linalg op; this kernel yields tensor.pad}}
  %y = dataflow.kernel ins(%x : tensor<6xf32>) plan <tile = [4], halos = [<low = [1], high = [1]>], order = [0], device = "cpu", peak_bytes = 0, recompute = 1.0> -> tensor<8xf32> {
  ^bb0(%a: tensor<6xf32>):
    %z = arith.constant 0.0 : f32
    %p = tensor.pad %a low[1] high[1] {
    ^bb0(%i: index):
      tensor.yield %z : f32
    } : tensor<6xf32> to tensor<8xf32>
    dataflow.yield %p : tensor<8xf32>
  }
  return %y : tensor<8xf32>
}

// -----

func.func @not_dividing(%x: tensor<8x16xf32>) -> tensor<8x16xf32> {
  // expected-error @+1 {{plan tile size 6 does not divide result dimension 1 of size 16}}
  %y = dataflow.kernel ins(%x : tensor<8x16xf32>) plan <tile = [8, 6], halos = [<low = [0, 0], high = [0, 0]>], order = [0, 1], device = "cpu", peak_bytes = 0, recompute = 1.0> -> tensor<8x16xf32> {
  ^bb0(%a: tensor<8x16xf32>):
    %e = tensor.empty() : tensor<8x16xf32>
    %r = linalg.exp ins(%a : tensor<8x16xf32>) outs(%e : tensor<8x16xf32>) -> tensor<8x16xf32>
    dataflow.yield %r : tensor<8x16xf32>
  }
  return %y : tensor<8x16xf32>
}

// -----

func.func @two_results(%x: tensor<8xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{a planned kernel must have one result, this one has 2}}
  %y:2 = dataflow.kernel ins(%x : tensor<8xf32>) plan <tile = [4], halos = [<low = [0], high = [0]>], order = [0], device = "cpu", peak_bytes = 0, recompute = 1.0> -> tensor<8xf32>, tensor<8xf32> {
  ^bb0(%a: tensor<8xf32>):
    %e = tensor.empty() : tensor<8xf32>
    %r = linalg.exp ins(%a : tensor<8xf32>) outs(%e : tensor<8xf32>) -> tensor<8xf32>
    %s = linalg.abs ins(%a : tensor<8xf32>) outs(%e : tensor<8xf32>) -> tensor<8xf32>
    dataflow.yield %r, %s : tensor<8xf32>, tensor<8xf32>
  }
  return %y#0 : tensor<8xf32>
}

// -----

// A result that is not indexed by loops (here reversed) cannot be tiled by
// output tiles.
func.func @not_a_projection(%x: tensor<8xf32>) -> tensor<8xf32> {
  %y = dataflow.kernel ins(%x : tensor<8xf32>) plan <tile = [4], halos = [<low = [0], high = [0]>], order = [0], device = "cpu", peak_bytes = 0, recompute = 1.0> -> tensor<8xf32> {
  ^bb0(%a: tensor<8xf32>):
    %e = tensor.empty() : tensor<8xf32>
    // expected-error @+1 {{cannot tile by output tiles: the result's indexing map affine_map<(d0) -> (-d0 + 7)> is not a projection of loops}}
    %r = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (7 - d0)>], iterator_types = ["parallel"]} ins(%a : tensor<8xf32>) outs(%e : tensor<8xf32>) {
    ^bb0(%in: f32, %o: f32):
      linalg.yield %in : f32
    } -> tensor<8xf32>
    dataflow.yield %r : tensor<8xf32>
  }
  return %y : tensor<8xf32>
}

// -----

// A padding value computed inside the pad's region (the way hand-written IR
// often spells it) moves before the pad; upstream pad tiling crashed on it
// (found by mutating test/Dialect/Dataflow/ops.mlir).
// CHECK-LABEL: func.func @padding_value_in_region
// CHECK: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: tile.loop
// CHECK: tensor.pad
// CHECK: tensor.yield %[[ZERO]]
// CHECK: linalg.conv_2d_nchw_fchw
func.func @padding_value_in_region(%x: tensor<1x2x8x8xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<1x4x8x8xf32> {
  %y = dataflow.kernel ins(%x, %w : tensor<1x2x8x8xf32>, tensor<4x2x3x3xf32>)
      plan #dataflow.plan<tile = [1, 4, 2, 8],
                          halos = [#dataflow.halo<low = [0, 0, 1, 1], high = [0, 0, 1, 1]>,
                                   #dataflow.halo<low = [0, 0, 0, 0], high = [0, 0, 0, 0]>],
                          order = [0, 1, 2, 3], device = "cpu", peak_bytes = 0, recompute = 1.0>
      -> tensor<1x4x8x8xf32> {
  ^bb0(%a: tensor<1x2x8x8xf32>, %b: tensor<4x2x3x3xf32>):
    %init = tensor.empty() : tensor<1x4x8x8xf32>
    %pad = tensor.pad %a low[0, 0, 1, 1] high[0, 0, 1, 1] {
    ^bb0(%i: index, %j: index, %k: index, %l: index):
      %zero = arith.constant 0.0 : f32
      tensor.yield %zero : f32
    } : tensor<1x2x8x8xf32> to tensor<1x2x10x10xf32>
    %conv = linalg.conv_2d_nchw_fchw ins(%pad, %b : tensor<1x2x10x10xf32>, tensor<4x2x3x3xf32>) outs(%init : tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
    dataflow.yield %conv : tensor<1x4x8x8xf32>
  }
  return %y : tensor<1x4x8x8xf32>
}

// -----

func.func @padding_value_from_indices(%x: tensor<1x2x8x8xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<1x4x8x8xf32> {
  %y = dataflow.kernel ins(%x, %w : tensor<1x2x8x8xf32>, tensor<4x2x3x3xf32>)
      plan #dataflow.plan<tile = [1, 4, 2, 8],
                          halos = [#dataflow.halo<low = [0, 0, 1, 1], high = [0, 0, 1, 1]>,
                                   #dataflow.halo<low = [0, 0, 0, 0], high = [0, 0, 0, 0]>],
                          order = [0, 1, 2, 3], device = "cpu", peak_bytes = 0, recompute = 1.0>
      -> tensor<1x4x8x8xf32> {
  ^bb0(%a: tensor<1x2x8x8xf32>, %b: tensor<4x2x3x3xf32>):
    %init = tensor.empty() : tensor<1x4x8x8xf32>
    // expected-error @+1 {{cannot tile a tensor.pad whose padding value depends on the indices}}
    %pad = tensor.pad %a low[0, 0, 1, 1] high[0, 0, 1, 1] {
    ^bb0(%i: index, %j: index, %k: index, %l: index):
      %c = arith.index_cast %k : index to i32
      %v = arith.sitofp %c : i32 to f32
      tensor.yield %v : f32
    } : tensor<1x2x8x8xf32> to tensor<1x2x10x10xf32>
    %conv = linalg.conv_2d_nchw_fchw ins(%pad, %b : tensor<1x2x10x10xf32>, tensor<4x2x3x3xf32>) outs(%init : tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
    dataflow.yield %conv : tensor<1x4x8x8xf32>
  }
  return %y : tensor<1x4x8x8xf32>
}

// -----

// A negative dilation verifies in linalg but made upstream tiling assert
// (found by mutation).
func.func @negative_dilation(%x: tensor<1x4x16x16xf32>, %w: tensor<8x4x1x1xf32>) -> tensor<1x8x16x16xf32> {
  %y = dataflow.kernel ins(%x, %w : tensor<1x4x16x16xf32>, tensor<8x4x1x1xf32>)
      plan #dataflow.plan<tile = [1, 8, 4, 16],
                          halos = [#dataflow.halo<low = [0, 0, 0, 0], high = [0, 0, 0, 0]>,
                                   #dataflow.halo<low = [0, 0, 0, 0], high = [0, 0, 0, 0]>],
                          order = [0, 1, 2, 3], device = "cpu", peak_bytes = 0, recompute = 1.0>
      -> tensor<1x8x16x16xf32> {
  ^bb0(%a: tensor<1x4x16x16xf32>, %k: tensor<8x4x1x1xf32>):
    %e = tensor.empty() : tensor<1x8x16x16xf32>
    // expected-error @+1 {{cannot tile an op whose indexing map affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d4, d2 - d5, d3 - d6)> scales a loop by a non-positive constant (a stride or dilation below 1)}}
    %c = linalg.conv_2d_nchw_fchw {dilations = dense<-1> : vector<2xi64>, strides = dense<1> : vector<2xi64>} ins(%a, %k : tensor<1x4x16x16xf32>, tensor<8x4x1x1xf32>) outs(%e : tensor<1x8x16x16xf32>) -> tensor<1x8x16x16xf32>
    dataflow.yield %c : tensor<1x8x16x16xf32>
  }
  return %y : tensor<1x8x16x16xf32>
}
