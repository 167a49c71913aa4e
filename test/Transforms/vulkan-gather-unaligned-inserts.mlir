// vulkan-gather-unaligned-inserts: pads and inserts whose innermost offset is
// not a multiple of a 128-bit vector become gathers; aligned ones stay.
// RUN: vtile-opt %s --split-input-file --allow-unregistered-dialect --pass-pipeline="builtin.module(func.func(vulkan-gather-unaligned-inserts,canonicalize,cse))" | FileCheck %s
// RUN: vtile-opt %s --split-input-file --allow-unregistered-dialect --pass-pipeline="builtin.module(func.func(vulkan-gather-unaligned-inserts{vector-bits=64}))" | FileCheck %s --check-prefix=BITS64

// Low padding of 1 on the innermost dimension: a gather over a fresh
// tensor, reading the source at the clamped shifted index.
// CHECK-LABEL: func.func @pad_unaligned
// CHECK-SAME: (%[[X:.+]]: tensor<2x6xf32>)
// CHECK-DAG: %[[C1:.+]] = arith.constant 1 : index
// CHECK-DAG: %[[C5:.+]] = arith.constant 5 : index
// CHECK-DAG: %[[C6:.+]] = arith.constant 6 : index
// CHECK-DAG: %[[PAD:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[E:.+]] = tensor.empty() : tensor<2x8xf32>
// CHECK: linalg.generic {{.+}} outs(%[[E]] : tensor<2x8xf32>)
// CHECK: %[[I:.+]] = linalg.index 0
// CHECK: %[[J:.+]] = linalg.index 1
// CHECK: %[[S:.+]] = arith.subi %[[J]], %[[C1]]
// CHECK: %[[LT:.+]] = arith.cmpi slt, %[[S]], %[[C6]]
// CHECK: %[[IN:.+]] = arith.andi %{{.+}}, %[[LT]]
// CHECK: %[[CL:.+]] = arith.minsi %{{.+}}, %[[C5]]
// CHECK: %[[V:.+]] = tensor.extract %[[X]][%[[I]], %[[CL]]]
// CHECK: %[[R:.+]] = arith.select %[[IN]], %[[V]], %[[PAD]]
// CHECK: linalg.yield %[[R]]
// CHECK-NOT: tensor.pad
func.func @pad_unaligned(%x: tensor<2x6xf32>) -> tensor<2x8xf32> {
  %cst = arith.constant 0.0 : f32
  %p = tensor.pad %x low[0, 1] high[0, 1] {
  ^bb0(%i: index, %j: index):
    tensor.yield %cst : f32
  } : tensor<2x6xf32> to tensor<2x8xf32>
  return %p : tensor<2x8xf32>
}

// -----

// 4 f32 = 128 bits: aligned, left alone; outer-dimension padding never
// misaligns (the innermost size is a multiple of the vector).
// CHECK-LABEL: func.func @pad_aligned
// CHECK: tensor.pad %{{.+}} low[1, 4] high[1, 4]
// CHECK-NOT: linalg.generic
func.func @pad_aligned(%x: tensor<2x8xf32>) -> tensor<4x16xf32> {
  %cst = arith.constant 0.0 : f32
  %p = tensor.pad %x low[1, 4] high[1, 4] {
  ^bb0(%i: index, %j: index):
    tensor.yield %cst : f32
  } : tensor<2x8xf32> to tensor<4x16xf32>
  return %p : tensor<4x16xf32>
}

// -----

// 2 f16 = 32 bits, inside an 8 x f16 vector: rewritten.
// CHECK-LABEL: func.func @pad_f16_two
// CHECK: linalg.generic
// CHECK: tensor.extract %{{.+}} : tensor<2x8xf16>
// CHECK-NOT: tensor.pad
func.func @pad_f16_two(%x: tensor<2x8xf16>) -> tensor<2x12xf16> {
  %cst = arith.constant 0.0 : f16
  %p = tensor.pad %x low[0, 2] high[0, 2] {
  ^bb0(%i: index, %j: index):
    tensor.yield %cst : f16
  } : tensor<2x8xf16> to tensor<2x12xf16>
  return %p : tensor<2x12xf16>
}

// -----

// A padding value computed from the indices: the pad's region is cloned
// with the generic's indices.
// CHECK-LABEL: func.func @pad_index_value
// CHECK: %[[I:.+]] = linalg.index 0
// CHECK: %[[V:.+]] = tensor.extract
// CHECK: %[[P:.+]] = arith.index_cast %[[I]] : index to i32
// CHECK: arith.select %{{.+}}, %[[V]], %[[P]] : i32
func.func @pad_index_value(%x: tensor<4xi32>) -> tensor<6xi32> {
  %p = tensor.pad %x low[1] high[1] {
  ^bb0(%i: index):
    %v = arith.index_cast %i : index to i32
    tensor.yield %v : i32
  } : tensor<4xi32> to tensor<6xi32>
  return %p : tensor<6xi32>
}

// -----

// An insert keeps the destination's values outside the slice: the generic
// runs on the destination and selects its `out` value there.
// CHECK-LABEL: func.func @insert_unaligned
// CHECK-SAME: (%[[S:.+]]: tensor<2x3xf32>, %[[D:.+]]: tensor<2x8xf32>)
// CHECK: linalg.generic {{.+}} outs(%[[D]] : tensor<2x8xf32>)
// CHECK-NEXT: ^bb0(%[[OUT:.+]]: f32):
// CHECK: %[[V:.+]] = tensor.extract %[[S]]
// CHECK: arith.select %{{.+}}, %[[V]], %[[OUT]]
// CHECK-NOT: tensor.insert_slice
func.func @insert_unaligned(%s: tensor<2x3xf32>, %d: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %r = tensor.insert_slice %s into %d[0, 5] [2, 3] [1, 1] : tensor<2x3xf32> into tensor<2x8xf32>
  return %r : tensor<2x8xf32>
}

