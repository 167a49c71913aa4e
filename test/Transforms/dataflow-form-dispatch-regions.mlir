// dataflow-form-dispatch-regions: a kernel planned as one dispatch becomes one flow.dispatch.region whose pads are masks over domains extended by the padding and whose NCHW convolutions and poolings compute channels-last; kernels it cannot take keep their tile loops, with a remark.
// RUN: vtile-opt %s --split-input-file --allow-unregistered-dialect --dataflow-form-dispatch-regions --verify-diagnostics | FileCheck %s

#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#bias = affine_map<(d0, d1, d2, d3) -> (d1)>
// Two padded 3x3 convolutions: the first computes rows and columns -1..16 of
// its output, the mask zeroes them, the second reads the mask directly.
// CHECK-LABEL: func.func @two_convs
// CHECK-SAME: (%[[X:[^:]+]]: tensor<1x4x16x16xf32>
func.func @two_convs(%x: tensor<1x4x16x16xf32>, %w1: tensor<8x4x3x3xf32>, %w2: tensor<8x8x3x3xf32>, %b: tensor<8xf32>) -> tensor<1x8x16x16xf32> {
  // The bias stays outside; the region reads it.
  // CHECK-NOT: dataflow.kernel
  // CHECK: %[[R:.+]] = "flow.dispatch.region"() <{operandSegmentSizes = array<i32: 0, 0>}> ({
  // The input is padded once by both convolutions' padding.
  // CHECK: %[[XP:.+]] = tensor.pad %[[X]] low[0, 0, 2, 2] high[0, 0, 2, 2]
  // CHECK: vtile.node = 0
  // CHECK-SAME: tensor<1x4x16x16xf32> to tensor<1x4x20x20xf32>
  // The mask keeps rows and columns 2..17 of the 20 (the input's place)
  // and turns the input channels-last: it iterates over NHWC.
  // CHECK: %[[M1:.+]] = linalg.generic {{.*}} ins(%[[XP]] : tensor<1x4x20x20xf32>) outs(%{{.+}} : tensor<1x20x20x4xf32>)
  // CHECK-SAME: vtile.loop_ranges = array<i64: 1, 20, 20, 4>, vtile.node = 1
  // CHECK: %[[ROW:.+]] = linalg.index 1
  // CHECK: arith.cmpi sge, %[[ROW]], %c2{{(_[0-9]+)?}} : index
  // CHECK-NEXT: arith.cmpi slt, %[[ROW]], %c18{{(_[0-9]+)?}} : index
  // Filters are transposed FCHW -> HWCF.
  // CHECK: %[[W1:.+]] = linalg.generic {{.*}} ins(%{{.+}} : tensor<8x4x3x3xf32>) outs(%{{.+}} : tensor<3x3x4x8xf32>)
  // Every destination is the op's own fill, inside the region.
  // CHECK: %[[F1:.+]] = linalg.fill {{.*}} -> tensor<1x18x18x8xf32>
  // CHECK: %[[C1:.+]] = linalg.conv_2d_nhwc_hwcf {{.*}} ins(%[[M1]], %[[W1]] : tensor<1x20x20x4xf32>, tensor<3x3x4x8xf32>) outs(%[[F1]] : tensor<1x18x18x8xf32>)
  // The bias + ReLU and the second pad's mask fused into one generic, in NHWC.
  // CHECK: %[[A:.+]] = linalg.generic {{.*}} ins(%[[C1]], %{{.+}} : tensor<1x18x18x8xf32>, tensor<8xf32>)
  // CHECK: arith.maximumf
  // CHECK: arith.select
  // CHECK: -> tensor<1x18x18x8xf32>
  // CHECK: %[[F2:.+]] = linalg.fill {{.*}} -> tensor<1x16x16x8xf32>
  // CHECK: %[[C2:.+]] = linalg.conv_2d_nhwc_hwcf {{.*}} ins(%[[A]], %{{.+}} : tensor<1x18x18x8xf32>, tensor<3x3x8x8xf32>) outs(%[[F2]] : tensor<1x16x16x8xf32>)
  // The root turns the result back to NCHW, iterating over NHWC (as IREE
  // would reorder it): the plan's 1x8x4x16 tile is 1x4x16x8 in its loops.
  // CHECK: %[[T:.+]] = linalg.generic {indexing_maps = [#[[ID:.+]], #[[TO_NCHW:.+]]], {{.*}} ins(%[[C2]] : tensor<1x16x16x8xf32>) outs(%{{.+}} : tensor<1x8x16x16xf32>)
  // CHECK-SAME: vtile.dispatch = "two_convs.0"
  // CHECK-SAME: vtile.loop_ranges = array<i64: 1, 16, 16, 8>
  // CHECK-SAME: vtile.tile_sizes = array<i64: 1, 4, 16, 8>
  // CHECK: "flow.return"(%[[T]]) : (tensor<1x8x16x16xf32>) -> ()
  // CHECK: }, {
  // CHECK: }) : () -> tensor<1x8x16x16xf32>
  // CHECK: return %[[R]]
  %y = dataflow.kernel ins(%x, %w1, %w2, %b : tensor<1x4x16x16xf32>, tensor<8x4x3x3xf32>, tensor<8x8x3x3xf32>, tensor<8xf32>)
      plan <tile = [1, 8, 4, 16], halos = [<low = [0, 0, 2, 2], high = [0, 0, 2, 2]>, <low = [0, 0, 0, 0], high = [0, 0, 0, 0]>, <low = [0, 0, 0, 0], high = [0, 0, 0, 0]>, <low = [0], high = [0]>], order = [0, 1, 2, 3], device = "cpu", peak_bytes = 4096, recompute = 1.5, lowering = "dispatch"> -> tensor<1x8x16x16xf32> {
  ^bb0(%in: tensor<1x4x16x16xf32>, %f1: tensor<8x4x3x3xf32>, %f2: tensor<8x8x3x3xf32>, %bias: tensor<8xf32>):
    %zero = arith.constant 0.0 : f32
    %e = tensor.empty() : tensor<1x8x16x16xf32>
    %fill = linalg.fill ins(%zero : f32) outs(%e : tensor<1x8x16x16xf32>) -> tensor<1x8x16x16xf32>
    %p1 = tensor.pad %in low[0, 0, 1, 1] high[0, 0, 1, 1] {
    ^bb0(%i0: index, %i1: index, %i2: index, %i3: index):
      tensor.yield %zero : f32
    } : tensor<1x4x16x16xf32> to tensor<1x4x18x18xf32>
    %c1 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>} ins(%p1, %f1 : tensor<1x4x18x18xf32>, tensor<8x4x3x3xf32>) outs(%fill : tensor<1x8x16x16xf32>) -> tensor<1x8x16x16xf32>
    %a = linalg.generic {indexing_maps = [#id, #bias, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c1, %bias : tensor<1x8x16x16xf32>, tensor<8xf32>) outs(%e : tensor<1x8x16x16xf32>) {
    ^bb0(%v: f32, %bv: f32, %o: f32):
      %s = arith.addf %v, %bv : f32
      %r = arith.maximumf %s, %zero : f32
      linalg.yield %r : f32
    } -> tensor<1x8x16x16xf32>
    %p2 = tensor.pad %a low[0, 0, 1, 1] high[0, 0, 1, 1] {
    ^bb0(%i0: index, %i1: index, %i2: index, %i3: index):
      tensor.yield %zero : f32
    } : tensor<1x8x16x16xf32> to tensor<1x8x18x18xf32>
    %c2 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>} ins(%p2, %f2 : tensor<1x8x18x18xf32>, tensor<8x8x3x3xf32>) outs(%fill : tensor<1x8x16x16xf32>) -> tensor<1x8x16x16xf32>
    dataflow.yield %c2 : tensor<1x8x16x16xf32>
  }
  return %y : tensor<1x8x16x16xf32>
}

