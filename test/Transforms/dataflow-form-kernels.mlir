// dataflow-form-kernels: planned fusion groups outlined into dataflow.kernel ops, and the errors for malformed groups.
// RUN: vtile-opt %s --split-input-file --dataflow-form-kernels --verify-diagnostics | FileCheck %s --implicit-check-not=dataflow.group --implicit-check-not=dataflow.plan

#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @outline
// CHECK-SAME: (%[[X:[^:]+]]: tensor<1x4x16x16xf32>, %[[W:[^:]+]]: tensor<8x4x3x3xf32>)
func.func @outline(%x: tensor<1x4x16x16xf32>, %w: tensor<8x4x3x3xf32>) -> (tensor<1x8x16x16xf32>, tensor<1x8x8x16xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x8x16x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x8x16x16xf32>) -> tensor<1x8x16x16xf32>
  // Inputs are the tensors from outside, in first-use order; the constant,
  // the empty tensor and the fill are cloned into the body instead.
  // CHECK: %[[K:.+]] = dataflow.kernel ins(%[[X]], %[[W]] : tensor<1x4x16x16xf32>, tensor<8x4x3x3xf32>)
  // CHECK-SAME: plan <tile = [1, 8, 4, 16], halos = [<low = [0, 0, 1, 1], high = [0, 0, 1, 1]>, <low = [0, 0, 0, 0], high = [0, 0, 0, 0]>], order = [0, 1, 2, 3], device = "cpu", peak_bytes = 128, recompute = 1.25>
  // CHECK-SAME: -> tensor<1x8x16x16xf32> {
  // CHECK-NEXT: ^bb0(%[[IN:.+]]: tensor<1x4x16x16xf32>, %[[FILTER:.+]]: tensor<8x4x3x3xf32>):
  // CHECK-NEXT: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
  // CHECK-NEXT: %[[E:.+]] = tensor.empty() : tensor<1x8x16x16xf32>
  // CHECK-NEXT: %[[F:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[E]] : tensor<1x8x16x16xf32>)
  // CHECK-NEXT: %[[P:.+]] = tensor.pad %[[IN]] low[0, 0, 1, 1] high[0, 0, 1, 1]
  // CHECK: tensor.yield %[[ZERO]] : f32
  // CHECK: %[[C:.+]] = linalg.conv_2d_nchw_fchw {{{.*}}} ins(%[[P]], %[[FILTER]] : tensor<1x4x18x18xf32>, tensor<8x4x3x3xf32>) outs(%[[F]] : tensor<1x8x16x16xf32>)
  // CHECK: %[[R:.+]] = linalg.generic {{.*}} ins(%[[C]] : tensor<1x8x16x16xf32>) outs(%[[E]] : tensor<1x8x16x16xf32>)
  // CHECK: arith.maximumf %{{.+}}, %[[ZERO]] : f32
  // CHECK: dataflow.yield %[[R]] : tensor<1x8x16x16xf32>
  // CHECK-NEXT: }
  %p = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%a: index, %b: index, %c: index, %d: index):
    tensor.yield %zero : f32
  } {dataflow.group = 0} : tensor<1x4x16x16xf32> to tensor<1x4x18x18xf32>
  %c = linalg.conv_2d_nchw_fchw {dataflow.group = 0, dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>} ins(%p, %w : tensor<1x4x18x18xf32>, tensor<8x4x3x3xf32>) outs(%f : tensor<1x8x16x16xf32>) -> tensor<1x8x16x16xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c : tensor<1x8x16x16xf32>) outs(%e : tensor<1x8x16x16xf32>) attrs = {dataflow.group = 0, dataflow.plan = #dataflow.plan<tile = [1, 8, 4, 16], halos = [#dataflow.halo<low = [0, 0, 1, 1], high = [0, 0, 1, 1]>, #dataflow.halo<low = [0, 0, 0, 0], high = [0, 0, 0, 0]>], order = [0, 1, 2, 3], device = "cpu", peak_bytes = 128, recompute = 1.25>} {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x8x16x16xf32>
  // The root's uses now read the kernel's result.
  // CHECK-NOT: linalg.conv_2d_nchw_fchw
  // CHECK-NOT: tensor.pad
  // CHECK: %[[S:.+]] = tensor.extract_slice %[[K]][0, 0, 0, 0] [1, 8, 8, 16]
  %s = tensor.extract_slice %r[0, 0, 0, 0] [1, 8, 8, 16] [1, 1, 1, 1] : tensor<1x8x16x16xf32> to tensor<1x8x8x16xf32>
  // CHECK: return %[[K]], %[[S]]
  return %r, %s : tensor<1x8x16x16xf32>, tensor<1x8x8x16xf32>
}

