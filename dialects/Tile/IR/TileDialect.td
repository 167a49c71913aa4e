//===- TileDialect.td - the tile dialect -------------------*- tablegen -*-===//

#ifndef VTILE_TILE_DIALECT_TD
#define VTILE_TILE_DIALECT_TD

include "mlir/IR/OpBase.td"

def Tile_Dialect : Dialect {
  let name = "tile";
  let cppNamespace = "::vtile::tile";
  let summary = "Per-kernel tile loops over a hierarchy of memory levels.";
  let description = [{
    The `tile` dialect describes how one fusion group (a `dataflow.kernel`)
    computes its output one tile at a time: a `tile.loop` over output tiles
    whose body loads input *windows* (the tile plus the halo its receptive
    field needs, padded where it leaves the tensor), computes on them with
    upstream linalg, and stores the output tile.

    Every buffer a tile iteration needs names the memory level it lives in.
    The levels come from a `#tile.target` attribute attached as `tile.target`
    to an enclosing op (usually the module), after Welder's memory-hierarchy
    abstraction. The verifier checks that the live footprint of one
    iteration fits every level it uses.

    ```mlir
    module attributes {tile.target = #tile.target<"cortex-m7", levels = [
        #tile.level<"sram", capacity = 524288, bandwidth = 4.0>,
        #tile.level<"dram", capacity = 16777216, bandwidth = 0.4>]>} {
      ...
    }
    ```
  }];
  let useDefaultAttributePrinterParser = 1;
  let hasOperationAttrVerify = 1;
  let extraClassDeclaration = [{
    void registerAttributes();

    /// Name of the discardable attribute that attaches a `#tile.target`.
    static constexpr ::llvm::StringLiteral getTargetAttrName() {
      return ::llvm::StringLiteral("tile.target");
    }
  }];
}

class Tile_Op<string mnemonic, list<Trait> traits = []>
    : Op<Tile_Dialect, mnemonic, traits>;

#endif // VTILE_TILE_DIALECT_TD