// -----

#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// The input is read by a padded convolution (with a margin) and by the
// residual add (without one): it is padded for the convolution, and the add
// reads it as it is.
// CHECK-LABEL: func.func @residual
// CHECK-SAME: (%[[X:[^:]+]]: tensor<1x4x8x8xf32>
// CHECK: "flow.dispatch.region"
// CHECK: %[[XP:.+]] = tensor.pad %[[X]] low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK-NOT: tensor.pad
// CHECK: %[[C:.+]] = linalg.conv_2d_nhwc_hwcf
// CHECK: linalg.generic {{.*}} ins(%[[C]], %[[X]] : tensor<1x8x8x4xf32>, tensor<1x4x8x8xf32>)
// CHECK-SAME: vtile.dispatch = "residual.0"
// CHECK: "flow.return"
func.func @residual(%x: tensor<1x4x8x8xf32>, %w: tensor<4x4x3x3xf32>) -> tensor<1x4x8x8xf32> {
  %y = dataflow.kernel ins(%x, %w : tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>)
      plan <tile = [1, 4, 2, 8], halos = [<low = [0, 0, 1, 1], high = [0, 0, 1, 1]>, <low = [0, 0, 0, 0], high = [0, 0, 0, 0]>], order = [0, 1, 2, 3], device = "cpu", peak_bytes = 256, recompute = 1.0, lowering = "dispatch"> -> tensor<1x4x8x8xf32> {
  ^bb0(%in: tensor<1x4x8x8xf32>, %f: tensor<4x4x3x3xf32>):
    %zero = arith.constant 0.0 : f32
    %e = tensor.empty() : tensor<1x4x8x8xf32>
    %fill = linalg.fill ins(%zero : f32) outs(%e : tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
    %p = tensor.pad %in low[0, 0, 1, 1] high[0, 0, 1, 1] {
    ^bb0(%i0: index, %i1: index, %i2: index, %i3: index):
      tensor.yield %zero : f32
    } : tensor<1x4x8x8xf32> to tensor<1x4x10x10xf32>
    %c = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>} ins(%p, %f : tensor<1x4x10x10xf32>, tensor<4x4x3x3xf32>) outs(%fill : tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
    %sum = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c, %in : tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) outs(%e : tensor<1x4x8x8xf32>) {
    ^bb0(%a: f32, %b: f32, %o: f32):
      %s = arith.addf %a, %b : f32
      linalg.yield %s : f32
    } -> tensor<1x4x8x8xf32>
    dataflow.yield %sum : tensor<1x4x8x8xf32>
  }
  return %y : tensor<1x4x8x8xf32>
}

