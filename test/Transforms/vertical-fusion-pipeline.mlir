// Vertical fusion end to end: a planned pad -> conv -> relu -> pad -> conv group outlined, tiled in 4 row strips, unrolled and inlined into static slices with no whole intermediate.
// RUN: vtile-opt %s --dataflow-form-kernels --dataflow-materialize-tile-loops --tile-lower-loops --dataflow-inline-kernels --canonicalize --cse | FileCheck %s --implicit-check-not=dataflow. --implicit-check-not=tile. --implicit-check-not='linalg.{{.*}}tensor<1x8x16x16xf32>' --implicit-check-not='tensor<1x8x16x16xf32> to' --implicit-check-not='tensor<1x8x18x18xf32>'
// RUN: vtile-opt %s --dataflow-form-kernels --dataflow-materialize-tile-loops --tile-lower-loops --dataflow-inline-kernels --canonicalize --cse | FileCheck %s --check-prefix=COUNT

// The output rows of tile t are [4t, 4t + 4); the second conv needs rows
// [4t - 1, 4t + 5) of the relu, which needs rows [4t - 2, 4t + 6) of the
// input. Clamped to the 16 input rows: the first window is rows 0..5 plus
// one padded row above, the interior ones 8 whole rows, the last rows
// 10..15 plus one padded row below. The intermediate (relu) window is padded
// only where it leaves the 16 rows of the whole intermediate.
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @chain
// CHECK-SAME: (%[[X:[^:]+]]: tensor<1x4x16x16xf32>, %[[W1:[^:]+]]: tensor<8x4x3x3xf32>, %[[W2:[^:]+]]: tensor<8x8x3x3xf32>)
// COUNT-LABEL: func.func @chain
func.func @chain(%x: tensor<1x4x16x16xf32>, %w1: tensor<8x4x3x3xf32>, %w2: tensor<8x8x3x3xf32>) -> tensor<1x8x16x16xf32> {
  // CHECK-DAG: %[[C0:.+]] = arith.constant 0 : index
  // CHECK-DAG: %[[C1:.+]] = arith.constant 1 : index
  // CHECK-DAG: %[[OUT:.+]] = tensor.empty() : tensor<1x8x16x16xf32>

  // Tile 0: output rows 0..3.
  // CHECK: %[[S0:.+]] = tensor.extract_slice %[[X]][0, 0, 0, 0] [1, 4, 6, 16] [1, 1, 1, 1]
  // CHECK-NEXT: %[[P0:.+]] = tensor.pad %[[S0]] low[0, 0, 1, 1] high[0, 0, 0, 1]
  // CHECK: } : tensor<1x4x6x16xf32> to tensor<1x4x7x18xf32>
  // CHECK: %[[A0:.+]] = linalg.conv_2d_nchw_fchw {{.*}} ins(%[[P0]], %[[W1]] : tensor<1x4x7x18xf32>, tensor<8x4x3x3xf32>) {{.*}} -> tensor<1x8x5x16xf32>
  // CHECK: %[[R0:.+]] = linalg.generic {{.*}} ins(%[[A0]] : tensor<1x8x5x16xf32>)
  // CHECK: %[[Q0:.+]] = tensor.pad %[[R0]] low[0, 0, %[[C1]], 1] high[0, 0, %[[C0]], 1]
  // CHECK: } : tensor<1x8x5x16xf32> to tensor<1x8x6x18xf32>
  // CHECK: %[[B0:.+]] = linalg.conv_2d_nchw_fchw {{.*}} ins(%[[Q0]], %[[W2]] : tensor<1x8x6x18xf32>, tensor<8x8x3x3xf32>) {{.*}} -> tensor<1x8x4x16xf32>
  // CHECK-NEXT: %[[I0:.+]] = tensor.insert_slice %[[B0]] into %[[OUT]][0, 0, 0, 0] [1, 8, 4, 16] [1, 1, 1, 1]

  // Tile 1: output rows 4..7.
  // CHECK-NEXT: %[[S1:.+]] = tensor.extract_slice %[[X]][0, 0, 2, 0] [1, 4, 8, 16] [1, 1, 1, 1]
  // CHECK-NEXT: %[[P1:.+]] = tensor.pad %[[S1]] low[0, 0, 0, 1] high[0, 0, 0, 1]
  // CHECK: } : tensor<1x4x8x16xf32> to tensor<1x4x8x18xf32>
  // CHECK: %[[A1:.+]] = linalg.conv_2d_nchw_fchw {{.*}} ins(%[[P1]], %[[W1]] : tensor<1x4x8x18xf32>, tensor<8x4x3x3xf32>) {{.*}} -> tensor<1x8x6x16xf32>
  // CHECK: %[[R1:.+]] = linalg.generic {{.*}} ins(%[[A1]] : tensor<1x8x6x16xf32>)
  // CHECK: %[[Q1:.+]] = tensor.pad %[[R1]] low[0, 0, %[[C0]], 1] high[0, 0, %[[C0]], 1]
  // CHECK: %[[B1:.+]] = linalg.conv_2d_nchw_fchw {{.*}} ins(%[[Q1]], %[[W2]] : tensor<1x8x6x18xf32>, tensor<8x8x3x3xf32>) {{.*}} -> tensor<1x8x4x16xf32>
  // CHECK-NEXT: %[[I1:.+]] = tensor.insert_slice %[[B1]] into %[[I0]][0, 0, 4, 0] [1, 8, 4, 16] [1, 1, 1, 1]

  // Tile 2: output rows 8..11.
  // CHECK-NEXT: %[[S2:.+]] = tensor.extract_slice %[[X]][0, 0, 6, 0] [1, 4, 8, 16] [1, 1, 1, 1]
  // CHECK-NEXT: %[[P2:.+]] = tensor.pad %[[S2]] low[0, 0, 0, 1] high[0, 0, 0, 1]
  // CHECK: %[[A2:.+]] = linalg.conv_2d_nchw_fchw {{.*}} ins(%[[P2]], %[[W1]] : tensor<1x4x8x18xf32>, tensor<8x4x3x3xf32>) {{.*}} -> tensor<1x8x6x16xf32>
  // CHECK: %[[R2:.+]] = linalg.generic {{.*}} ins(%[[A2]] : tensor<1x8x6x16xf32>)
  // CHECK: %[[Q2:.+]] = tensor.pad %[[R2]] low[0, 0, %[[C0]], 1] high[0, 0, %[[C0]], 1]
  // CHECK: %[[B2:.+]] = linalg.conv_2d_nchw_fchw {{.*}} ins(%[[Q2]], %[[W2]] : tensor<1x8x6x18xf32>, tensor<8x8x3x3xf32>) {{.*}} -> tensor<1x8x4x16xf32>
  // CHECK-NEXT: %[[I2:.+]] = tensor.insert_slice %[[B2]] into %[[I1]][0, 0, 8, 0] [1, 8, 4, 16] [1, 1, 1, 1]

  // Tile 3: output rows 12..15.
  // CHECK-NEXT: %[[S3:.+]] = tensor.extract_slice %[[X]][0, 0, 10, 0] [1, 4, 6, 16] [1, 1, 1, 1]
  // CHECK-NEXT: %[[P3:.+]] = tensor.pad %[[S3]] low[0, 0, 0, 1] high[0, 0, 1, 1]
  // CHECK: } : tensor<1x4x6x16xf32> to tensor<1x4x7x18xf32>
  // CHECK: %[[A3:.+]] = linalg.conv_2d_nchw_fchw {{.*}} ins(%[[P3]], %[[W1]] : tensor<1x4x7x18xf32>, tensor<8x4x3x3xf32>) {{.*}} -> tensor<1x8x5x16xf32>
  // CHECK: %[[R3:.+]] = linalg.generic {{.*}} ins(%[[A3]] : tensor<1x8x5x16xf32>)
  // CHECK: %[[Q3:.+]] = tensor.pad %[[R3]] low[0, 0, %[[C0]], 1] high[0, 0, %[[C1]], 1]
  // CHECK: %[[B3:.+]] = linalg.conv_2d_nchw_fchw {{.*}} ins(%[[Q3]], %[[W2]] : tensor<1x8x6x18xf32>, tensor<8x8x3x3xf32>) {{.*}} -> tensor<1x8x4x16xf32>
  // CHECK-NEXT: %[[I3:.+]] = tensor.insert_slice %[[B3]] into %[[I2]][0, 0, 12, 0] [1, 8, 4, 16] [1, 1, 1, 1]
  // CHECK-NEXT: return %[[I3]] : tensor<1x8x16x16xf32>

  // Two convs per tile and no more: 8 in all.
  // COUNT-COUNT-8: linalg.conv_2d_nchw_fchw
  // COUNT-NOT: linalg.conv_2d_nchw_fchw
  // COUNT: return
  %zero = arith.constant 0.0 : f32
  %p1 = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%a: index, %b: index, %c: index, %d: index):
    tensor.yield %zero : f32
  } {dataflow.group = 0} : tensor<1x4x16x16xf32> to tensor<1x4x18x18xf32>
  %e = tensor.empty() : tensor<1x8x16x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x8x16x16xf32>) -> tensor<1x8x16x16xf32>
  %c1 = linalg.conv_2d_nchw_fchw {dataflow.group = 0, dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>} ins(%p1, %w1 : tensor<1x4x18x18xf32>, tensor<8x4x3x3xf32>) outs(%f : tensor<1x8x16x16xf32>) -> tensor<1x8x16x16xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c1 : tensor<1x8x16x16xf32>) outs(%e : tensor<1x8x16x16xf32>) attrs = {dataflow.group = 0} {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x8x16x16xf32>
  %p2 = tensor.pad %r low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%a: index, %b: index, %c: index, %d: index):
    tensor.yield %zero : f32
  } {dataflow.group = 0} : tensor<1x8x16x16xf32> to tensor<1x8x18x18xf32>
  %c2 = linalg.conv_2d_nchw_fchw {dataflow.group = 0, dataflow.plan = #dataflow.plan<tile = [1, 8, 4, 16], halos = [#dataflow.halo<low = [0, 0, 2, 2], high = [0, 0, 2, 2]>, #dataflow.halo<low = [0, 0, 0, 0], high = [0, 0, 0, 0]>, #dataflow.halo<low = [0, 0, 0, 0], high = [0, 0, 0, 0]>], order = [0, 1, 2, 3], device = "cpu", peak_bytes = 0, recompute = 1.5>, dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>} ins(%p2, %w2 : tensor<1x8x18x18xf32>, tensor<8x8x3x3xf32>) outs(%f : tensor<1x8x16x16xf32>) -> tensor<1x8x16x16xf32>
  return %c2 : tensor<1x8x16x16xf32>
}
