//===- Passes.td - vtile passes ----------------------------*- tablegen -*-===//

#ifndef VTILE_PASSES_TD
#define VTILE_PASSES_TD

include "mlir/Pass/PassBase.td"

def TileReportFootprint : Pass<"tile-report-footprint"> {
  let summary = "Check tile-loop footprints against the target and report them";
  let description = [{
    For every `tile.loop`, sums the buffers one iteration places in each
    memory level (`tile.load_window`, `tile.empty`) and emits a remark with
    the tile count and each level's footprint against its capacity in the
    `#tile.target` in scope. Fails if a loop has no target in scope, names a
    level the target lacks, or exceeds a level's capacity.

    ```
    remark: 49 tiles of [1, 8, 8, 8]; per tile: "l1" 4608 of 32768 bytes (14.1%)
    ```
  }];
}

#endif // VTILE_PASSES_TD
