//===- GeneralizeLinalgOps.cpp - named linalg ops IREE cannot parse -------===//
//
// See `GeneralizeLinalgOps` in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/StringSet.h"

namespace vtile {
#define GEN_PASS_DEF_GENERALIZELINALGOPS
#include "passes/Passes.h.inc"
} // namespace vtile

using namespace mlir;

namespace {

struct GeneralizeLinalgOpsPass
    : vtile::impl::GeneralizeLinalgOpsBase<GeneralizeLinalgOpsPass> {
  using GeneralizeLinalgOpsBase::GeneralizeLinalgOpsBase;

  void runOnOperation() override {
    llvm::StringSet<> names;
    for (const std::string &name : opNames)
      names.insert(name);
    SmallVector<linalg::LinalgOp> selected;
    getOperation()->walk([&](linalg::LinalgOp op) {
      if (names.contains(op->getName().getStringRef()))
        selected.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::LinalgOp op : selected) {
      rewriter.setInsertionPoint(op);
      if (failed(linalg::generalizeNamedOp(rewriter, op))) {
        op->emitOpError("cannot be rewritten as linalg.generic");
        return signalPassFailure();
      }
    }
  }
};

} // namespace
