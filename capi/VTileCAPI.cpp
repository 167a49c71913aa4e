//===- VTileCAPI.cpp - register vtile into the Python bindings' MLIR -----===//
//
// A C ABI that the `vtile` Python package calls through ctypes. This library
// is linked against the bindings' libMLIRPythonCAPI.so, never against static
// MLIR libraries: a second copy of MLIR would break type identity between
// our dialects and the `mlir.ir.Context` they are loaded into.
//
//===----------------------------------------------------------------------===//

#include "dialects/Registration.h"
#include "passes/Passes.h"

#include "mlir-c/IR.h"
#include "mlir/CAPI/IR.h"

#define VTILE_CAPI_EXPORT extern "C" __attribute__((visibility("default")))

/// Makes `tile` and `dataflow` available to the context and loads them.
VTILE_CAPI_EXPORT void vtileContextLoadDialects(MlirContext context) {
  mlir::MLIRContext *ctx = unwrap(context);
  mlir::DialectRegistry registry;
  vtile::registerDialects(registry);
  ctx->appendDialectRegistry(registry);
  ctx->loadDialect<vtile::tile::TileDialect,
                   vtile::dataflow::DataflowDialect>();
}

/// Adds the vtile passes to the global pass registry, so that pass pipeline
/// strings name them. Idempotent.
VTILE_CAPI_EXPORT void vtileRegisterPasses() {
  static bool registered = [] {
    vtile::registerVTilePasses();
    return true;
  }();
  (void)registered;
}