// -----

#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// A destination that is a kernel input, of an op that does not reduce, would
// be copied whole by every workgroup: the kernel keeps its tile loops.
// CHECK-LABEL: func.func @input_destination
// CHECK-NOT: flow.dispatch.region
// CHECK: dataflow.kernel
func.func @input_destination(%x: tensor<1x4x8x8xf32>, %acc: tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32> {
  // expected-remark @+1 {{kept as tile loops, not one dispatch: linalg.generic: its destination is computed before it and not added into}}
  %y = dataflow.kernel ins(%x, %acc : tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>)
      plan <tile = [1, 4, 2, 8], halos = [<low = [0, 0, 0, 0], high = [0, 0, 0, 0]>, <low = [0, 0, 0, 0], high = [0, 0, 0, 0]>], order = [0, 1, 2, 3], device = "cpu", peak_bytes = 256, recompute = 1.0, lowering = "dispatch"> -> tensor<1x4x8x8xf32> {
  ^bb0(%in: tensor<1x4x8x8xf32>, %a: tensor<1x4x8x8xf32>):
    %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%in : tensor<1x4x8x8xf32>) outs(%a : tensor<1x4x8x8xf32>) {
    ^bb0(%v: f32, %o: f32):
      %s = arith.addf %v, %o : f32
      linalg.yield %s : f32
    } -> tensor<1x4x8x8xf32>
    dataflow.yield %r : tensor<1x4x8x8xf32>
  }
  return %y : tensor<1x4x8x8xf32>
}

// -----