// -----

// A dropped dimension must equal its offset; a stride of 2 must divide the
// distance from the offset.
// CHECK-LABEL: func.func @insert_strided_rank_reduced
// CHECK-DAG: %[[C1:.+]] = arith.constant 1 : index
// CHECK-DAG: %[[C2:.+]] = arith.constant 2 : index
// CHECK: %[[I:.+]] = linalg.index 0
// CHECK: %[[DI:.+]] = arith.subi %[[I]], %[[C1]]
// CHECK: arith.cmpi eq, %[[DI]]
// CHECK: %[[J:.+]] = linalg.index 1
// CHECK: %[[DJ:.+]] = arith.subi %[[J]], %[[C1]]
// CHECK: %[[REM:.+]] = arith.remsi %[[DJ]], %[[C2]]
// CHECK: arith.cmpi eq, %[[REM]]
// CHECK: %[[POS:.+]] = arith.divsi %[[DJ]], %[[C2]]
// CHECK: arith.maxsi %[[POS]]
// CHECK: tensor.extract %{{.+}} : tensor<3xf32>
func.func @insert_strided_rank_reduced(%s: tensor<3xf32>, %d: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %r = tensor.insert_slice %s into %d[1, 1] [1, 3] [1, 2] : tensor<3xf32> into tensor<2x8xf32>
  return %r : tensor<2x8xf32>
}

// -----

// An offset unknown at compile time may be unaligned.
// CHECK-LABEL: func.func @insert_dynamic
// CHECK-SAME: %[[O:[^:]+]]: index)
// CHECK: linalg.generic
// CHECK: arith.subi %{{.+}}, %[[O]]
// CHECK-NOT: tensor.insert_slice
func.func @insert_dynamic(%s: tensor<2x3xf32>, %d: tensor<2x8xf32>, %o: index) -> tensor<2x8xf32> {
  %r = tensor.insert_slice %s into %d[0, %o] [2, 3] [1, 1] : tensor<2x3xf32> into tensor<2x8xf32>
  return %r : tensor<2x8xf32>
}

// -----

// A concat becomes inserts first: the one at offset 0 stays, the one at
// offset 3 is gathered.
// CHECK-LABEL: func.func @concat_last
// CHECK-SAME: (%[[A:.+]]: tensor<2x3xf32>, %[[B:.+]]: tensor<2x5xf32>)
// CHECK: %[[FIRST:.+]] = tensor.insert_slice %[[A]] into %{{.+}}[0, 0] [2, 3] [1, 1]
// CHECK: linalg.generic {{.+}} outs(%[[FIRST]] : tensor<2x8xf32>)
// CHECK: tensor.extract %[[B]]
// CHECK-NOT: tensor.concat
func.func @concat_last(%a: tensor<2x3xf32>, %b: tensor<2x5xf32>) -> tensor<2x8xf32> {
  %r = tensor.concat dim(1) %a, %b : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x8xf32>
  return %r : tensor<2x8xf32>
}

// -----

// With 64-bit vectors, low padding of 2 f32 is aligned: left alone.
// BITS64-LABEL: func.func @pad_two_bits64
// BITS64: tensor.pad %{{.+}} low[0, 2] high[0, 2]
// BITS64-NOT: linalg.generic
func.func @pad_two_bits64(%x: tensor<2x4xf32>) -> tensor<2x8xf32> {
  %cst = arith.constant 0.0 : f32
  %p = tensor.pad %x low[0, 2] high[0, 2] {
  ^bb0(%i: index, %j: index):
    tensor.yield %cst : f32
  } : tensor<2x4xf32> to tensor<2x8xf32>
  return %p : tensor<2x8xf32>
}

// -----

// A pad inside a one-dispatch group stays a pad (vtile's codegen spec fuses
// it into the group's workgroup loop); the one outside becomes a gather.
// CHECK-LABEL: func.func @pad_in_dispatch_region
// BITS64-LABEL: func.func @pad_in_dispatch_region
// CHECK: "flow.dispatch.region"
// CHECK: tensor.pad %{{.+}} low[0, 1] high[0, 1]
// CHECK: "flow.return"
// CHECK: linalg.generic
// CHECK-NOT: tensor.pad
func.func @pad_in_dispatch_region(%x: tensor<2x6xf32>) -> (tensor<2x8xf32>, tensor<2x8xf32>) {
  %cst = arith.constant 0.0 : f32
  %inside = "flow.dispatch.region"() ({
    %p = tensor.pad %x low[0, 1] high[0, 1] {
    ^bb0(%i: index, %j: index):
      tensor.yield %cst : f32
    } : tensor<2x6xf32> to tensor<2x8xf32>
    "flow.return"(%p) : (tensor<2x8xf32>) -> ()
  }) : () -> tensor<2x8xf32>
  %outside = tensor.pad %x low[0, 1] high[0, 1] {
  ^bb0(%i: index, %j: index):
    tensor.yield %cst : f32
  } : tensor<2x6xf32> to tensor<2x8xf32>
  return %inside, %outside : tensor<2x8xf32>, tensor<2x8xf32>
}
