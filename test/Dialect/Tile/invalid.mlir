// Every verifier error of the tile dialect.
// RUN: vtile-opt %s --split-input-file --verify-diagnostics

// expected-error @+1 {{memory level needs a non-empty name}}
func.func private @f() attributes {t = #tile.level<"", capacity = 1, bandwidth = 1.0>}

// -----

// expected-error @+1 {{memory level "l1" has capacity 0 bytes; expected a positive size}}
func.func private @f() attributes {t = #tile.level<"l1", capacity = 0, bandwidth = 1.0>}

// -----

// expected-error @+1 {{memory level "l1" has bandwidth -2.0 GB/s; expected a positive number}}
func.func private @f() attributes {t = #tile.level<"l1", capacity = 8, bandwidth = -2.0>}

// -----

// expected-error @+1 {{target "t" defines memory level "l1" twice}}
func.func private @f() attributes {t = #tile.target<"t", levels = [#tile.level<"l1", capacity = 8, bandwidth = 1.0>, #tile.level<"l1", capacity = 16, bandwidth = 1.0>]>}

// -----

// expected-error @+1 {{memory level "l2" (capacity 8) must be larger than the level inside it, "l1" (capacity 16); list levels innermost first}}
func.func private @f() attributes {t = #tile.target<"t", levels = [#tile.level<"l1", capacity = 16, bandwidth = 1.0>, #tile.level<"l2", capacity = 8, bandwidth = 1.0>]>}

// -----

// expected-error @+1 {{'tile.target' must be a #tile.target attribute, got "cortex"}}
module attributes {tile.target = "cortex"} {}

// -----

// expected-error @+1 {{unknown tile dialect attribute 'tile.footprint'}}
module attributes {tile.footprint = 4} {}

// -----

module attributes {tile.target = #tile.target<"t", levels = [#tile.level<"l1", capacity = 64, bandwidth = 1.0>, #tile.level<"dram", capacity = 4096, bandwidth = 1.0>]>} {
  func.func @f() -> tensor<4xf32> {
    %out = tile.loop (%i) tiles [4] -> tensor<4xf32> {
      // expected-error @+1 {{'tile.empty' op places its buffer in memory level "l3", which target "t" does not define (levels: l1, dram)}}
      %t = tile.empty in "l3" : tensor<4xf32>
      tile.store %t : tensor<4xf32>
    }
    return %out : tensor<4xf32>
  }
}

// -----

module attributes {tile.target = #tile.target<"t", levels = [#tile.level<"l1", capacity = 64, bandwidth = 1.0>, #tile.level<"dram", capacity = 4096, bandwidth = 1.0>]>} {
  func.func @f(%in: tensor<8xf32>, %pad: f32) -> tensor<8xf32> {
    // expected-error @+1 {{'tile.loop' op needs 72 bytes in memory level "l1" per tile, above its capacity of 64 bytes on target "t"}}
    %out = tile.loop (%i) tiles [8] -> tensor<8xf32> {
      %w = tile.load_window %in[%i] tile [8] kernel [3] pad_low [1] padding %pad in "l1" : tensor<8xf32> -> tensor<10xf32>
      %t = tile.empty in "l1" : tensor<8xf32>
      %d = tile.empty in "dram" : tensor<8xf32>
      tile.store %t : tensor<8xf32>
    }
    return %out : tensor<8xf32>
  }
}

// -----

func.func @f() -> tensor<8x8xf32> {
  // expected-error @+1 {{'tile.loop' op has 1 tile size entries but the tensor has rank 2}}
  %out = tile.loop (%i) tiles [4] -> tensor<8x8xf32> {
    %t = tile.empty in "l1" : tensor<4xf32>
    tile.store %t : tensor<4xf32>
  }
  return %out : tensor<8x8xf32>
}

// -----

func.func @f() -> tensor<8xf32> {
  // expected-error @+1 {{'tile.loop' op tile size 0 in dimension 0 must be positive}}
  %out = tile.loop (%i) tiles [0] -> tensor<8xf32> {
    %t = tile.empty in "l1" : tensor<0xf32>
    tile.store %t : tensor<0xf32>
  }
  return %out : tensor<8xf32>
}

// -----

func.func @f() -> tensor<8x9xf32> {
  // expected-error @+1 {{'tile.loop' op tile size 4 does not divide result dimension 1 of size 9}}
  %out = tile.loop (%i, %j) tiles [4, 4] -> tensor<8x9xf32> {
    %t = tile.empty in "l1" : tensor<4x4xf32>
    tile.store %t : tensor<4x4xf32>
  }
  return %out : tensor<8x9xf32>
}

// -----

func.func @f() -> tensor<8x8xf32> {
  // expected-error @+1 {{'tile.loop' op order [1, 1] is not a permutation of the 2 result dimensions}}
  %out = tile.loop (%i, %j) tiles [4, 4] order [1, 1] -> tensor<8x8xf32> {
    %t = tile.empty in "l1" : tensor<4x4xf32>
    tile.store %t : tensor<4x4xf32>
  }
  return %out : tensor<8x8xf32>
}

// -----

func.func @f() -> tensor<8x8xf32> {
  // expected-error @+1 {{'tile.loop' op has 3 order entries but the tensor has rank 2}}
  %out = tile.loop (%i, %j) tiles [4, 4] order [0, 1, 2] -> tensor<8x8xf32> {
    %t = tile.empty in "l1" : tensor<4x4xf32>
    tile.store %t : tensor<4x4xf32>
  }
  return %out : tensor<8x8xf32>
}

// -----

func.func @f() -> tensor<8x8xf32> {
  // expected-error @+1 {{'tile.loop' op body needs one index offset per result dimension (2)}}
  %out = tile.loop (%i) tiles [4, 4] -> tensor<8x8xf32> {
    %t = tile.empty in "l1" : tensor<4x4xf32>
    tile.store %t : tensor<4x4xf32>
  }
  return %out : tensor<8x8xf32>
}

// -----

func.func @f() -> tensor<8x8xf32> {
  %out = tile.loop (%i, %j) tiles [4, 4] -> tensor<8x8xf32> {
    %t = tile.empty in "l1" : tensor<4x8xf32>
    // expected-error @+1 {{'tile.store' op stores a tile of shape [4, 8] but the loop's tile sizes are [4, 4]}}
    tile.store %t : tensor<4x8xf32>
  }
  return %out : tensor<8x8xf32>
}

// -----

func.func @f() -> tensor<8xf32> {
  %out = tile.loop (%i) tiles [4] -> tensor<8xf32> {
    %t = tile.empty in "l1" : tensor<4xf16>
    // expected-error @+1 {{'tile.store' op stores 'f16' elements into a loop producing 'f32'}}
    tile.store %t : tensor<4xf16>
  }
  return %out : tensor<8xf32>
}

// -----

func.func @f(%t: tensor<4xf32>) {
  // expected-error @+1 {{'tile.store' op expects parent op 'tile.loop'}}
  tile.store %t : tensor<4xf32>
}

// -----

func.func @f(%in: tensor<16x16xf32>, %i: index, %pad: f32) {
  // expected-error @+1 {{'tile.load_window' op window size 13 in dimension 1 does not match tile size 9 with kernel 3, stride 1 and dilation 1 (expected 11)}}
  %w = tile.load_window %in[0, %i] tile [4, 9] kernel [1, 3] padding %pad in "l1" : tensor<16x16xf32> -> tensor<4x13xf32>
  return
}

// -----

func.func @f(%in: tensor<16x16xf32>, %i: index, %pad: f32) {
  // expected-error @+1 {{'tile.load_window' op window size 9 in dimension 1 does not match tile size 4 with kernel 3, stride 2 and dilation 2 (expected 11)}}
  %w = tile.load_window %in[0, %i] tile [4, 4] kernel [1, 3] stride [1, 2] dilation [1, 2] padding %pad in "l1" : tensor<16x16xf32> -> tensor<4x9xf32>
  return
}

// -----

func.func @f(%in: tensor<16x16xf32>, %pad: f32) {
  // expected-error @+1 {{'tile.load_window' op window has rank 1 but the source has rank 2}}
  %w = tile.load_window %in[0, 0] tile [4, 4] kernel [1, 1] padding %pad in "l1" : tensor<16x16xf32> -> tensor<4xf32>
  return
}

// -----

func.func @f(%in: tensor<16x16xf32>, %pad: f32) {
  // expected-error @+1 {{'tile.load_window' op window element type 'f16' differs from the source's 'f32'}}
  %w = tile.load_window %in[0, 0] tile [4, 4] kernel [1, 1] padding %pad in "l1" : tensor<16x16xf32> -> tensor<4x4xf16>
  return
}

// -----

func.func @f(%in: tensor<16x16xf32>, %pad: f32) {
  // expected-error @+1 {{'tile.load_window' op has 1 kernel size entries but the tensor has rank 2}}
  %w = tile.load_window %in[0, 0] tile [4, 4] kernel [1] padding %pad in "l1" : tensor<16x16xf32> -> tensor<4x4xf32>
  return
}

// -----

func.func @f(%in: tensor<16x16xf32>, %pad: f32) {
  // expected-error @+1 {{'tile.load_window' op has 1 offset entries but the tensor has rank 2}}
  %w = tile.load_window %in[0] tile [4, 4] kernel [1, 1] padding %pad in "l1" : tensor<16x16xf32> -> tensor<4x4xf32>
  return
}

// -----

func.func @f(%in: tensor<16x16xf32>, %pad: f32) {
  // expected-error @+1 {{'tile.load_window' op offset -4 in dimension 1 must be non-negative}}
  %w = tile.load_window %in[0, -4] tile [4, 4] kernel [1, 1] padding %pad in "l1" : tensor<16x16xf32> -> tensor<4x4xf32>
  return
}

// -----

func.func @f(%in: tensor<16x16xf32>, %pad: f32) {
  // expected-error @+1 {{'tile.load_window' op tile size -4 in dimension 0 must be positive}}
  %w = tile.load_window %in[0, 0] tile [-4, 4] kernel [1, 1] padding %pad in "l1" : tensor<16x16xf32> -> tensor<4x4xf32>
  return
}

// -----

func.func @f(%in: tensor<16x16xf32>, %pad: f32) {
  // expected-error @+1 {{'tile.load_window' op kernel size 0 in dimension 1 must be positive}}
  %w = tile.load_window %in[0, 0] tile [4, 4] kernel [1, 0] padding %pad in "l1" : tensor<16x16xf32> -> tensor<4x4xf32>
  return
}

// -----

func.func @f(%in: tensor<16x16xf32>, %pad: f32) {
  // expected-error @+1 {{'tile.load_window' op stride 0 in dimension 1 must be positive}}
  %w = tile.load_window %in[0, 0] tile [4, 4] kernel [1, 1] stride [1, 0] padding %pad in "l1" : tensor<16x16xf32> -> tensor<4x4xf32>
  return
}

// -----

func.func @f(%in: tensor<16x16xf32>, %pad: f32) {
  // expected-error @+1 {{'tile.load_window' op dilation 0 in dimension 0 must be positive}}
  %w = tile.load_window %in[0, 0] tile [4, 4] kernel [1, 1] dilation [0, 1] padding %pad in "l1" : tensor<16x16xf32> -> tensor<4x4xf32>
  return
}

// -----

func.func @f(%in: tensor<16x16xf32>, %pad: f32) {
  // expected-error @+1 {{'tile.load_window' op low padding -1 in dimension 1 must be non-negative}}
  %w = tile.load_window %in[0, 0] tile [4, 4] kernel [1, 1] pad_low [0, -1] padding %pad in "l1" : tensor<16x16xf32> -> tensor<4x4xf32>
  return
}

// -----

func.func @f(%in: tensor<16x16xf32>, %i: index, %pad: f32) {
  // expected-error @+1 {{'tile.load_window' op has 1 offset operands but 2 dynamic offset entries}}
  %w = "tile.load_window"(%in, %i, %pad) <{static_offsets = array<i64: -9223372036854775808, -9223372036854775808>, tile = array<i64: 4, 4>, kernel = array<i64: 1, 1>, level = "l1"}> : (tensor<16x16xf32>, index, f32) -> tensor<4x4xf32>
  return
}

// -----

func.func @f(%in: tensor<16x16xf32>, %pad: f16) {
  // expected-error @+1 {{'tile.load_window' op failed to verify that padding has the element type of the source}}
  %w = "tile.load_window"(%in, %pad) <{static_offsets = array<i64: 0, 0>, tile = array<i64: 4, 4>, kernel = array<i64: 1, 1>, level = "l1"}> : (tensor<16x16xf32>, f16) -> tensor<4x4xf32>
  return
}


// -----

// The window would start at 16 * 1 - 0: past the source. (Found by mutation:
// an offset of INT64_MAX overflowed the lowering's start computation.)
func.func @f(%in: tensor<16x16xf32>, %pad: f32) {
  // expected-error @+1 {{'tile.load_window' op offset 16 in dimension 0 puts the window outside the source's 16 elements (it starts at offset * stride - low padding)}}
  %w = tile.load_window %in[16, 0] tile [8, 8] kernel [1, 1] padding %pad in "l1" : tensor<16x16xf32> -> tensor<8x8xf32>
  return
}

// -----

func.func @f(%in: tensor<16x16xf32>, %pad: f32) {
  // expected-error @+1 {{'tile.load_window' op offset 9223372036854775807 in dimension 1 puts the window outside the source's 16 elements}}
  %w = tile.load_window %in[0, 9223372036854775807] tile [8, 8] kernel [1, 1] padding %pad in "l1" : tensor<16x16xf32> -> tensor<8x8xf32>
  return
}

// -----

// Low padding larger than the window: it lies wholly before the source.
func.func @f(%in: tensor<16x16xf32>, %pad: f32) {
  // expected-error @+1 {{'tile.load_window' op offset 0 in dimension 1 puts the window outside the source's 16 elements}}
  %w = tile.load_window %in[0, 0] tile [8, 2] kernel [1, 3] pad_low [0, 4] padding %pad in "l1" : tensor<16x16xf32> -> tensor<8x4xf32>
  return
}
