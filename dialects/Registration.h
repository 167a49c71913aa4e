//===- Registration.h - vtile dialects and passes ---------------*- C++ -*-===//

#ifndef VTILE_DIALECTS_REGISTRATION_H
#define VTILE_DIALECTS_REGISTRATION_H

#include "dialects/Dataflow/IR/Dataflow.h"
#include "dialects/Tile/IR/Tile.h"
#include "mlir/IR/DialectRegistry.h"

namespace vtile {

/// Adds the `tile` and `dataflow` dialects to `registry`.
inline void registerDialects(mlir::DialectRegistry &registry) {
  registry.insert<tile::TileDialect, dataflow::DataflowDialect>();
}

} // namespace vtile

#endif // VTILE_DIALECTS_REGISTRATION_H
