//===- InlineKernels.cpp - dataflow.kernel bodies back into the parent ---===//
//
// See `DataflowInlineKernels` in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "dialects/Dataflow/IR/Dataflow.h"
#include "dialects/Tile/IR/Tile.h"
#include "passes/Passes.h"

#include "mlir/IR/PatternMatch.h"

namespace vtile {
#define GEN_PASS_DEF_DATAFLOWINLINEKERNELS
#include "passes/Passes.h.inc"
} // namespace vtile

using namespace mlir;
using namespace vtile::dataflow;

namespace {

struct DataflowInlineKernels
    : vtile::impl::DataflowInlineKernelsBase<DataflowInlineKernels> {
  void runOnOperation() override {
    llvm::SmallVector<KernelOp> kernels;
    getOperation()->walk([&](KernelOp kernel) { kernels.push_back(kernel); });
    IRRewriter rewriter(&getContext());
    for (KernelOp kernel : kernels) {
      WalkResult loops = kernel.getBody().walk([](vtile::tile::LoopOp loop) {
        loop.emitError() << "tile loops must be lowered (tile-lower-loops) "
                            "before their kernel is inlined";
        return WalkResult::interrupt();
      });
      if (loops.wasInterrupted())
        return signalPassFailure();
      Block &body = kernel.getBody().front();
      auto yield = cast<YieldOp>(body.getTerminator());
      // A yielded block argument dies with the block: take its input.
      llvm::SmallVector<Value> results;
      for (Value value : yield.getValues()) {
        auto argument = dyn_cast<BlockArgument>(value);
        results.push_back(argument && argument.getOwner() == &body
                              ? kernel.getInputs()[argument.getArgNumber()]
                              : value);
      }
      rewriter.eraseOp(yield);
      rewriter.inlineBlockBefore(&body, kernel, kernel.getInputs());
      rewriter.replaceOp(kernel, results);
    }
  }
};

} // namespace
