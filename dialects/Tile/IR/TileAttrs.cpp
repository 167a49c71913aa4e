//===- TileAttrs.cpp - memory level and target attributes ----------------===//

#include "dialects/Tile/IR/Tile.h"

#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace vtile::tile;

#define GET_ATTRDEF_CLASSES
#include "dialects/Tile/IR/TileAttrs.cpp.inc"

// Registered here because registration needs the storage classes above.
void TileDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialects/Tile/IR/TileAttrs.cpp.inc"
      >();
}

LogicalResult
MemoryLevelAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                        StringRef name, int64_t capacity,
                        llvm::APFloat bandwidth) {
  if (name.empty())
    return emitError() << "memory level needs a non-empty name";
  if (capacity <= 0)
    return emitError() << "memory level \"" << name << "\" has capacity "
                       << capacity << " bytes; expected a positive size";
  if (!(bandwidth.convertToDouble() > 0.0))
    return emitError() << "memory level \"" << name << "\" has bandwidth "
                       << vtile::formatDouble(bandwidth.convertToDouble())
                       << " GB/s; expected a positive number";
  return success();
}

LogicalResult TargetAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                 StringRef name,
                                 ArrayRef<MemoryLevelAttr> levels) {
  // An empty level list does not parse, so no check for it here.
  llvm::StringSet<> seen;
  for (auto [index, level] : llvm::enumerate(levels)) {
    if (!seen.insert(level.getName()).second)
      return emitError() << "target \"" << name << "\" defines memory level \""
                         << level.getName() << "\" twice";
    if (index == 0)
      continue;
    MemoryLevelAttr inner = levels[index - 1];
    if (level.getCapacity() <= inner.getCapacity())
      return emitError() << "memory level \"" << level.getName()
                         << "\" (capacity " << level.getCapacity()
                         << ") must be larger than the level inside it, \""
                         << inner.getName() << "\" (capacity "
                         << inner.getCapacity() << "); list levels innermost "
                         << "first";
  }
  return success();
}

MemoryLevelAttr TargetAttr::getLevel(StringRef name) const {
  for (MemoryLevelAttr level : getLevels())
    if (level.getName() == name)
      return level;
  return {};
}
