//===- Footprint.cpp - bytes a tile iteration keeps per memory level -----===//

#include "dialects/Tile/IR/Footprint.h"

using namespace mlir;

int64_t vtile::tile::getBufferBytes(RankedTensorType type) {
  int64_t bits = type.getElementTypeBitWidth();
  return type.getNumElements() * ((bits + 7) / 8);
}

llvm::MapVector<StringRef, int64_t>
vtile::tile::computeFootprint(LoopOp loop) {
  llvm::MapVector<StringRef, int64_t> bytes;
  loop.getBody().walk([&](PlacedOpInterface placed) {
    bytes[placed.getLevel()] += getBufferBytes(placed.getBuffer().getType());
  });
  return bytes;
}
