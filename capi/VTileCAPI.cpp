//===- VTileCAPI.cpp - register vtile into the Python bindings' MLIR -----===//
//
// A C ABI that the `vtile` Python package calls through ctypes. This library
// is linked against the bindings' libMLIRPythonCAPI.so, never against static
// MLIR libraries: a second copy of MLIR would break type identity between
// our dialects and the `mlir.ir.Context` they are loaded into.
//
//===----------------------------------------------------------------------===//

#include "dialects/Registration.h"
#include "dialects/Tile/IR/Tile.h"
#include "passes/Passes.h"

#include "mlir-c/IR.h"
#include "mlir-c/Support.h"
#include "mlir-c/Pass.h"
#include "mlir/CAPI/IR.h"
#include "mlir/CAPI/Pass.h"
#include "mlir/CAPI/Support.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/CrashRecoveryContext.h"

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

/// Runs `passManager` on `op` in a crash recovery context. Returns 0 if the
/// passes ran, 1 if they failed (with diagnostics), 2 if one aborted or
/// faulted: the process survives to report it, though the context may then
/// hold half-rewritten IR and leaked memory.
VTILE_CAPI_EXPORT int vtileRunPassManagerSafely(MlirPassManager passManager,
                                                MlirOperation op) {
  llvm::CrashRecoveryContext::Enable();
  llvm::CrashRecoveryContext recovery;
  mlir::LogicalResult result = mlir::failure();
  if (!recovery.RunSafely([&] { result = unwrap(passManager)->run(unwrap(op)); }))
    return 2;
  return mlir::succeeded(result) ? 0 : 1;
}

/// The capacity in bytes of memory level `level` of the `#tile.target` in
/// scope at `op`: what the planner may keep in that level. -1 if no target
/// is in scope or it has no such level.
VTILE_CAPI_EXPORT int64_t vtileTargetLevelCapacity(MlirOperation op,
                                                   MlirStringRef level) {
  vtile::tile::TargetAttr target = vtile::tile::lookupTarget(unwrap(op));
  if (!target)
    return -1;
  vtile::tile::MemoryLevelAttr found = target.getLevel(unwrap(level));
  return found ? found.getCapacity() : -1;
}
