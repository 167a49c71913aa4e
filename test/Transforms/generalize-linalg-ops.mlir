// generalize-linalg-ops: only the listed named ops become linalg.generic.
// RUN: vtile-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(generalize-linalg-ops{ops=linalg.exp,linalg.add}))" | FileCheck %s
// RUN: vtile-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(generalize-linalg-ops))" | FileCheck %s --check-prefix=NONE

// The listed elementwise ops are rewritten with their bodies; the matmul,
// which is not listed, keeps its named form.
// CHECK-LABEL: func.func @listed_only
// CHECK-SAME: (%[[A:.+]]: tensor<4x8xf32>, %[[B:.+]]: tensor<8x4xf32>)
// CHECK: %[[M:.+]] = linalg.matmul ins(%[[A]], %[[B]]
// CHECK: %[[X:.+]] = linalg.generic {{.+}} ins(%[[M]] : tensor<4x4xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.+]]: f32, %{{.+}}: f32):
// CHECK-NEXT: %[[E:.+]] = math.exp %[[IN]] : f32
// CHECK-NEXT: linalg.yield %[[E]]
// CHECK: linalg.generic {{.+}} ins(%[[X]], %[[M]] : tensor<4x4xf32>, tensor<4x4xf32>)
// CHECK-NEXT: ^bb0(%[[L:.+]]: f32, %[[R:.+]]: f32, %{{.+}}: f32):
// CHECK-NEXT: %[[S:.+]] = arith.addf %[[L]], %[[R]] : f32
// CHECK-NEXT: linalg.yield %[[S]]
// CHECK: linalg.tanh
// CHECK-NOT: linalg.exp
// CHECK-NOT: linalg.add
// NONE-LABEL: func.func @listed_only
// NONE: linalg.exp
// NONE: linalg.add
func.func @listed_only(%a: tensor<4x8xf32>, %b: tensor<8x4xf32>) -> tensor<4x4xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x4xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4x4xf32>) -> tensor<4x4xf32>
  %m = linalg.matmul ins(%a, %b : tensor<4x8xf32>, tensor<8x4xf32>) outs(%f : tensor<4x4xf32>) -> tensor<4x4xf32>
  %x = linalg.exp ins(%m : tensor<4x4xf32>) outs(%e : tensor<4x4xf32>) -> tensor<4x4xf32>
  %s = linalg.add ins(%x, %m : tensor<4x4xf32>, tensor<4x4xf32>) outs(%e : tensor<4x4xf32>) -> tensor<4x4xf32>
  %t = linalg.tanh ins(%s : tensor<4x4xf32>) outs(%e : tensor<4x4xf32>) -> tensor<4x4xf32>
  return %t : tensor<4x4xf32>
}
