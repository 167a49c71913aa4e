//===- TileAttrs.td - memory levels and targets ------------*- tablegen -*-===//

#ifndef VTILE_TILE_ATTRS_TD
#define VTILE_TILE_ATTRS_TD

include "dialects/Tile/IR/TileDialect.td"
include "dialects/Common/DoubleParameter.td"
include "mlir/IR/AttrTypeBase.td"

class Tile_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<Tile_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

def Tile_MemoryLevelAttr : Tile_Attr<"MemoryLevel", "level"> {
  let summary = "One level of a device's memory hierarchy.";
  let description = [{
    A named memory level with its capacity in bytes and its bandwidth in
    GB/s. Buffers placed in the level (`tile.load_window`, `tile.empty`)
    must fit its capacity together; the cost model reads the bandwidth.

    ```mlir
    #tile.level<"l1", capacity = 32768, bandwidth = 64.0>
    ```
  }];
  let parameters = (ins
    StringRefParameter<"level name">:$name,
    "int64_t":$capacity,
    DoubleParameter<"bandwidth in GB/s">:$bandwidth
  );
  let assemblyFormat = [{
    `<` $name `,` `capacity` `=` $capacity `,` `bandwidth` `=` $bandwidth `>`
  }];
  let genVerifyDecl = 1;
}

def Tile_TargetAttr : Tile_Attr<"Target", "target"> {
  let summary = "A device described as a hierarchy of memory levels.";
  let description = [{
    The memory hierarchy of a device, innermost (smallest, fastest) level
    first. Capacities must grow strictly from one level to the next and
    level names must be unique. Attach it to an enclosing op as
    `tile.target`; ops inside name levels by their name.

    ```mlir
    #tile.target<"cortex-a53", levels = [
      #tile.level<"l1", capacity = 32768, bandwidth = 64.0>,
      #tile.level<"l2", capacity = 524288, bandwidth = 32.0>,
      #tile.level<"dram", capacity = 1073741824, bandwidth = 4.0>]>
    ```
  }];
  let parameters = (ins
    StringRefParameter<"device name">:$name,
    ArrayRefParameter<"MemoryLevelAttr", "levels, innermost first">:$levels
  );
  let assemblyFormat = [{
    `<` $name `,` `levels` `=` `[` $levels `]` `>`
  }];
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// The level named `name`, or null if the target has none.
    MemoryLevelAttr getLevel(::llvm::StringRef name) const;
  }];
}

#endif // VTILE_TILE_ATTRS_TD