// -----

// Two groups with an ungrouped op between them: each group becomes a kernel
// at its root, the ungrouped op stays as it is, and a constant weight is
// cloned into its kernel instead of becoming an input.
// CHECK-LABEL: func.func @two_groups
// CHECK-SAME: (%[[X:[^:]+]]: tensor<8xf32>)
func.func @two_groups(%x: tensor<8xf32>) -> tensor<8xf32> {
  %e = tensor.empty() : tensor<8xf32>
  %bias = arith.constant dense<0.5> : tensor<8xf32>
  // CHECK: %[[K0:.+]] = dataflow.kernel ins(%[[X]] : tensor<8xf32>) plan <tile = [2], {{.*}}> -> tensor<8xf32> {
  // CHECK-NEXT: ^bb0(%[[A0:.+]]: tensor<8xf32>):
  // CHECK-DAG: %[[BIAS:.+]] = arith.constant dense<5.000000e-01> : tensor<8xf32>
  // CHECK-DAG: %[[E0:.+]] = tensor.empty() : tensor<8xf32>
  // CHECK: %[[EXP:.+]] = linalg.exp ins(%[[A0]] : tensor<8xf32>) outs(%[[E0]] : tensor<8xf32>)
  // CHECK: %[[ADD:.+]] = linalg.add ins(%[[EXP]], %[[BIAS]] : tensor<8xf32>, tensor<8xf32>) outs(%[[E0]] : tensor<8xf32>)
  // CHECK: dataflow.yield %[[ADD]] : tensor<8xf32>
  %a = linalg.exp {dataflow.group = 0} ins(%x : tensor<8xf32>) outs(%e : tensor<8xf32>) -> tensor<8xf32>
  %b = linalg.add {dataflow.group = 0, dataflow.plan = #dataflow.plan<tile = [2], halos = [#dataflow.halo<low = [0], high = [0]>], order = [0], device = "cpu", peak_bytes = 0, recompute = 1.0>} ins(%a, %bias : tensor<8xf32>, tensor<8xf32>) outs(%e : tensor<8xf32>) -> tensor<8xf32>
  // CHECK: %[[NEG:.+]] = linalg.negf ins(%[[K0]] : tensor<8xf32>) outs(%{{.+}} : tensor<8xf32>) -> tensor<8xf32>
  %n = linalg.negf ins(%b : tensor<8xf32>) outs(%e : tensor<8xf32>) -> tensor<8xf32>
  // CHECK: %[[K1:.+]] = dataflow.kernel ins(%[[NEG]] : tensor<8xf32>) plan <tile = [4], {{.*}}, device = "gpu", {{.*}}> -> tensor<8xf32> {
  // CHECK-NEXT: ^bb0(%[[A1:.+]]: tensor<8xf32>):
  // CHECK-NEXT: %[[E1:.+]] = tensor.empty() : tensor<8xf32>
  // CHECK-NEXT: %[[ABS:.+]] = linalg.abs ins(%[[A1]] : tensor<8xf32>) outs(%[[E1]] : tensor<8xf32>)
  // CHECK-NEXT: dataflow.yield %[[ABS]] : tensor<8xf32>
  %r = linalg.abs {dataflow.group = 1, dataflow.plan = #dataflow.plan<tile = [4], halos = [#dataflow.halo<low = [0], high = [0]>], order = [0], device = "gpu", peak_bytes = 0, recompute = 1.0>} ins(%n : tensor<8xf32>) outs(%e : tensor<8xf32>) -> tensor<8xf32>
  // CHECK: return %[[K1]] : tensor<8xf32>
  return %r : tensor<8xf32>
}

// -----

// Without any group attribute the pass changes nothing.
// CHECK-LABEL: func.func @ungrouped
func.func @ungrouped(%x: tensor<8xf32>) -> tensor<8xf32> {
  // CHECK-NOT: dataflow.kernel
  // CHECK: %[[E:.+]] = tensor.empty() : tensor<8xf32>
  // CHECK-NEXT: %[[A:.+]] = linalg.exp ins(%{{.+}} : tensor<8xf32>) outs(%[[E]] : tensor<8xf32>)
  // CHECK-NEXT: return %[[A]]
  %e = tensor.empty() : tensor<8xf32>
  %a = linalg.exp ins(%x : tensor<8xf32>) outs(%e : tensor<8xf32>) -> tensor<8xf32>
  return %a : tensor<8xf32>
}

// -----

func.func @no_plan(%x: tensor<8xf32>) -> tensor<8xf32> {
  %e = tensor.empty() : tensor<8xf32>
  // expected-error @+1 {{fusion group 3 has no 'dataflow.plan' on its root op}}
  %a = linalg.exp {dataflow.group = 3} ins(%x : tensor<8xf32>) outs(%e : tensor<8xf32>) -> tensor<8xf32>
  %b = linalg.abs {dataflow.group = 3} ins(%a : tensor<8xf32>) outs(%e : tensor<8xf32>) -> tensor<8xf32>
  return %b : tensor<8xf32>
}

// -----

func.func @two_plans(%x: tensor<8xf32>) -> tensor<8xf32> {
  %e = tensor.empty() : tensor<8xf32>
  %a = linalg.exp {dataflow.group = 0, dataflow.plan = #dataflow.plan<tile = [4], halos = [#dataflow.halo<low = [0], high = [0]>], order = [0], device = "cpu", peak_bytes = 0, recompute = 1.0>} ins(%x : tensor<8xf32>) outs(%e : tensor<8xf32>) -> tensor<8xf32>
  // expected-error @+1 {{fusion group 0 has a second 'dataflow.plan'; only its root carries the plan}}
  %b = linalg.abs {dataflow.group = 0, dataflow.plan = #dataflow.plan<tile = [4], halos = [#dataflow.halo<low = [0], high = [0]>], order = [0], device = "cpu", peak_bytes = 0, recompute = 1.0>} ins(%a : tensor<8xf32>) outs(%e : tensor<8xf32>) -> tensor<8xf32>
  return %b : tensor<8xf32>
}

// -----

func.func @intermediate_escapes(%x: tensor<8xf32>) -> (tensor<8xf32>, tensor<8xf32>) {
  %e = tensor.empty() : tensor<8xf32>
  // expected-error @+1 {{result of this op in fusion group 0 is used outside the group}}
  %a = linalg.exp {dataflow.group = 0} ins(%x : tensor<8xf32>) outs(%e : tensor<8xf32>) -> tensor<8xf32>
  %b = linalg.abs {dataflow.group = 0, dataflow.plan = #dataflow.plan<tile = [4], halos = [#dataflow.halo<low = [0], high = [0]>], order = [0], device = "cpu", peak_bytes = 0, recompute = 1.0>} ins(%a : tensor<8xf32>) outs(%e : tensor<8xf32>) -> tensor<8xf32>
  // expected-note @+1 {{used here}}
  return %a, %b : tensor<8xf32>, tensor<8xf32>
}

// -----

func.func @not_a_plan(%x: tensor<8xf32>) -> tensor<8xf32> {
  %e = tensor.empty() : tensor<8xf32>
  // expected-error @+1 {{'dataflow.plan' must be a #dataflow.plan}}
  %a = linalg.exp {dataflow.group = 0, dataflow.plan = 1 : i64} ins(%x : tensor<8xf32>) outs(%e : tensor<8xf32>) -> tensor<8xf32>
  return %a : tensor<8xf32>
}

// -----

#id = affine_map<(d0) -> (d0)>
func.func @root_with_two_results(%x: tensor<8xf32>) -> tensor<8xf32> {
  %e = tensor.empty() : tensor<8xf32>
  // expected-error @+1 {{root of fusion group 0 has 2 results; expected one}}
  %a:2 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]} ins(%x : tensor<8xf32>) outs(%e, %e : tensor<8xf32>, tensor<8xf32>) attrs = {dataflow.group = 0, dataflow.plan = #dataflow.plan<tile = [4], halos = [#dataflow.halo<low = [0], high = [0]>], order = [0], device = "cpu", peak_bytes = 0, recompute = 1.0>} {
  ^bb0(%in: f32, %o1: f32, %o2: f32):
    linalg.yield %in, %in : f32, f32
  } -> (tensor<8xf32>, tensor<8xf32>)
  return %a#0 : tensor<8xf32>
}

// -----

// A scalar function argument is neither a tensor input nor a constant.
func.func @scalar_from_outside(%x: tensor<8xf32>, %s: f32) -> tensor<8xf32> {
  %e = tensor.empty() : tensor<8xf32>
  %f = linalg.fill {dataflow.group = 0} ins(%s : f32) outs(%e : tensor<8xf32>) -> tensor<8xf32>
  // expected-error @+1 {{fusion group 0 uses a non-tensor value from outside the group that is not a constant: <block argument> of type 'f32' at index: 1}}
  %a = linalg.add {dataflow.group = 0, dataflow.plan = #dataflow.plan<tile = [4], halos = [#dataflow.halo<low = [0], high = [0]>], order = [0], device = "cpu", peak_bytes = 0, recompute = 1.0>} ins(%x, %f : tensor<8xf32>, tensor<8xf32>) outs(%e : tensor<8xf32>) -> tensor<8xf32>
  return %a : tensor<8xf32>
}

// -----

func.func @several_blocks(%x: tensor<8xf32>, %cond: i1) -> tensor<8xf32> {
  %e = tensor.empty() : tensor<8xf32>
  %a = linalg.exp {dataflow.group = 0} ins(%x : tensor<8xf32>) outs(%e : tensor<8xf32>) -> tensor<8xf32>
  %r = scf.if %cond -> tensor<8xf32> {
    // expected-error @+1 {{fusion group 0 spans several blocks; a group must be straight-line code in one block}}
    %b = linalg.abs {dataflow.group = 0, dataflow.plan = #dataflow.plan<tile = [4], halos = [#dataflow.halo<low = [0], high = [0]>], order = [0], device = "cpu", peak_bytes = 0, recompute = 1.0>} ins(%a : tensor<8xf32>) outs(%e : tensor<8xf32>) -> tensor<8xf32>
    scf.yield %b : tensor<8xf32>
  } else {
    scf.yield %x : tensor<8xf32>
  }
  return %r : tensor<8xf32>
}

// -----

// The memory plan's step and slots move from the group's root to its kernel.
// CHECK-LABEL: func.func @planned
// CHECK: dataflow.kernel ins({{.*}}) plan <{{.*}}> attributes {dataflow.buffer = #dataflow.slot<offset = 0, bytes = 32, steps = [0, 1]>, dataflow.scratch = #dataflow.slot<offset = 64, bytes = 32, steps = [0, 0]>, dataflow.step = 0 : i64}
// CHECK-NOT: dataflow.step
// CHECK: dataflow.yield
// CHECK: linalg.abs {dataflow.step = 1 : i64}
func.func @planned(%x: tensor<8xf32>) -> tensor<8xf32> attributes {dataflow.memory_plan = #dataflow.memory_plan<arena_bytes = 128, peak_bytes = 64, alignment = 64, order = "program">} {
  %e = tensor.empty() : tensor<8xf32>
  %a = linalg.exp {dataflow.group = 0, dataflow.step = 0} ins(%x : tensor<8xf32>) outs(%e : tensor<8xf32>) -> tensor<8xf32>
  %b = linalg.abs {dataflow.group = 0, dataflow.step = 0, dataflow.plan = #dataflow.plan<tile = [4], halos = [#dataflow.halo<low = [0], high = [0]>], order = [0], device = "cpu", peak_bytes = 32, recompute = 1.0>, dataflow.buffer = #dataflow.slot<offset = 0, bytes = 32, steps = [0, 1]>, dataflow.scratch = #dataflow.slot<offset = 64, bytes = 32, steps = [0, 0]>} ins(%a : tensor<8xf32>) outs(%e : tensor<8xf32>) -> tensor<8xf32>
  %c = linalg.abs {dataflow.step = 1} ins(%b : tensor<8xf32>) outs(%e : tensor<8xf32>) -> tensor<8xf32>
  return %c : tensor<8xf32>
}

// -----

func.func @group_over_two_steps(%x: tensor<8xf32>) -> tensor<8xf32> attributes {dataflow.memory_plan = #dataflow.memory_plan<arena_bytes = 0, peak_bytes = 0, alignment = 64, order = "program">} {
  %e = tensor.empty() : tensor<8xf32>
  // expected-error @+1 {{fusion group 0 is one kernel, but its ops run at different 'dataflow.step's}}
  %a = linalg.exp {dataflow.group = 0, dataflow.step = 0} ins(%x : tensor<8xf32>) outs(%e : tensor<8xf32>) -> tensor<8xf32>
  %b = linalg.abs {dataflow.group = 0, dataflow.step = 1, dataflow.plan = #dataflow.plan<tile = [4], halos = [#dataflow.halo<low = [0], high = [0]>], order = [0], device = "cpu", peak_bytes = 32, recompute = 1.0>} ins(%a : tensor<8xf32>) outs(%e : tensor<8xf32>) -> tensor<8xf32>
  return %b : tensor<8xf32>
}