#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#bias = affine_map<(d0, d1, d2, d3) -> (d1)>
// A convolution accumulating into its bias (PyTorch's form) starts from zero
// inside the region, and the bias is added after it, read as the 1-D
// vector: no tensor of the output's size is computed outside.
// CHECK-LABEL: func.func @bias_init
// CHECK-NOT: linalg.generic
// CHECK: "flow.dispatch.region"
// CHECK: %[[Z:.+]] = linalg.fill {{.*}} -> tensor<1x8x8x8xf32>
// CHECK: %[[C:.+]] = linalg.conv_2d_nhwc_hwcf {{.*}} outs(%[[Z]] : tensor<1x8x8x8xf32>)
// CHECK: linalg.generic {{.*}} ins(%[[C]], %{{.+}} : tensor<1x8x8x8xf32>, tensor<8xf32>) outs(%{{.+}} : tensor<1x8x8x8xf32>)
// CHECK-SAME: vtile.dispatch = "bias_init.0"
// CHECK: arith.addf
// CHECK: arith.maximumf
// CHECK: "flow.return"
func.func @bias_init(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x1x1xf32>, %b: tensor<8xf32>) -> tensor<1x8x8x8xf32> {
  %y = dataflow.kernel ins(%x, %w, %b : tensor<1x4x8x8xf32>, tensor<8x4x1x1xf32>, tensor<8xf32>)
      plan <tile = [1, 8, 2, 8], halos = [<low = [0, 0, 0, 0], high = [0, 0, 0, 0]>, <low = [0, 0, 0, 0], high = [0, 0, 0, 0]>, <low = [0], high = [0]>], order = [0, 1, 2, 3], device = "cpu", peak_bytes = 256, recompute = 1.0, lowering = "dispatch"> -> tensor<1x8x8x8xf32> {
  ^bb0(%in: tensor<1x4x8x8xf32>, %f: tensor<8x4x1x1xf32>, %bv: tensor<8xf32>):
    %zero = arith.constant 0.0 : f32
    %e = tensor.empty() : tensor<1x8x8x8xf32>
    %init = linalg.generic {indexing_maps = [#bias, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%bv : tensor<8xf32>) outs(%e : tensor<1x8x8x8xf32>) {
    ^bb0(%v: f32, %o: f32):
      linalg.yield %v : f32
    } -> tensor<1x8x8x8xf32>
    %c = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>} ins(%in, %f : tensor<1x4x8x8xf32>, tensor<8x4x1x1xf32>) outs(%init : tensor<1x8x8x8xf32>) -> tensor<1x8x8x8xf32>
    %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c : tensor<1x8x8x8xf32>) outs(%e : tensor<1x8x8x8xf32>) {
    ^bb0(%v: f32, %o: f32):
      %m = arith.maximumf %v, %zero : f32
      linalg.yield %m : f32
    } -> tensor<1x8x8x8xf32>
    dataflow.yield %r : tensor<1x8x8x8xf32>
  }
  return %y : tensor<1x8x8x8xf32>
}

// -----

#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// %y is computed in the kernel and read by a padded convolution (a margin of
// 1) and by the residual add (none): it is computed with the margin, and
// the add reads it one row and one column in. Both readers are elementwise,
// so each gets its own copy of %y fused in (as IREE's multi-use fusion
// would do, dropping vtile's tags): the pad's mask and the add read the
// padded input directly.
// CHECK-DAG: #[[SHIFT:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d1 + 1, d2 + 1)>
// CHECK-LABEL: func.func @computed_residual
// CHECK: "flow.dispatch.region"
// CHECK: %[[XP:.+]] = tensor.pad
// CHECK: %[[M:.+]] = linalg.generic {{.*}} ins(%[[XP]] : tensor<1x4x10x10xf32>) outs(%{{.+}} : tensor<1x10x10x4xf32>)
// CHECK: arith.maximumf
// CHECK: linalg.index 1
// CHECK: %[[C:.+]] = linalg.conv_2d_nhwc_hwcf {{.*}} ins(%[[M]], %{{.+}} : tensor<1x10x10x4xf32>, tensor<3x3x4x4xf32>)
// CHECK: linalg.generic {indexing_maps = [#{{.+}}, #[[SHIFT]], #{{.+}}]{{.*}} ins(%[[C]], %[[XP]] : tensor<1x8x8x4xf32>, tensor<1x4x10x10xf32>)
// CHECK-SAME: vtile.dispatch = "computed_residual.0"
// CHECK: arith.maximumf
// CHECK: arith.addf
// CHECK-NOT: linalg.generic
// CHECK: "flow.return"
func.func @computed_residual(%x: tensor<1x4x8x8xf32>, %w: tensor<4x4x3x3xf32>) -> tensor<1x4x8x8xf32> {
  %y = dataflow.kernel ins(%x, %w : tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>)
      plan <tile = [1, 4, 2, 8], halos = [<low = [0, 0, 1, 1], high = [0, 0, 1, 1]>, <low = [0, 0, 0, 0], high = [0, 0, 0, 0]>], order = [0, 1, 2, 3], device = "cpu", peak_bytes = 256, recompute = 1.0, lowering = "dispatch"> -> tensor<1x4x8x8xf32> {
  ^bb0(%in: tensor<1x4x8x8xf32>, %f: tensor<4x4x3x3xf32>):
    %zero = arith.constant 0.0 : f32
    %e = tensor.empty() : tensor<1x4x8x8xf32>
    %fill = linalg.fill ins(%zero : f32) outs(%e : tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
    %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%in : tensor<1x4x8x8xf32>) outs(%e : tensor<1x4x8x8xf32>) {
    ^bb0(%v: f32, %o: f32):
      %m = arith.maximumf %v, %zero : f32
      linalg.yield %m : f32
    } -> tensor<1x4x8x8xf32>
    %p = tensor.pad %r low[0, 0, 1, 1] high[0, 0, 1, 1] {
    ^bb0(%i0: index, %i1: index, %i2: index, %i3: index):
      tensor.yield %zero : f32
    } : tensor<1x4x8x8xf32> to tensor<1x4x10x10xf32>
    %c = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>} ins(%p, %f : tensor<1x4x10x10xf32>, tensor<4x4x3x3xf32>) outs(%fill : tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
    %sum = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c, %r : tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) outs(%e : tensor<1x4x8x8xf32>) {
    ^bb0(%a: f32, %b: f32, %o: f32):
      %s = arith.addf %a, %b : f32
      linalg.yield %s : f32
    } -> tensor<1x4x8x8xf32>
    dataflow.yield %sum : tensor<1x4x8x8xf32>
  }
  return %y : tensor<1x4x8x8xf32>
}

