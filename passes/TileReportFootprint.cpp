//===- TileReportFootprint.cpp - footprints against the target -----------===//

#include "dialects/Tile/IR/Footprint.h"
#include "dialects/Tile/IR/Tile.h"
#include "passes/Passes.h"

#include "llvm/Support/FormatVariadic.h"

namespace vtile {
#define GEN_PASS_DEF_TILEREPORTFOOTPRINT
#include "passes/Passes.h.inc"
} // namespace vtile

using namespace mlir;
using namespace vtile::tile;

namespace {

struct TileReportFootprint
    : vtile::impl::TileReportFootprintBase<TileReportFootprint> {
  void runOnOperation() override {
    WalkResult result = getOperation()->walk([](LoopOp loop) {
      return succeeded(report(loop)) ? WalkResult::advance()
                                     : WalkResult::interrupt();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }

  static LogicalResult report(LoopOp loop) {
    TargetAttr target = lookupTarget(loop);
    if (!target)
      return loop.emitError() << "no #tile.target in scope; attach one as '"
                              << TileDialect::getTargetAttrName()
                              << "' to an enclosing op";
    auto footprint = computeFootprint(loop);
    // The verifier checks this too, but IR built from Python reaches passes
    // unverified.
    if (failed(verifyFootprint(loop, target, footprint)))
      return failure();
    int64_t tiles = 1;
    for (auto [size, tile] :
         llvm::zip(loop.getType().getShape(), loop.getTileSizes()))
      tiles *= size / tile;

    InFlightDiagnostic remark = loop.emitRemark();
    remark << tiles << " tiles of [" << loop.getTileSizes() << "]; per tile:";
    if (footprint.empty())
      remark << " no placed buffers";
    for (auto [name, bytes] : footprint) {
      MemoryLevelAttr level = target.getLevel(name);
      remark << " \"" << name << "\" " << bytes << " of "
             << level.getCapacity() << " bytes ("
             << llvm::formatv("{0:F1}", 100.0 * bytes / level.getCapacity())
                    .str()
             << "%)";
    }
    return success();
  }
};

} // namespace
