//===- Footprint.h - bytes a tile iteration keeps per memory level -*- C++ -*-===//

#ifndef VTILE_TILE_IR_FOOTPRINT_H
#define VTILE_TILE_IR_FOOTPRINT_H

#include "dialects/Tile/IR/Tile.h"
#include "llvm/ADT/MapVector.h"

namespace vtile::tile {

/// Size in bytes of a statically shaped tensor buffer (sub-byte element types
/// round up to whole bytes).
int64_t getBufferBytes(mlir::RankedTensorType type);

/// Bytes each memory level holds during one iteration of `loop`: the sum of
/// every buffer placed in its body, levels in order of first use. Every
/// buffer counts as live for the whole iteration, an upper bound until a
/// liveness analysis refines it.
llvm::MapVector<llvm::StringRef, int64_t> computeFootprint(LoopOp loop);

/// Checks that every level in `footprint` (computeFootprint of `loop`)
/// exists in `target` and holds its bytes; emits an error on the loop
/// otherwise.
mlir::LogicalResult
verifyFootprint(LoopOp loop, TargetAttr target,
                const llvm::MapVector<llvm::StringRef, int64_t> &footprint);

} // namespace vtile::tile

#endif // VTILE_TILE_IR_FOOTPRINT_H
