//===- vtile-opt.cpp - mlir-opt with the vtile dialects and passes -------===//
//
// Every upstream dialect, extension and pass plus ours, so that vtile IR can
// be mixed with linalg/tensor/scf and every mlir-opt flag works.
//
//===----------------------------------------------------------------------===//

#include "dialects/Registration.h"
#include "passes/Passes.h"

#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  vtile::registerVTilePasses();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  vtile::registerDialects(registry);

  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "vtile optimizer driver\n", registry));
}
