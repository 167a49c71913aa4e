//===- ChannelsLast.cpp - NHWC convolutions inside one dispatch -----------===//
//
// See ChannelsLast.h.
//
//===----------------------------------------------------------------------===//

#include "passes/ChannelsLast.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;

namespace {

// NCHW -> NHWC, and back.
constexpr int64_t kToChannelsLast[] = {0, 2, 3, 1};
constexpr int64_t kToChannelsFirst[] = {0, 3, 1, 2};
// FCHW -> HWCF (convolution filters), CHW -> HWC (depthwise ones).
constexpr int64_t kToHwcf[] = {2, 3, 1, 0};
constexpr int64_t kToHwc[] = {1, 2, 0};

/// An empty tensor of `type`'s elements whose dimension i is `type`'s
/// dimension permutation[i].
Value permutedEmpty(OpBuilder &builder, Location loc, RankedTensorType type,
                    ArrayRef<int64_t> permutation) {
  SmallVector<int64_t> shape = llvm::map_to_vector(
      permutation, [&](int64_t d) { return type.getDimSize(d); });
  return tensor::EmptyOp::create(builder, loc, shape, type.getElementType());
}

/// `value` transposed by `permutation` (result dimension i is `value`'s
/// dimension permutation[i]), as a `linalg.generic` over the result's
/// dimensions: elementwise fusion folds it into the ops next to it, so the
/// elementwise ops between convolutions iterate channels-last and read and
/// write contiguous channels.
Value transpose(OpBuilder &builder, Location loc, Value value,
                ArrayRef<int64_t> permutation) {
  Value empty = permutedEmpty(builder, loc,
                              cast<RankedTensorType>(value.getType()),
                              permutation);
  SmallVector<unsigned> inverse(permutation.size());
  for (auto [result, source] : llvm::enumerate(permutation))
    inverse[source] = result;
  MLIRContext *context = builder.getContext();
  auto op = linalg::GenericOp::create(
      builder, loc, TypeRange{empty.getType()}, ValueRange{value},
      ValueRange{empty},
      ArrayRef<AffineMap>{
          AffineMap::getPermutationMap(inverse, context),
          AffineMap::getMultiDimIdentityMap(permutation.size(), context)},
      SmallVector<utils::IteratorType>(permutation.size(),
                                       utils::IteratorType::parallel),
      [](OpBuilder &b, Location bodyLoc, ValueRange args) {
        linalg::YieldOp::create(b, bodyLoc, args[0]);
      });
  return op.getResult(0);
}

/// `op`'s destination in NHWC: a fill of a new empty tensor if it is a fill
/// of one (no transpose to fuse), else transposed.
Value channelsLastInit(OpBuilder &builder, Location loc, Value init) {
  auto fill = init.getDefiningOp<linalg::FillOp>();
  if (!fill || !fill.getOutputs().front().getDefiningOp<tensor::EmptyOp>())
    return transpose(builder, loc, init, kToChannelsLast);
  Value empty = permutedEmpty(builder, loc,
                              cast<RankedTensorType>(init.getType()),
                              kToChannelsLast);
  return linalg::FillOp::create(builder, loc, fill.getInputs(), empty)
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
  IRRewriter rewriter(block.getParentOp()->getContext());
  for (auto op : llvm::to_vector(block.getOps<linalg::LinalgOp>()))
    llvm::TypeSwitch<Operation *>(op)
        .Case([&](linalg::Conv2DNchwFchwOp) {
          rewrite<linalg::Conv2DNhwcHwcfOp>(rewriter, op, kToHwcf);
        })
        .Case([&](linalg::DepthwiseConv2DNchwChwOp) {
          rewrite<linalg::DepthwiseConv2DNhwcHwcOp>(rewriter, op, kToHwc);
        })
        .Case([&](linalg::PoolingNchwMaxOp) {
          rewrite<linalg::PoolingNhwcMaxOp>(rewriter, op, {});
        })
        .Case([&](linalg::PoolingNchwSumOp) {
          rewrite<linalg::PoolingNhwcSumOp>(rewriter, op, {});
        });
}
