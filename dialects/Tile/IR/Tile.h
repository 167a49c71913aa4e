//===- Tile.h - the tile dialect --------------------------------*- C++ -*-===//

#ifndef VTILE_TILE_IR_TILE_H
#define VTILE_TILE_IR_TILE_H

#include "dialects/Common/DoubleParameter.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/LoopLikeInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

#include "dialects/Tile/IR/TileDialect.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/Tile/IR/TileAttrs.h.inc"

namespace vtile::tile {
/// The `#tile.target` attached to `op` or its nearest ancestor that has one,
/// or null.
TargetAttr lookupTarget(mlir::Operation *op);
/// Checks that the memory level a PlacedOpInterface op names exists in the
/// target in scope (if any).
mlir::LogicalResult verifyPlacement(mlir::Operation *op);
} // namespace vtile::tile

#include "dialects/Tile/IR/TileInterfaces.h.inc"

#define GET_OP_CLASSES
#include "dialects/Tile/IR/TileOps.h.inc"

#endif // VTILE_TILE_IR_TILE_H
