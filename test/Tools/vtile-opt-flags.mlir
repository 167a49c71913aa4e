// vtile-opt takes the usual mlir-opt flags: a textual pipeline, IR dumps
// between passes, and our dialects mixed with upstream ones.
// RUN: vtile-opt %s --pass-pipeline='builtin.module(canonicalize, tile-report-footprint)' --mlir-print-ir-after-all -o /dev/null 2>&1 | FileCheck %s

// CHECK: IR Dump After Canonicalizer
// CHECK: remark: 2 tiles of [2]; per tile: "l1" 8 of 64 bytes (12.5%)
// CHECK: IR Dump After TileReportFootprint
// CHECK: tile.loop (%{{.*}}) tiles [2] -> tensor<4xf32>
module attributes {tile.target = #tile.target<"t", levels = [#tile.level<"l1", capacity = 64, bandwidth = 1.0>]>} {
  func.func @dumped() -> tensor<4xf32> {
    %out = tile.loop (%i) tiles [2] -> tensor<4xf32> {
      %t = tile.empty in "l1" : tensor<2xf32>
      tile.store %t : tensor<2xf32>
    }
    return %out : tensor<4xf32>
  }
}
