//===- MaterializeTileLoops.cpp - planned kernels -> tile.loop -----------===//
//
// Upstream tiling does the window algebra (which input rows a tile needs,
// how a `tensor.pad` shrinks at the border); this pass only supplies the
// plan's tile sizes and order and a `tile.loop` as the loop construct. See
// `DataflowMaterializeTileLoops` in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "dialects/Dataflow/IR/Dataflow.h"
#include "dialects/Tile/IR/Tile.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace vtile {
#define GEN_PASS_DEF_DATAFLOWMATERIALIZETILELOOPS
#include "passes/Passes.h.inc"
} // namespace vtile

using namespace mlir;
namespace dataflow = vtile::dataflow;
namespace tile = vtile::tile;

namespace {

using LoopHeader = scf::SCFTilingOptions::CustomLoopHeaderInfo;

struct DataflowMaterializeTileLoops
    : vtile::impl::DataflowMaterializeTileLoopsBase<DataflowMaterializeTileLoops> {
  using Base::Base;

  void runOnOperation() override {
    llvm::SmallVector<dataflow::KernelOp> kernels;
    getOperation()->walk([&](dataflow::KernelOp kernel) {
      // Groups planned as one dispatch are tiled inside that dispatch.
      if (kernel.getPlan() &&
          kernel.getPlan()->getLowering() == dataflow::PlanAttr::kTileLoops)
        kernels.push_back(kernel);
    });
    for (dataflow::KernelOp kernel : kernels)
      if (failed(materialize(kernel)))
        return signalPassFailure();
  }

  LogicalResult materialize(dataflow::KernelOp kernel) {
    dataflow::PlanAttr plan = *kernel.getPlan();
    auto yield = cast<dataflow::YieldOp>(kernel.getBody().front().getTerminator());
    if (yield.getValues().size() != 1)
      return kernel.emitError() << "a planned kernel must have one result, "
                                << "this one has " << yield.getValues().size();
    auto result = dyn_cast<OpResult>(yield.getValues()[0]);
    auto root = result ? dyn_cast<linalg::LinalgOp>(result.getOwner())
                       : linalg::LinalgOp();
    if (!root)
      return kernel.emitError()
             << "the root of a planned kernel must be a linalg op; "
             << "this kernel yields "
             << (result ? result.getOwner()->getName().getStringRef()
                        : StringRef("a block argument"));
    auto type = cast<RankedTensorType>(result.getType());
    ArrayRef<int64_t> tile = plan.getTileSizes();
    for (auto [dim, size, tileSize] : llvm::enumerate(type.getShape(), tile))
      if (size % tileSize != 0)
        return kernel.emitError()
               << "plan tile size " << tileSize << " does not divide result "
               << "dimension " << dim << " of size " << size;

    // Tile the loops that the result's dimensions index; reductions stay whole.
    AffineMap resultMap = root.getIndexingMapMatchingResult(result);
    if (!resultMap.isProjectedPermutation())
      return root->emitError() << "cannot tile by output tiles: the result's "
                                  "indexing map "
                               << AffineMapAttr::get(resultMap)
                               << " is not a projection of loops";
    unsigned numLoops = root.getNumLoops();
    llvm::SmallVector<int64_t> loopDim(numLoops, -1);
    llvm::SmallVector<OpFoldResult> tileSizes;
    OpBuilder builder(kernel.getContext());
    for (unsigned loop = 0; loop < numLoops; ++loop)
      tileSizes.push_back(builder.getIndexAttr(0));
    for (auto [dim, expr] : llvm::enumerate(resultMap.getResults())) {
      unsigned loop = cast<AffineDimExpr>(expr).getPosition();
      loopDim[loop] = dim;
      if (tile[dim] < type.getDimSize(dim))
        tileSizes[loop] = builder.getIndexAttr(tile[dim]);
    }

    if (llvm::all_of(tileSizes, isZeroInteger))
      return kernel.emitError() << "plan tile [" << tile
                                << "] is the whole result; nothing to tile";
    if (failed(refuseNonPositiveScales(kernel)) ||
        failed(hoistPaddingValues(kernel)))
      return failure();

    tile::LoopOp loop;
    auto header = [&](RewriterBase &rewriter, Location loc,
                      ArrayRef<Range> loopRanges,
                      ArrayRef<OpFoldResult> givenTileSizes,
                      ValueRange destinations) -> FailureOr<LoopHeader> {
      loop = tile::LoopOp::create(rewriter, loc, type, tile, plan.getOrder());
      rewriter.setInsertionPointToStart(&loop.getBody().front());
      LoopHeader info;
      info.loops.push_back(cast<LoopLikeOpInterface>(loop.getOperation()));
      for (auto [index, range] : llvm::enumerate(loopRanges)) {
        if (isZeroInteger(givenTileSizes[index])) {
          info.tileOffset.push_back(range.offset);
          info.tileSizes.push_back(range.size);
          continue;
        }
        info.tileOffset.push_back(loop.getTileOffsets()[loopDim[index]]);
        info.tileSizes.push_back(givenTileSizes[index]);
      }
      // The destinations stay outside: a `tile.loop` has no iteration
      // arguments, its `tile.store` names the tile's place in the result.
      info.destinationTensors = llvm::to_vector(destinations);
      return info;
    };
    auto terminator = [&](RewriterBase &rewriter, Location loc,
                          ArrayRef<LoopLikeOpInterface>, ValueRange tiles,
                          ArrayRef<SmallVector<OpFoldResult>>,
                          ArrayRef<SmallVector<OpFoldResult>>,
                          ValueRange) -> LogicalResult {
      rewriter.setInsertionPointToEnd(&loop.getBody().front());
      tile::StoreOp::create(rewriter, loc, tiles.front());
      return success();
    };

    scf::SCFTilingOptions tiling;
    tiling.setTileSizes(tileSizes)
        .setLoopType(scf::SCFTilingOptions::LoopType::CustomOp)
        .setCustomLoopGenerationFns(header, terminator);
    scf::SCFTileAndFuseOptions options;
    options.setTilingOptions(tiling);

    IRRewriter rewriter(kernel.getContext());
    rewriter.setInsertionPoint(root);
    FailureOr<scf::SCFTileAndFuseResult> tiled =
        scf::tileConsumerAndFuseProducersUsingSCF(
            rewriter, cast<TilingInterface>(root.getOperation()), options);
    if (failed(tiled))
      return root->emitError() << "upstream tile-and-fuse failed for the "
                                  "root of this kernel";
    for (auto [original, replacement] : tiled->replacements)
      rewriter.replaceAllUsesWith(original, replacement);

    foldTileDestinations(kernel);
    placeBuffers(rewriter, loop);
    return success();
  }

  /// Upstream tiling asserts on an access such as `d0 * -1 + d1` (a conv
  /// with a negative dilation or stride, which linalg's verifier accepts).
  static LogicalResult refuseNonPositiveScales(dataflow::KernelOp kernel) {
    WalkResult walk = kernel.getBody().walk([](linalg::LinalgOp op) {
      for (AffineMap map : op.getIndexingMapsArray()) {
        bool nonPositive = false;
        for (AffineExpr result : map.getResults())
          result.walk([&](AffineExpr expr) {
            auto product = dyn_cast<AffineBinaryOpExpr>(expr);
            if (product && product.getKind() == AffineExprKind::Mul)
              if (auto scale = dyn_cast<AffineConstantExpr>(product.getRHS()))
                nonPositive |= scale.getValue() <= 0;
          });
        if (nonPositive) {
          op.emitError() << "cannot tile an op whose indexing map "
                         << AffineMapAttr::get(map)
                         << " scales a loop by a non-positive constant "
                            "(a stride or dilation below 1)";
          return WalkResult::interrupt();
        }
      }
      return WalkResult::advance();
    });
    return failure(walk.wasInterrupted());
  }

  /// Upstream pad tiling crashes on a padding value computed inside the
  /// pad's region (it erases the region while the value is still used), so
  /// a constant computed there moves before the pad; a value that depends on
  /// the indices is refused.
  static LogicalResult hoistPaddingValues(dataflow::KernelOp kernel) {
    WalkResult walk = kernel.getBody().walk([](tensor::PadOp pad) {
      Value value = pad.getConstantPaddingValue();
      if (!value) {
        pad.emitError() << "cannot tile a tensor.pad whose padding value "
                           "depends on the indices";
        return WalkResult::interrupt();
      }
      Operation *definition = value.getDefiningOp();
      if (definition && pad.getRegion().isAncestor(definition->getParentRegion()))
        definition->moveBefore(pad);
      return WalkResult::advance();
    });
    return failure(walk.wasInterrupted());
  }

  /// Slices of whole `tensor.empty` destinations become tile-sized empties,
  /// and the untiled producers die with the slices of them that fusion
  /// replaced: no whole intermediate tensor survives.
  static void foldTileDestinations(dataflow::KernelOp kernel) {
    RewritePatternSet patterns(kernel.getContext());
    tensor::populateFoldTensorEmptyPatterns(patterns);
    (void)applyPatternsGreedily(kernel.getBody(), std::move(patterns));
  }

  /// A tile's intermediate buffers live in the plan's memory level.
  void placeBuffers(RewriterBase &rewriter, tile::LoopOp loop) {
    loop.getBody().walk([&](tensor::EmptyOp empty) {
      if (!empty.getType().hasStaticShape())
        return;
      rewriter.setInsertionPoint(empty);
      rewriter.replaceOpWithNewOp<tile::EmptyOp>(empty, empty.getType(),
                                                 level);
    });
  }
};

} // namespace
