// Every verifier error of the dataflow dialect.
// RUN: vtile-opt %s --split-input-file --verify-diagnostics

// expected-error @+1 {{halo has 2 low and 1 high entries; expected one of each per dimension}}
func.func private @f() attributes {h = #dataflow.halo<low = [1, 1], high = [1]>}

// -----

// expected-error @+1 {{halo in dimension 1 is [0, -1]; halos are non-negative}}
func.func private @f() attributes {h = #dataflow.halo<low = [0, 0], high = [0, -1]>}

// -----

// expected-error @+1 {{plan tile size 0 in dimension 1 must be positive}}
func.func private @f() attributes {p = #dataflow.plan<tile = [1, 0], halos = [#dataflow.halo<low = [0], high = [0]>], order = [0, 1], device = "cpu", peak_bytes = 0, recompute = 1.0>}

// -----

// expected-error @+1 {{plan order has 1 entries but the tile has 2 dimensions}}
func.func private @f() attributes {p = #dataflow.plan<tile = [1, 2], halos = [#dataflow.halo<low = [0], high = [0]>], order = [0], device = "cpu", peak_bytes = 0, recompute = 1.0>}

// -----

// expected-error @+1 {{plan order [0, 2] is not a permutation of the 2 tile dimensions}}
func.func private @f() attributes {p = #dataflow.plan<tile = [1, 2], halos = [#dataflow.halo<low = [0], high = [0]>], order = [0, 2], device = "cpu", peak_bytes = 0, recompute = 1.0>}

// -----

// expected-error @+1 {{plan needs a device placement}}
func.func private @f() attributes {p = #dataflow.plan<tile = [1], halos = [#dataflow.halo<low = [0], high = [0]>], order = [0], device = "", peak_bytes = 0, recompute = 1.0>}

// -----

// expected-error @+1 {{plan peak_bytes -5 must be non-negative}}
func.func private @f() attributes {p = #dataflow.plan<tile = [1], halos = [#dataflow.halo<low = [0], high = [0]>], order = [0], device = "cpu", peak_bytes = -5, recompute = 1.0>}

// -----

// expected-error @+1 {{plan recompute ratio 0.0 must be positive (1.0 = no recomputation)}}
func.func private @f() attributes {p = #dataflow.plan<tile = [1], halos = [#dataflow.halo<low = [0], high = [0]>], order = [0], device = "cpu", peak_bytes = 0, recompute = 0.0>}

// -----

func.func @f(%x: tensor<4x4xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{'dataflow.kernel' op plan tiles 1 dimensions but result 0 has rank 2}}
  %y = dataflow.kernel ins(%x : tensor<4x4xf32>) plan #dataflow.plan<tile = [2], halos = [#dataflow.halo<low = [0, 0], high = [0, 0]>], order = [0], device = "cpu", peak_bytes = 0, recompute = 1.0> -> tensor<4x4xf32> {
  ^bb0(%a: tensor<4x4xf32>):
    dataflow.yield %a : tensor<4x4xf32>
  }
  return %y : tensor<4x4xf32>
}

// -----

func.func @f(%x: tensor<4x4xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{'dataflow.kernel' op plan tile size 8 in dimension 1 exceeds result 0's size 4}}
  %y = dataflow.kernel ins(%x : tensor<4x4xf32>) plan #dataflow.plan<tile = [2, 8], halos = [#dataflow.halo<low = [0, 0], high = [0, 0]>], order = [0, 1], device = "cpu", peak_bytes = 0, recompute = 1.0> -> tensor<4x4xf32> {
  ^bb0(%a: tensor<4x4xf32>):
    dataflow.yield %a : tensor<4x4xf32>
  }
  return %y : tensor<4x4xf32>
}

// -----

func.func @f(%x: tensor<4x4xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{'dataflow.kernel' op plan has 2 halos but the kernel has 1 inputs}}
  %y = dataflow.kernel ins(%x : tensor<4x4xf32>) plan #dataflow.plan<tile = [2, 2], halos = [#dataflow.halo<low = [0, 0], high = [0, 0]>, #dataflow.halo<low = [0, 0], high = [0, 0]>], order = [0, 1], device = "cpu", peak_bytes = 0, recompute = 1.0> -> tensor<4x4xf32> {
  ^bb0(%a: tensor<4x4xf32>):
    dataflow.yield %a : tensor<4x4xf32>
  }
  return %y : tensor<4x4xf32>
}

// -----

func.func @f(%x: tensor<4x4xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{'dataflow.kernel' op halo of input 0 has 1 dimensions but the input has rank 2}}
  %y = dataflow.kernel ins(%x : tensor<4x4xf32>) plan #dataflow.plan<tile = [2, 2], halos = [#dataflow.halo<low = [0], high = [0]>], order = [0, 1], device = "cpu", peak_bytes = 0, recompute = 1.0> -> tensor<4x4xf32> {
  ^bb0(%a: tensor<4x4xf32>):
    dataflow.yield %a : tensor<4x4xf32>
  }
  return %y : tensor<4x4xf32>
}

// -----

func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'dataflow.kernel' op body arguments must match the 1 inputs in number and type}}
  %y = dataflow.kernel ins(%x : tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%a: tensor<8xf32>):
    %e = tensor.empty() : tensor<4xf32>
    dataflow.yield %e : tensor<4xf32>
  }
  return %y : tensor<4xf32>
}

// -----

func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'dataflow.kernel' op yields 0 values whose types do not match the 1 kernel results}}
  %y = dataflow.kernel ins(%x : tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%a: tensor<4xf32>):
    dataflow.yield
  }
  return %y : tensor<4xf32>
}

// -----

func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-note @+1 {{required by region isolation constraints}}
  %y = dataflow.kernel -> tensor<4xf32> {
    // expected-error @+1 {{using value defined outside the region}}
    dataflow.yield %x : tensor<4xf32>
  }
  return %y : tensor<4xf32>
}

// -----

func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'dataflow.transfer' op transfers from "cpu" to the same device}}
  %y = dataflow.transfer %x from "cpu" to "cpu" : tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = dataflow.kernel ins(%x : tensor<4xf32>) plan #dataflow.plan<tile = [2], halos = [#dataflow.halo<low = [0], high = [0]>], order = [0], device = "gpu", peak_bytes = 0, recompute = 1.0> -> tensor<4xf32> {
  ^bb0(%a: tensor<4xf32>):
    dataflow.yield %a : tensor<4xf32>
  }
  // expected-error @+1 {{'dataflow.transfer' op reads from "cpu" but its source kernel is placed on "gpu"}}
  %z = dataflow.transfer %y from "cpu" to "npu" : tensor<4xf32>
  return %z : tensor<4xf32>
}

// -----

func.func @f(%x: tensor<4xf32>) {
  // expected-error @+1 {{'dataflow.yield' op expects parent op 'dataflow.kernel'}}
  dataflow.yield %x : tensor<4xf32>
}
