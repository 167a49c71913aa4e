//===- ChannelsLast.cpp - NHWC convolutions inside one dispatch -----------===//
//
// See ChannelsLast.h.
//
//===----------------------------------------------------------------------===//

#include "passes/ChannelsLast.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;

namespace {

// NCHW -> NHWC, and back.
constexpr int64_t kToChannelsLast[] = {0, 2, 3, 1};
constexpr int64_t kToChannelsFirst[] = {0, 3, 1, 2};
// FCHW -> HWCF (convolution filters), CHW -> HWC (depthwise ones).
constexpr int64_t kToHwcf[] = {2, 3, 1, 0};
constexpr int64_t kToHwc[] = {1, 2, 0};

/// `value` transposed by `permutation` (result dimension i is `value`'s
/// dimension permutation[i]), as a `linalg.generic` over the result's
/// dimensions: elementwise fusion folds it into the ops next to it, so the
/// elementwise ops between convolutions iterate channels-last and read and
/// write contiguous channels.
Value transpose(OpBuilder &builder, Location loc, Value value,
                ArrayRef<int64_t> permutation) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> shape = llvm::map_to_vector(
      permutation, [&](int64_t d) { return type.getDimSize(d); });
  SmallVector<unsigned> inverse(permutation.size());
  for (auto [result, source] : llvm::enumerate(permutation))
    inverse[source] = result;
  MLIRContext *context = builder.getContext();
  Value empty =
      tensor::EmptyOp::create(builder, loc, shape, type.getElementType());
  auto op = linalg::GenericOp::create(
      builder, loc, TypeRange{empty.getType()}, ValueRange{value},
      ValueRange{empty},
      ArrayRef<AffineMap>{
          AffineMap::getPermutationMap(inverse, context),
          AffineMap::getMultiDimIdentityMap(shape.size(), context)},
      SmallVector<utils::IteratorType>(shape.size(),
                                       utils::IteratorType::parallel),
      [](OpBuilder &b, Location bodyLoc, ValueRange args) {
        linalg::YieldOp::create(b, bodyLoc, args[0]);
      });
  return op.getResult(0);
}

/// `op`'s destination in NHWC: a fill of a new empty tensor if it is a fill
/// of one (no transpose to fuse), else transposed.
Value channelsLastInit(OpBuilder &rewriter, Location loc, Value init) {
  auto fill = init.getDefiningOp<linalg::FillOp>();
  if (!fill || !fill.getOutputs().front().getDefiningOp<tensor::EmptyOp>())
    return transpose(rewriter, loc, init, kToChannelsLast);
  auto type = cast<RankedTensorType>(init.getType());
  SmallVector<int64_t> shape = llvm::map_to_vector(
      kToChannelsLast, [&](int64_t d) { return type.getDimSize(d); });
  Value empty =
      tensor::EmptyOp::create(rewriter, loc, shape, type.getElementType());
  return linalg::FillOp::create(rewriter, loc, fill.getInputs(), empty)
      .getResult(0);
}

/// Replaces `op` (NCHW) by a `Target` (NHWC) between transposes. The
/// second input is a filter transposed by `filter`, or, if that is empty,
/// a pooling window read as it is.
template <typename Target>
void rewrite(IRRewriter &rewriter, linalg::LinalgOp op,
             ArrayRef<int64_t> filter) {
  rewriter.setInsertionPoint(op);
  Location loc = op.getLoc();
  Value input =
      transpose(rewriter, loc, op.getDpsInputs()[0], kToChannelsLast);
  Value weights = op.getDpsInputs()[1];
  if (!filter.empty())
    weights = transpose(rewriter, loc, weights, filter);
  Value init = channelsLastInit(rewriter, loc, op.getDpsInits().front());
  // Strides and dilations carry over (both forms default them to 1).
  SmallVector<NamedAttribute> windowing;
  for (StringRef name : {"strides", "dilations"})
    if (Attribute attr = op->getAttr(name))
      windowing.emplace_back(rewriter.getStringAttr(name), attr);
  auto converted = Target::create(rewriter, loc, TypeRange{init.getType()},
                                  ValueRange{input, weights}, ValueRange{init},
                                  windowing);
  rewriter.replaceOp(
      op, transpose(rewriter, loc, converted.getResult(0), kToChannelsFirst));
}

} // namespace

void vtile::channelsLast(Block &block) {
  SmallVector<linalg::LinalgOp> ops;
  for (auto op : block.getOps<linalg::LinalgOp>())
    if (isa<linalg::Conv2DNchwFchwOp, linalg::DepthwiseConv2DNchwChwOp,
            linalg::PoolingNchwMaxOp, linalg::PoolingNchwSumOp>(op))
      ops.push_back(op);
  IRRewriter rewriter(block.getParentOp()->getContext());
  for (linalg::LinalgOp op : ops) {
    if (isa<linalg::Conv2DNchwFchwOp>(op))
      rewrite<linalg::Conv2DNhwcHwcfOp>(rewriter, op, kToHwcf);
    else if (isa<linalg::DepthwiseConv2DNchwChwOp>(op))
      rewrite<linalg::DepthwiseConv2DNhwcHwcOp>(rewriter, op, kToHwc);
    else if (isa<linalg::PoolingNchwMaxOp>(op))
      rewrite<linalg::PoolingNhwcMaxOp>(rewriter, op, {});
    else
      rewrite<linalg::PoolingNhwcSumOp>(rewriter, op, {});
  }
}
