// Round trips of every dataflow op and attribute.
// RUN: vtile-opt %s --split-input-file | vtile-opt --split-input-file | FileCheck %s
// RUN: vtile-opt %s --split-input-file --mlir-print-op-generic | vtile-opt --split-input-file | FileCheck %s

// CHECK-LABEL: func.func @planned
// CHECK-SAME: (%[[X:.*]]: tensor<1x16x56x56xf32>, %[[W:.*]]: tensor<32x16x3x3xf32>)
func.func @planned(%x: tensor<1x16x56x56xf32>, %w: tensor<32x16x3x3xf32>) -> tensor<1x32x56x56xf32> {
  // CHECK: %[[Y:.*]] = dataflow.kernel ins(%[[X]], %[[W]] : tensor<1x16x56x56xf32>, tensor<32x16x3x3xf32>)
  // CHECK-SAME: plan <tile = [1, 32, 8, 8], halos = [<low = [0, 0, 1, 1], high = [0, 0, 1, 1]>, <low = [0, 0, 0, 0], high = [0, 0, 0, 0]>], order = [0, 2, 3, 1], device = "cpu", peak_bytes = 65536, recompute = 1.5625>
  // CHECK-SAME: -> tensor<1x32x56x56xf32> {
  // CHECK-NEXT: ^bb0(%[[A:.*]]: tensor<1x16x56x56xf32>, %[[B:.*]]: tensor<32x16x3x3xf32>):
  %y = dataflow.kernel ins(%x, %w : tensor<1x16x56x56xf32>, tensor<32x16x3x3xf32>)
      plan #dataflow.plan<tile = [1, 32, 8, 8],
                          halos = [#dataflow.halo<low = [0, 0, 1, 1], high = [0, 0, 1, 1]>,
                                   #dataflow.halo<low = [0, 0, 0, 0], high = [0, 0, 0, 0]>],
                          order = [0, 2, 3, 1], device = "cpu", peak_bytes = 65536, recompute = 1.5625>
      -> tensor<1x32x56x56xf32> {
  ^bb0(%a: tensor<1x16x56x56xf32>, %b: tensor<32x16x3x3xf32>):
    // CHECK: %[[INIT:.*]] = tensor.empty
    %init = tensor.empty() : tensor<1x32x56x56xf32>
    // CHECK: %[[PAD:.*]] = tensor.pad %[[A]]
    // CHECK: %[[CONV:.*]] = linalg.conv_2d_nchw_fchw {{.*}}ins(%[[PAD]], %[[B]]
    %pad = tensor.pad %a low[0, 0, 1, 1] high[0, 0, 1, 1] {
    ^bb0(%i: index, %j: index, %k: index, %l: index):
      %zero = arith.constant 0.0 : f32
      tensor.yield %zero : f32
    } : tensor<1x16x56x56xf32> to tensor<1x16x58x58xf32>
    %conv = linalg.conv_2d_nchw_fchw ins(%pad, %b : tensor<1x16x58x58xf32>, tensor<32x16x3x3xf32>) outs(%init : tensor<1x32x56x56xf32>) -> tensor<1x32x56x56xf32>
    // CHECK: dataflow.yield %[[CONV]] : tensor<1x32x56x56xf32>
    dataflow.yield %conv : tensor<1x32x56x56xf32>
  }
  // CHECK: %[[G:.*]] = dataflow.transfer %[[Y]] from "cpu" to "gpu" : tensor<1x32x56x56xf32>
  %g = dataflow.transfer %y from "cpu" to "gpu" : tensor<1x32x56x56xf32>
  // CHECK: return %[[G]]
  return %g : tensor<1x32x56x56xf32>
}

// -----

// An unplanned kernel with two results; attributes survive; a kernel that
// yields nothing needs no explicit terminator.
// CHECK-LABEL: func.func @unplanned
func.func @unplanned(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  // CHECK: %[[R:.*]]:2 = dataflow.kernel ins(%{{.*}} : tensor<4xf32>) attributes {group = 3 : i64} -> tensor<4xf32>, tensor<4xf32> {
  %r:2 = dataflow.kernel ins(%x : tensor<4xf32>) attributes {group = 3} -> tensor<4xf32>, tensor<4xf32> {
  ^bb0(%a: tensor<4xf32>):
    // CHECK: dataflow.yield %{{.*}}, %{{.*}} : tensor<4xf32>, tensor<4xf32>
    dataflow.yield %a, %a : tensor<4xf32>, tensor<4xf32>
  }
  // CHECK: dataflow.kernel {
  // CHECK-NEXT: }
  dataflow.kernel {
  }
  return %r#0, %r#1 : tensor<4xf32>, tensor<4xf32>
}