// -----

// A convolution cannot read at an offset: a value a 1x1 convolution reads
// without a margin and a padded one with a margin keeps its tile loops.
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @two_windows
// CHECK-NOT: flow.dispatch.region
// CHECK: dataflow.kernel
func.func @two_windows(%x: tensor<1x4x8x8xf32>, %w: tensor<4x4x3x3xf32>, %v: tensor<4x4x1x1xf32>) -> tensor<1x4x8x8xf32> {
  // expected-remark @+1 {{kept as tile loops, not one dispatch: linalg.conv_2d_nchw_fchw: it reads a value other ops read with a wider window, which only an elementwise op or a pad can}}
  %y = dataflow.kernel ins(%x, %w, %v : tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>, tensor<4x4x1x1xf32>)
      plan <tile = [1, 4, 2, 8], halos = [<low = [0, 0, 1, 1], high = [0, 0, 1, 1]>, <low = [0, 0, 0, 0], high = [0, 0, 0, 0]>, <low = [0, 0, 0, 0], high = [0, 0, 0, 0]>], order = [0, 1, 2, 3], device = "cpu", peak_bytes = 256, recompute = 1.0, lowering = "dispatch"> -> tensor<1x4x8x8xf32> {
  ^bb0(%in: tensor<1x4x8x8xf32>, %f: tensor<4x4x3x3xf32>, %g: tensor<4x4x1x1xf32>):
    %zero = arith.constant 0.0 : f32
    %e = tensor.empty() : tensor<1x4x8x8xf32>
    %fill = linalg.fill ins(%zero : f32) outs(%e : tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
    %r = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>} ins(%in, %g : tensor<1x4x8x8xf32>, tensor<4x4x1x1xf32>) outs(%fill : tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
    %p = tensor.pad %r low[0, 0, 1, 1] high[0, 0, 1, 1] {
    ^bb0(%i0: index, %i1: index, %i2: index, %i3: index):
      tensor.yield %zero : f32
    } : tensor<1x4x8x8xf32> to tensor<1x4x10x10xf32>
    %c = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>} ins(%p, %f : tensor<1x4x10x10xf32>, tensor<4x4x3x3xf32>) outs(%fill : tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
    %n = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>} ins(%r, %g : tensor<1x4x8x8xf32>, tensor<4x4x1x1xf32>) outs(%fill : tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
    %sum = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c, %n : tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) outs(%e : tensor<1x4x8x8xf32>) {
    ^bb0(%a: f32, %b: f32, %o: f32):
      %s = arith.addf %a, %b : f32
      linalg.yield %s : f32
    } -> tensor<1x4x8x8xf32>
    dataflow.yield %sum : tensor<1x4x8x8xf32>
  }
  return %y : tensor<1x4x8x8xf32>
}

