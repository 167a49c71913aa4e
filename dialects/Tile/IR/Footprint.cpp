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

LogicalResult vtile::tile::verifyFootprint(
    LoopOp loop, TargetAttr target,
    const llvm::MapVector<StringRef, int64_t> &footprint) {
  for (auto [name, bytes] : footprint) {
    MemoryLevelAttr level = target.getLevel(name);
    if (!level)
      return loop.emitOpError()
             << "places buffers in memory level \"" << name
             << "\", which target \"" << target.getName() << "\" does not define";
    if (bytes > level.getCapacity())
      return loop.emitOpError()
             << "needs " << bytes << " bytes in memory level \"" << name
             << "\" per tile, above its capacity of " << level.getCapacity()
             << " bytes on target \"" << target.getName() << "\"";
  }
  return success();
}
