// dataflow-verify-memory-plan: a function's order and arena checked against its IR.
// RUN: vtile-opt %s --split-input-file --dataflow-verify-memory-plan --verify-diagnostics | FileCheck %s

// A valid plan passes unchanged. A cast, a view as a reshape is, has no
// step: it runs with its source, and a read through it keeps the source's
// slot live.
// CHECK-LABEL: func.func @valid
// CHECK-SAME: dataflow.memory_plan = #dataflow.memory_plan<arena_bytes = 128, peak_bytes = 128, alignment = 64, order = "lowest-peak">
// CHECK: arith.negf {{.*}}dataflow.buffer = #dataflow.slot<offset = 0, bytes = 64, steps = [0, 2]>, dataflow.step = 0
// CHECK: tensor.cast
// CHECK: arith.negf {{.*}}dataflow.buffer = #dataflow.slot<offset = 64, bytes = 64, steps = [1, 2]>, dataflow.step = 1
func.func @valid(%x: tensor<16xf32>) -> tensor<?xf32> attributes {dataflow.memory_plan = #dataflow.memory_plan<arena_bytes = 128, peak_bytes = 128, alignment = 64, order = "lowest-peak">} {
  %a = arith.negf %x {dataflow.step = 0, dataflow.buffer = #dataflow.slot<offset = 0, bytes = 64, steps = [0, 2]>} : tensor<16xf32>
  %v = tensor.cast %a : tensor<16xf32> to tensor<?xf32>
  %b = arith.negf %x {dataflow.step = 1, dataflow.buffer = #dataflow.slot<offset = 64, bytes = 64, steps = [1, 2]>} : tensor<16xf32>
  %w = tensor.cast %b : tensor<16xf32> to tensor<?xf32>
  %s = arith.addf %v, %w {dataflow.step = 2} : tensor<?xf32>
  return %s : tensor<?xf32>
}

// -----

func.func @step_before_its_input(%x: tensor<16xf32>) -> tensor<16xf32> attributes {dataflow.memory_plan = #dataflow.memory_plan<arena_bytes = 64, peak_bytes = 64, alignment = 64, order = "lowest-peak">} {
  // expected-note @below {{computed here}}
  %a = arith.negf %x {dataflow.step = 1, dataflow.buffer = #dataflow.slot<offset = 0, bytes = 64, steps = [0, 1]>} : tensor<16xf32>
  // expected-error @below {{step 0 reads a value computed at step 1; steps must follow uses}}
  %b = arith.negf %a {dataflow.step = 0} : tensor<16xf32>
  return %b : tensor<16xf32>
}

// -----

func.func @overlap(%x: tensor<16xf32>) -> tensor<16xf32> attributes {dataflow.memory_plan = #dataflow.memory_plan<arena_bytes = 128, peak_bytes = 128, alignment = 64, order = "program">} {
  // expected-note @below {{the other slot's op}}
  %a = arith.negf %x {dataflow.step = 0, dataflow.buffer = #dataflow.slot<offset = 0, bytes = 64, steps = [0, 2]>} : tensor<16xf32>
  // expected-error @below {{slot #dataflow.slot<offset = 0, bytes = 64, steps = [1, 2]> overlaps another slot live at the same time: #dataflow.slot<offset = 0, bytes = 64, steps = [0, 2]>}}
  %b = arith.negf %x {dataflow.step = 1, dataflow.buffer = #dataflow.slot<offset = 0, bytes = 64, steps = [1, 2]>} : tensor<16xf32>
  %s = arith.addf %a, %b {dataflow.step = 2} : tensor<16xf32>
  return %s : tensor<16xf32>
}

// -----

// Reusing bytes is fine once the first buffer is dead.
// CHECK-LABEL: func.func @reuse
func.func @reuse(%x: tensor<16xf32>) -> tensor<16xf32> attributes {dataflow.memory_plan = #dataflow.memory_plan<arena_bytes = 128, peak_bytes = 128, alignment = 64, order = "program">} {
  %a = arith.negf %x {dataflow.step = 0, dataflow.buffer = #dataflow.slot<offset = 0, bytes = 64, steps = [0, 1]>} : tensor<16xf32>
  %b = arith.negf %a {dataflow.step = 1, dataflow.buffer = #dataflow.slot<offset = 64, bytes = 64, steps = [1, 2]>} : tensor<16xf32>
  %c = arith.negf %b {dataflow.step = 2, dataflow.buffer = #dataflow.slot<offset = 0, bytes = 64, steps = [2, 3]>} : tensor<16xf32>
  %d = arith.negf %c {dataflow.step = 3} : tensor<16xf32>
  return %d : tensor<16xf32>
}

// -----

func.func @dies_before_its_last_read(%x: tensor<16xf32>) -> tensor<?xf32> attributes {dataflow.memory_plan = #dataflow.memory_plan<arena_bytes = 64, peak_bytes = 64, alignment = 64, order = "program">} {
  // expected-error @below {{slot is live until step 0 but its buffer is read at step 1}}
  %a = arith.negf %x {dataflow.step = 0, dataflow.buffer = #dataflow.slot<offset = 0, bytes = 64, steps = [0, 0]>} : tensor<16xf32>
  %v = tensor.cast %a : tensor<16xf32> to tensor<?xf32>
  %b = arith.negf %v {dataflow.step = 1} : tensor<?xf32>
  return %b : tensor<?xf32>
}

// -----

func.func @too_small(%x: tensor<16xf32>) -> tensor<16xf32> attributes {dataflow.memory_plan = #dataflow.memory_plan<arena_bytes = 64, peak_bytes = 64, alignment = 64, order = "program">} {
  // expected-error @below {{slot of 32 bytes cannot hold the result's 64}}
  %a = arith.negf %x {dataflow.step = 0, dataflow.buffer = #dataflow.slot<offset = 0, bytes = 32, steps = [0, 1]>} : tensor<16xf32>
  %b = arith.negf %a {dataflow.step = 1} : tensor<16xf32>
  return %b : tensor<16xf32>
}

// -----

func.func @outside_the_arena(%x: tensor<16xf32>) -> tensor<16xf32> attributes {dataflow.memory_plan = #dataflow.memory_plan<arena_bytes = 64, peak_bytes = 64, alignment = 64, order = "program">} {
  // expected-error @below {{'dataflow.buffer' bytes [64, 128) are not an aligned range of the 64-byte arena (alignment 64)}}
  %a = arith.negf %x {dataflow.step = 0, dataflow.buffer = #dataflow.slot<offset = 64, bytes = 64, steps = [0, 1]>} : tensor<16xf32>
  %b = arith.negf %a {dataflow.step = 1} : tensor<16xf32>
  return %b : tensor<16xf32>
}

// -----

func.func @unaligned(%x: tensor<16xf32>) -> tensor<16xf32> attributes {dataflow.memory_plan = #dataflow.memory_plan<arena_bytes = 256, peak_bytes = 256, alignment = 64, order = "program">} {
  // expected-error @below {{'dataflow.scratch' bytes [32, 96) are not an aligned range of the 256-byte arena (alignment 64)}}
  %a = arith.negf %x {dataflow.step = 0, dataflow.scratch = #dataflow.slot<offset = 32, bytes = 64, steps = [0, 0]>} : tensor<16xf32>
  return %a : tensor<16xf32>
}

// -----

func.func @slot_missing_its_step(%x: tensor<16xf32>) -> tensor<16xf32> attributes {dataflow.memory_plan = #dataflow.memory_plan<arena_bytes = 64, peak_bytes = 64, alignment = 64, order = "program">} {
  %a = arith.negf %x {dataflow.step = 0} : tensor<16xf32>
  // expected-error @below {{'dataflow.scratch' is live at steps [0, 0], not at step 1 where its op runs}}
  %b = arith.negf %a {dataflow.step = 1, dataflow.scratch = #dataflow.slot<offset = 0, bytes = 64, steps = [0, 0]>} : tensor<16xf32>
  return %b : tensor<16xf32>
}

// -----

func.func @returned(%x: tensor<16xf32>) -> tensor<?xf32> attributes {dataflow.memory_plan = #dataflow.memory_plan<arena_bytes = 64, peak_bytes = 64, alignment = 64, order = "program">} {
  // expected-error @below {{a returned value has a 'dataflow.buffer' slot; IREE allocates results apart from the arena}}
  %a = arith.negf %x {dataflow.step = 0, dataflow.buffer = #dataflow.slot<offset = 0, bytes = 64, steps = [0, 0]>} : tensor<16xf32>
  %v = tensor.cast %a : tensor<16xf32> to tensor<?xf32>
  return %v : tensor<?xf32>
}

// -----

// expected-error @below {{ops carry 'dataflow.step' but the function has no 'dataflow.memory_plan'}}
func.func @no_plan(%x: tensor<16xf32>) -> tensor<16xf32> {
  %a = arith.negf %x {dataflow.step = 0} : tensor<16xf32>
  return %a : tensor<16xf32>
}

// -----

func.func @not_a_step(%x: tensor<16xf32>) -> tensor<16xf32> attributes {dataflow.memory_plan = #dataflow.memory_plan<arena_bytes = 0, peak_bytes = 0, alignment = 64, order = "program">} {
  // expected-error @below {{'dataflow.step' must be a non-negative integer}}
  %a = arith.negf %x {dataflow.step = "first"} : tensor<16xf32>
  return %a : tensor<16xf32>
}

// -----

// expected-error @below {{slot steps [2, 1] are not a range of steps}}
func.func private @backwards() attributes {dataflow.slot = #dataflow.slot<offset = 0, bytes = 64, steps = [2, 1]>}

// -----

// expected-error @below {{memory plan order "fifo" is neither "program" nor "lowest-peak"}}
func.func private @unknown_order() attributes {dataflow.memory_plan = #dataflow.memory_plan<arena_bytes = 0, peak_bytes = 0, alignment = 64, order = "fifo">}

// -----

// expected-error @below {{memory plan alignment 48 must be a power of two}}
func.func private @odd_alignment() attributes {dataflow.memory_plan = #dataflow.memory_plan<arena_bytes = 0, peak_bytes = 0, alignment = 48, order = "program">}