// -----

// A depthwise convolution (CHW filter -> HWC) and a max pooling become
// their NHWC forms; the ReLU between them iterates channels-last.
// CHECK-LABEL: func.func @depthwise_pool
// CHECK: "flow.dispatch.region"
// CHECK: %[[IN:.+]] = linalg.generic {{.*}} ins(%{{.+}} : tensor<1x8x8x8xf32>) outs(%{{.+}} : tensor<1x8x8x8xf32>)
// CHECK: %[[W:.+]] = linalg.generic {{.*}} ins(%{{.+}} : tensor<8x3x3xf32>) outs(%{{.+}} : tensor<3x3x8xf32>)
// CHECK: %[[D:.+]] = linalg.depthwise_conv_2d_nhwc_hwc {{.*}} ins(%[[IN]], %[[W]] : tensor<1x8x8x8xf32>, tensor<3x3x8xf32>) outs(%{{.+}} : tensor<1x6x6x8xf32>)
// CHECK: %[[RELU:.+]] = linalg.generic {{.*}} ins(%[[D]] : tensor<1x6x6x8xf32>) outs(%{{.+}} : tensor<1x6x6x8xf32>)
// CHECK: arith.maximumf
// CHECK: %[[P:.+]] = linalg.pooling_nhwc_max {{.*}} ins(%[[RELU]], %{{.+}} : tensor<1x6x6x8xf32>, tensor<2x2xf32>) outs(%{{.+}} : tensor<1x3x3x8xf32>)
// CHECK: linalg.generic {{.*}} ins(%[[P]] : tensor<1x3x3x8xf32>) outs(%{{.+}} : tensor<1x8x3x3xf32>)
// CHECK-SAME: vtile.dispatch = "depthwise_pool.0"
// CHECK: "flow.return"
func.func @depthwise_pool(%x: tensor<1x8x8x8xf32>, %w: tensor<8x3x3xf32>) -> tensor<1x8x3x3xf32> {
  %y = dataflow.kernel ins(%x, %w : tensor<1x8x8x8xf32>, tensor<8x3x3xf32>)
      plan <tile = [1, 8, 1, 3], halos = [<low = [0, 0, 0, 0], high = [0, 0, 0, 0]>, <low = [0, 0, 0], high = [0, 0, 0]>], order = [0, 1, 2, 3], device = "cpu", peak_bytes = 256, recompute = 1.0, lowering = "dispatch"> -> tensor<1x8x3x3xf32> {
  ^bb0(%in: tensor<1x8x8x8xf32>, %f: tensor<8x3x3xf32>):
    %zero = arith.constant 0.0 : f32
    %lowest = arith.constant -3.40282347E+38 : f32
    %e = tensor.empty() : tensor<1x8x6x6xf32>
    %fill = linalg.fill ins(%zero : f32) outs(%e : tensor<1x8x6x6xf32>) -> tensor<1x8x6x6xf32>
    %d = linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>} ins(%in, %f : tensor<1x8x8x8xf32>, tensor<8x3x3xf32>) outs(%fill : tensor<1x8x6x6xf32>) -> tensor<1x8x6x6xf32>
    %r = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%d : tensor<1x8x6x6xf32>) outs(%e : tensor<1x8x6x6xf32>) {
    ^bb0(%v: f32, %o: f32):
      %m = arith.maximumf %v, %zero : f32
      linalg.yield %m : f32
    } -> tensor<1x8x6x6xf32>
    %window = tensor.empty() : tensor<2x2xf32>
    %pe = tensor.empty() : tensor<1x8x3x3xf32>
    %pfill = linalg.fill ins(%lowest : f32) outs(%pe : tensor<1x8x3x3xf32>) -> tensor<1x8x3x3xf32>
    %p = linalg.pooling_nchw_max {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>} ins(%r, %window : tensor<1x8x6x6xf32>, tensor<2x2xf32>) outs(%pfill : tensor<1x8x3x3xf32>) -> tensor<1x8x3x3xf32>
    dataflow.yield %p : tensor<1x8x3x3xf32>
  }
  return %y : tensor<1x8x3x3xf32>
}
