// dataflow-inline-kernels: kernel bodies inlined into their parent, and the error for a kernel whose tile loops are not lowered yet.
// RUN: vtile-opt %s --split-input-file --dataflow-inline-kernels --verify-diagnostics | FileCheck %s --implicit-check-not=dataflow.

// Block arguments become the kernel's inputs, results the yielded values.
// CHECK-LABEL: func.func @inline
// CHECK-SAME: (%[[X:[^:]+]]: tensor<8xf32>, %[[Y:[^:]+]]: tensor<8xf32>)
func.func @inline(%x: tensor<8xf32>, %y: tensor<8xf32>) -> (tensor<8xf32>, tensor<8xf32>) {
  // CHECK-NEXT: %[[E:.+]] = tensor.empty() : tensor<8xf32>
  // CHECK-NEXT: %[[SUM:.+]] = linalg.add ins(%[[X]], %[[Y]] : tensor<8xf32>, tensor<8xf32>) outs(%[[E]] : tensor<8xf32>)
  // CHECK-NEXT: %[[EXP:.+]] = linalg.exp ins(%[[SUM]] : tensor<8xf32>) outs(%[[E]] : tensor<8xf32>)
  %k:2 = dataflow.kernel ins(%x, %y : tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>, tensor<8xf32> {
  ^bb0(%a: tensor<8xf32>, %b: tensor<8xf32>):
    %e = tensor.empty() : tensor<8xf32>
    %s = linalg.add ins(%a, %b : tensor<8xf32>, tensor<8xf32>) outs(%e : tensor<8xf32>) -> tensor<8xf32>
    %t = linalg.exp ins(%s : tensor<8xf32>) outs(%e : tensor<8xf32>) -> tensor<8xf32>
    dataflow.yield %t, %s : tensor<8xf32>, tensor<8xf32>
  }
  // CHECK-NEXT: %[[NEG:.+]] = linalg.negf ins(%[[EXP]] : tensor<8xf32>) outs(%[[SUM]] : tensor<8xf32>)
  // CHECK-NEXT: return %[[NEG]], %[[SUM]] : tensor<8xf32>, tensor<8xf32>
  %n = linalg.negf ins(%k#0 : tensor<8xf32>) outs(%k#1 : tensor<8xf32>) -> tensor<8xf32>
  return %n, %k#1 : tensor<8xf32>, tensor<8xf32>
}

// -----

// A planned kernel whose tile loop is lowered, and a second kernel reading
// its result: both are inlined in place, in order.
// CHECK-LABEL: func.func @planned_chain
// CHECK-SAME: (%[[X:[^:]+]]: tensor<8xf32>)
func.func @planned_chain(%x: tensor<8xf32>) -> tensor<8xf32> {
  // CHECK-NEXT: %[[OUT:.+]] = tensor.empty() : tensor<8xf32>
  // CHECK-NEXT: %[[S0:.+]] = tensor.extract_slice %[[X]][0] [4] [1]
  // CHECK-NEXT: %[[R0:.+]] = tensor.insert_slice %[[S0]] into %[[OUT]][0] [4] [1]
  // CHECK-NEXT: %[[S1:.+]] = tensor.extract_slice %[[X]][4] [4] [1]
  // CHECK-NEXT: %[[R1:.+]] = tensor.insert_slice %[[S1]] into %[[R0]][4] [4] [1]
  %k = dataflow.kernel ins(%x : tensor<8xf32>) plan <tile = [4], halos = [<low = [0], high = [0]>], order = [0], device = "cpu", peak_bytes = 0, recompute = 1.0> -> tensor<8xf32> {
  ^bb0(%a: tensor<8xf32>):
    %out = tensor.empty() : tensor<8xf32>
    %s0 = tensor.extract_slice %a[0] [4] [1] : tensor<8xf32> to tensor<4xf32>
    %r0 = tensor.insert_slice %s0 into %out[0] [4] [1] : tensor<4xf32> into tensor<8xf32>
    %s1 = tensor.extract_slice %a[4] [4] [1] : tensor<8xf32> to tensor<4xf32>
    %r1 = tensor.insert_slice %s1 into %r0[4] [4] [1] : tensor<4xf32> into tensor<8xf32>
    dataflow.yield %r1 : tensor<8xf32>
  }
  // CHECK-NEXT: %[[E:.+]] = tensor.empty() : tensor<8xf32>
  // CHECK-NEXT: %[[ABS:.+]] = linalg.abs ins(%[[R1]] : tensor<8xf32>) outs(%[[E]] : tensor<8xf32>)
  // CHECK-NEXT: return %[[ABS]] : tensor<8xf32>
  %j = dataflow.kernel ins(%k : tensor<8xf32>) -> tensor<8xf32> {
  ^bb0(%b: tensor<8xf32>):
    %e = tensor.empty() : tensor<8xf32>
    %r = linalg.abs ins(%b : tensor<8xf32>) outs(%e : tensor<8xf32>) -> tensor<8xf32>
    dataflow.yield %r : tensor<8xf32>
  }
  return %j : tensor<8xf32>
}

// -----

func.func @loop_inside(%x: tensor<8xf32>) -> tensor<8xf32> {
  %k = dataflow.kernel ins(%x : tensor<8xf32>) -> tensor<8xf32> {
  ^bb0(%a: tensor<8xf32>):
    // expected-error @+1 {{tile loops must be lowered (tile-lower-loops) before their kernel is inlined}}
    %l = tile.loop (%i) tiles [4] -> tensor<8xf32> {
      %t = tensor.extract_slice %a[%i] [4] [1] : tensor<8xf32> to tensor<4xf32>
      tile.store %t : tensor<4xf32>
    }
    dataflow.yield %l : tensor<8xf32>
  }
  return %k : tensor<8xf32>
}
