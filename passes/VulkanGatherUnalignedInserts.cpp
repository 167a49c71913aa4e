//===- VulkanGatherUnalignedInserts.cpp - inserts IREE's SPIR-V can store -===//
//
// See `VulkanGatherUnalignedInserts` in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace vtile {
#define GEN_PASS_DEF_VULKANGATHERUNALIGNEDINSERTS
#include "passes/Passes.h.inc"
} // namespace vtile

using namespace mlir;

namespace {

// One-dispatch groups (dataflow-form-dispatch-regions) are IREE regions.
constexpr StringLiteral kDispatchRegionName = "flow.dispatch.region";

/// Where a source sits in the result: for each result dimension its offset,
/// and its stride and source dimension unless the insert drops it.
struct Placement {
  SmallVector<OpFoldResult> offsets;
  SmallVector<OpFoldResult> strides;
  llvm::SmallBitVector dropped;
};

/// Whether a store at `offset` on the innermost dimension may land inside a
/// `vectorBits` vector rather than at its start.
bool isUnaligned(OpFoldResult offset, Type elementType, unsigned vectorBits) {
  std::optional<int64_t> value = getConstantIntValue(offset);
  if (!value)
    return true;
  return (*value * elementType.getIntOrFloatBitWidth()) % vectorBits != 0;
}

bool isCandidate(RankedTensorType type, OpFoldResult innermostOffset,
                 Value source, unsigned vectorBits) {
  if (type.getRank() == 0 || !type.getElementType().isIntOrFloat())
    return false;
  // An empty source has nothing to extract, and nothing is stored from it.
  if (llvm::is_contained(cast<RankedTensorType>(source.getType()).getShape(), 0))
    return false;
  return isUnaligned(innermostOffset, type.getElementType(), vectorBits);
}

/// Replaces `op` by a generic over `init` that, per result element, reads
/// `source` where `placement` puts it and otherwise takes `outside(indices,
/// out)`. The generic stores its whole result from offset 0; its reads are
/// scalar extracts at clamped indices, so none is out of bounds.
void replaceWithGather(
    RewriterBase &rewriter, Operation *op, Value source, Value init,
    const Placement &placement,
    function_ref<Value(OpBuilder &, Location, ValueRange, Value)> outside) {
  Location loc = op->getLoc();
  rewriter.setInsertionPoint(op);
  auto resultType = cast<RankedTensorType>(init.getType());
  int64_t rank = resultType.getRank();
  auto sourceType = cast<RankedTensorType>(source.getType());
  SmallVector<Value> sourceSizes;
  for (int64_t dim = 0, e = sourceType.getRank(); dim < e; ++dim)
    sourceSizes.push_back(
        getValueOrCreateConstantIndexOp(
            rewriter, loc, tensor::getMixedSize(rewriter, loc, source, dim)));

  auto identity = rewriter.getMultiDimIdentityMap(rank);
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto gather = linalg::GenericOp::create(
      rewriter, loc, TypeRange{resultType}, ValueRange{}, ValueRange{init},
      ArrayRef<AffineMap>{identity}, iterators,
      [&](OpBuilder &b, Location bodyLoc, ValueRange args) {
        Value zero = arith::ConstantIndexOp::create(b, bodyLoc, 0);
        Value one = arith::ConstantIndexOp::create(b, bodyLoc, 1);
        Value inside = arith::ConstantIntOp::create(b, bodyLoc, 1, 1);
        auto both = [&](Value condition) {
          inside = arith::AndIOp::create(b, bodyLoc, inside, condition);
        };
        SmallVector<Value> indices, sourceIndices;
        int64_t sourceDim = 0;
        for (int64_t dim = 0; dim < rank; ++dim) {
          Value index = linalg::IndexOp::create(b, bodyLoc, dim);
          indices.push_back(index);
          // A whole dimension needs no bounds check.
          if (!placement.dropped.test(dim) &&
              isConstantIntValue(placement.offsets[dim], 0) &&
              isConstantIntValue(placement.strides[dim], 1) &&
              !resultType.isDynamicDim(dim) &&
              sourceType.getDimSize(sourceDim) == resultType.getDimSize(dim)) {
            sourceIndices.push_back(index);
            ++sourceDim;
            continue;
          }
          Value shifted = arith::SubIOp::create(
              b, bodyLoc, index,
              getValueOrCreateConstantIndexOp(b, bodyLoc,
                                              placement.offsets[dim]));
          if (placement.dropped.test(dim)) {
            both(arith::CmpIOp::create(b, bodyLoc, arith::CmpIPredicate::eq,
                                       shifted, zero));
            continue;
          }
          Value position = shifted;
          if (!isConstantIntValue(placement.strides[dim], 1)) {
            Value stride = getValueOrCreateConstantIndexOp(
                b, bodyLoc, placement.strides[dim]);
            Value rest = arith::RemSIOp::create(b, bodyLoc, shifted, stride);
            both(arith::CmpIOp::create(b, bodyLoc, arith::CmpIPredicate::eq,
                                       rest, zero));
            position = arith::DivSIOp::create(b, bodyLoc, shifted, stride);
          }
          Value size = sourceSizes[sourceDim++];
          both(arith::CmpIOp::create(b, bodyLoc, arith::CmpIPredicate::sge,
                                     shifted, zero));
          both(arith::CmpIOp::create(b, bodyLoc, arith::CmpIPredicate::slt,
                                     position, size));
          Value last = arith::SubIOp::create(b, bodyLoc, size, one);
          Value clamped = arith::MinSIOp::create(
              b, bodyLoc, arith::MaxSIOp::create(b, bodyLoc, position, zero),
              last);
          sourceIndices.push_back(clamped);
        }
        Value inserted =
            tensor::ExtractOp::create(b, bodyLoc, source, sourceIndices);
        Value other = outside(b, bodyLoc, indices, args[0]);
        linalg::YieldOp::create(
            b, bodyLoc,
            ValueRange{arith::SelectOp::create(b, bodyLoc, inside, inserted,
                                               other)});
      });
  rewriter.replaceOp(op, gather.getResults());
}

LogicalResult gatherPad(RewriterBase &rewriter, tensor::PadOp pad) {
  rewriter.setInsertionPoint(pad);
  ReifiedRankedShapedTypeDims shape;
  if (failed(reifyResultShapes(rewriter, pad, shape)))
    return pad.emitError() << "cannot compute the padded shape";
  Value empty = tensor::EmptyOp::create(rewriter, pad.getLoc(), shape[0],
                                        pad.getResultType().getElementType());
  int64_t rank = pad.getResultType().getRank();
  Placement placement{pad.getMixedLowPad(),
                      SmallVector<OpFoldResult>(rank, rewriter.getIndexAttr(1)),
                      llvm::SmallBitVector(rank)};
  // The padding value may depend on the indices: clone the pad's region.
  Region &region = pad.getRegion();
  replaceWithGather(
      rewriter, pad, pad.getSource(), empty, placement,
      [&](OpBuilder &b, Location, ValueRange indices, Value) -> Value {
        IRMapping mapping;
        mapping.map(region.getArguments(), indices);
        for (Operation &op : region.front().without_terminator())
          b.clone(op, mapping);
        auto yield = cast<tensor::YieldOp>(region.front().getTerminator());
        return mapping.lookupOrDefault(yield.getValue());
      });
  return success();
}

void gatherInsert(RewriterBase &rewriter, tensor::InsertSliceOp insert) {
  Placement placement{insert.getMixedOffsets(), insert.getMixedStrides(),
                      insert.getDroppedDims()};
  replaceWithGather(rewriter, insert, insert.getSource(), insert.getDest(),
                    placement,
                    [](OpBuilder &, Location, ValueRange, Value out) {
                      return out;
                    });
}

struct VulkanGatherUnalignedInserts
    : vtile::impl::VulkanGatherUnalignedInsertsBase<
          VulkanGatherUnalignedInserts> {
  using Base::Base;

  void runOnOperation() override {
    if (vectorBits == 0) {
      getOperation()->emitError() << "vector-bits must be positive";
      return signalPassFailure();
    }
    RewritePatternSet concats(&getContext());
    tensor::populateDecomposeTensorConcatPatterns(concats);
    if (failed(applyPatternsGreedily(getOperation(), std::move(concats))))
      return signalPassFailure();

    SmallVector<tensor::PadOp> pads;
    SmallVector<tensor::InsertSliceOp> inserts;
    getOperation()->walk<WalkOrder::PreOrder>([&](Operation *op) {
      // A one-dispatch group's pad is lowered by vtile's codegen spec, to
      // scalar stores into workgroup memory; as a gather it would no
      // longer fuse into the group's workgroup loop.
      if (op->getName().getStringRef() == kDispatchRegionName)
        return WalkResult::skip();
      if (auto pad = dyn_cast<tensor::PadOp>(op)) {
        if (isCandidate(pad.getResultType(), pad.getMixedLowPad().back(),
                        pad.getSource(), vectorBits))
          pads.push_back(pad);
      } else if (auto insert = dyn_cast<tensor::InsertSliceOp>(op)) {
        if (isCandidate(insert.getDestType(), insert.getMixedOffsets().back(),
                        insert.getSource(), vectorBits))
          inserts.push_back(insert);
      }
      return WalkResult::advance();
    });
    IRRewriter rewriter(&getContext());
    for (tensor::PadOp pad : pads)
      if (failed(gatherPad(rewriter, pad)))
        return signalPassFailure();
    for (tensor::InsertSliceOp insert : inserts)
      gatherInsert(rewriter, insert);
  }
};

} // namespace
