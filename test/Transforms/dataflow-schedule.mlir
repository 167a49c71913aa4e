// dataflow-schedule: a function's ops moved into its memory plan's order.
// RUN: vtile-opt %s --split-input-file --dataflow-schedule --verify-diagnostics | FileCheck %s

// Program order widens both branches before narrowing either; the plan
// runs each branch through. The constant moves to just before its first
// reader, the untouched function keeps its order.
// CHECK-LABEL: func.func @branches
// CHECK-NEXT: %[[A:.+]] = arith.negf %{{.+}} {{{.*}}dataflow.step = 0
// CHECK-NEXT: %[[A2:.+]] = arith.mulf %[[A]], %[[A]] {{{.*}}dataflow.step = 1
// CHECK-NEXT: %[[B:.+]] = arith.negf %{{.+}} {{{.*}}dataflow.step = 2
// CHECK-NEXT: %[[C:.+]] = arith.constant dense<2.000000e+00>
// CHECK-NEXT: %[[B2:.+]] = arith.mulf %[[B]], %[[C]] {{{.*}}dataflow.step = 3
// CHECK-NEXT: %[[S:.+]] = arith.addf %[[A2]], %[[B2]] {dataflow.step = 4
// CHECK-NEXT: return %[[S]]
func.func @branches(%x: tensor<16xf32>) -> tensor<16xf32> attributes {dataflow.memory_plan = #dataflow.memory_plan<arena_bytes = 192, peak_bytes = 192, alignment = 64, order = "lowest-peak">} {
  %c = arith.constant dense<2.0> : tensor<16xf32>
  %a = arith.negf %x {dataflow.step = 0, dataflow.buffer = #dataflow.slot<offset = 0, bytes = 64, steps = [0, 1]>} : tensor<16xf32>
  %b = arith.negf %x {dataflow.step = 2, dataflow.buffer = #dataflow.slot<offset = 0, bytes = 64, steps = [2, 3]>} : tensor<16xf32>
  %a2 = arith.mulf %a, %a {dataflow.step = 1, dataflow.buffer = #dataflow.slot<offset = 64, bytes = 64, steps = [1, 4]>} : tensor<16xf32>
  %b2 = arith.mulf %b, %c {dataflow.step = 3, dataflow.buffer = #dataflow.slot<offset = 128, bytes = 64, steps = [3, 4]>} : tensor<16xf32>
  %s = arith.addf %a2, %b2 {dataflow.step = 4} : tensor<16xf32>
  return %s : tensor<16xf32>
}

// CHECK-LABEL: func.func @unplanned
// CHECK-NEXT: arith.negf
// CHECK-NEXT: arith.mulf
func.func @unplanned(%x: tensor<16xf32>) -> tensor<16xf32> {
  %a = arith.negf %x : tensor<16xf32>
  %b = arith.mulf %a, %x : tensor<16xf32>
  return %b : tensor<16xf32>
}

// -----

// An invalid plan is not applied.
func.func @invalid(%x: tensor<16xf32>) -> tensor<16xf32> attributes {dataflow.memory_plan = #dataflow.memory_plan<arena_bytes = 64, peak_bytes = 64, alignment = 64, order = "lowest-peak">} {
  // expected-note @below {{computed here}}
  %a = arith.negf %x {dataflow.step = 1} : tensor<16xf32>
  // expected-error @below {{step 0 reads a value computed at step 1; steps must follow uses}}
  %b = arith.negf %a {dataflow.step = 0} : tensor<16xf32>
  return %b : tensor<16xf32>
}
