//===- TileDialect.cpp - tile dialect registration and target lookup -----===//

#include "dialects/Tile/IR/Tile.h"

#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace vtile::tile;

#include "dialects/Tile/IR/TileDialect.cpp.inc"

void TileDialect::initialize() {
  registerAttributes();
  addOperations<
#define GET_OP_LIST
#include "dialects/Tile/IR/TileOps.cpp.inc"
      >();
}

LogicalResult TileDialect::verifyOperationAttribute(Operation *op,
                                                    NamedAttribute attr) {
  if (attr.getName() != getTargetAttrName())
    return op->emitError() << "unknown tile dialect attribute '"
                           << attr.getName().getValue() << "'";
  if (!isa<TargetAttr>(attr.getValue()))
    return op->emitError() << "'" << getTargetAttrName()
                           << "' must be a #tile.target attribute, got "
                           << attr.getValue();
  return success();
}

TargetAttr vtile::tile::lookupTarget(Operation *op) {
  for (; op; op = op->getParentOp())
    if (auto target =
            op->getAttrOfType<TargetAttr>(TileDialect::getTargetAttrName()))
      return target;
  return {};
}

LogicalResult vtile::tile::verifyPlacement(Operation *op) {
  auto placed = cast<PlacedOpInterface>(op);
  TargetAttr target = lookupTarget(op);
  if (!target || target.getLevel(placed.getLevel()))
    return success();
  std::string names;
  llvm::raw_string_ostream os(names);
  llvm::interleaveComma(target.getLevels(), os,
                        [&](MemoryLevelAttr level) { os << level.getName(); });
  return op->emitOpError() << "places its buffer in memory level \""
                           << placed.getLevel() << "\", which target \""
                           << target.getName() << "\" does not define "
                           << "(levels: " << names << ")";
}
