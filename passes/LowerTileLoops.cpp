//===- LowerTileLoops.cpp - tile.loop -> static slices for IREE ----------===//
//
// See `TileLowerLoops` in Passes.td for why the loop is unrolled.
//
//===----------------------------------------------------------------------===//

#include "dialects/Tile/IR/Tile.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"

namespace vtile {
#define GEN_PASS_DEF_TILELOWERLOOPS
#include "passes/Passes.h.inc"
} // namespace vtile

using namespace mlir;
using namespace vtile::tile;

namespace {

struct TileLowerLoops : vtile::impl::TileLowerLoopsBase<TileLowerLoops> {
  void runOnOperation() override {
    llvm::SmallVector<LoopOp> loops;
    getOperation()->walk([&](LoopOp loop) { loops.push_back(loop); });
    IRRewriter rewriter(&getContext());
    for (LoopOp loop : loops)
      unroll(rewriter, loop);

    WalkResult result = getOperation()->walk([&](Operation *op) {
      if (auto empty = dyn_cast<EmptyOp>(op)) {
        rewriter.setInsertionPoint(empty);
        rewriter.replaceOpWithNewOp<tensor::EmptyOp>(
            empty, empty.getType().getShape(), empty.getType().getElementType());
      } else if (auto window = dyn_cast<LoadWindowOp>(op)) {
        if (failed(lowerWindow(rewriter, window)))
          return WalkResult::interrupt();
      }
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }

  /// One copy of the body per tile, in loop order, each inserted at its
  /// offsets into the result.
  static void unroll(RewriterBase &rewriter, LoopOp loop) {
    Location loc = loop.getLoc();
    RankedTensorType type = loop.getType();
    ArrayRef<int64_t> tile = loop.getTileSizes();
    llvm::SmallVector<int64_t> order = loop.getLoopOrder();
    int64_t rank = type.getRank(), count = 1;
    llvm::SmallVector<int64_t> tiles(rank);
    for (int64_t dim = 0; dim < rank; ++dim) {
      tiles[dim] = type.getDimSize(dim) / tile[dim];
      count *= tiles[dim];
    }

    rewriter.setInsertionPoint(loop);
    Value result = tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                           type.getElementType());
    auto store = cast<StoreOp>(loop.getBody().front().getTerminator());
    llvm::SmallVector<int64_t> offsets(rank);
    for (int64_t index = 0; index < count; ++index) {
      // `order[0]` is the outermost loop: decode the innermost first.
      for (int64_t k = rank - 1, rest = index; k >= 0; --k) {
        int64_t dim = order[k];
        offsets[dim] = (rest % tiles[dim]) * tile[dim];
        rest /= tiles[dim];
      }
      IRMapping mapping;
      for (auto [dim, offset] : llvm::enumerate(loop.getTileOffsets()))
        mapping.map(offset, arith::ConstantIndexOp::create(rewriter, loc,
                                                           offsets[dim]));
      for (Operation &op : loop.getBody().front().without_terminator())
        rewriter.clone(op, mapping);
      result = tensor::InsertSliceOp::create(
          // A stored value may come from outside the loop.
          rewriter, loc, mapping.lookupOrDefault(store.getTile()), result,
          getAsIndexOpFoldResult(rewriter.getContext(), offsets),
          getAsIndexOpFoldResult(rewriter.getContext(), tile),
          llvm::SmallVector<OpFoldResult>(rank, rewriter.getIndexAttr(1)));
    }
    rewriter.replaceOp(loop, result);
  }

  /// A window at constant offsets: the part inside the source, padded with
  /// `padding` where the window leaves it.
  static LogicalResult lowerWindow(RewriterBase &rewriter,
                                   LoadWindowOp window) {
    RankedTensorType source = window.getSource().getType();
    llvm::SmallVector<OpFoldResult> mixed = getMixedValues(
        window.getStaticOffsets(), window.getOffsets(), rewriter);
    llvm::SmallVector<int64_t> strides = window.getStrides();
    llvm::SmallVector<int64_t> padLows = window.getPadLows();
    llvm::SmallVector<OpFoldResult> sliceOffsets, sliceSizes, low, high;
    for (int64_t dim = 0; dim < source.getRank(); ++dim) {
      std::optional<int64_t> offset = getConstantIntValue(mixed[dim]);
      if (!offset)
        return window.emitError()
               << "window offset in dimension " << dim
               << " is not a constant; only windows of unrolled tile loops "
                  "can be lowered";
      int64_t size = window.getType().getDimSize(dim);
      int64_t begin = *offset * strides[dim] - padLows[dim];
      int64_t first = std::clamp<int64_t>(begin, 0, source.getDimSize(dim));
      int64_t last =
          std::clamp<int64_t>(begin + size, 0, source.getDimSize(dim));
      sliceOffsets.push_back(rewriter.getIndexAttr(first));
      sliceSizes.push_back(rewriter.getIndexAttr(last - first));
      low.push_back(rewriter.getIndexAttr(first - begin));
      high.push_back(rewriter.getIndexAttr(begin + size - last));
    }
    rewriter.setInsertionPoint(window);
    Location loc = window.getLoc();
    Value slice = tensor::ExtractSliceOp::create(
        rewriter, loc, window.getSource(), sliceOffsets, sliceSizes,
        llvm::SmallVector<OpFoldResult>(source.getRank(),
                                        rewriter.getIndexAttr(1)));
    rewriter.replaceOpWithNewOp<tensor::PadOp>(
        window, window.getType(), slice, low, high, window.getPadding());
    return success();
  }
};

} // namespace
