//===- TileInterfaces.td - buffers placed in memory levels -*- tablegen -*-===//

#ifndef VTILE_TILE_INTERFACES_TD
#define VTILE_TILE_INTERFACES_TD

include "mlir/IR/OpBase.td"

def Tile_PlacedOpInterface : OpInterface<"PlacedOpInterface"> {
  let cppNamespace = "::vtile::tile";
  let description = [{
    An op whose single statically shaped tensor result is a buffer that lives
    in a named memory level for one tile iteration. The footprint analysis
    sums these buffers per level; the verifier checks that the level exists
    in the `#tile.target` in scope.
  }];
  let methods = [
    InterfaceMethod<"The name of the memory level the buffer lives in.",
      "::llvm::StringRef", "getLevel">,
    InterfaceMethod<"The buffer placed in the level.",
      "::mlir::TypedValue<::mlir::RankedTensorType>", "getBuffer", (ins), [{}],
      [{
        return ::llvm::cast<::mlir::TypedValue<::mlir::RankedTensorType>>(
            $_op->getResult(0));
      }]>,
  ];
  let verify = [{ return ::vtile::tile::verifyPlacement($_op); }];
}

#endif // VTILE_TILE_INTERFACES_TD
