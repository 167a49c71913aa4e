//===- ExtendDomains.cpp - a chain without inner pads ---------------------===//
//
// See ExtendDomains.h.
//
//===----------------------------------------------------------------------===//

#include "passes/ExtendDomains.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/AffineExpr.h"
#include "llvm/ADT/SetVector.h"

using namespace mlir;

namespace {

/// Records why the chain cannot be extended, naming the op.
LogicalResult fail(std::string &why, Operation *op, StringRef reason) {
  why = (op->getName().getStringRef() + ": " + reason).str();
  return failure();
}

/// Extra elements before and after each dimension of a value.
struct Margin {
  SmallVector<int64_t> low, high;
  explicit Margin(int64_t rank = 0) : low(rank, 0), high(rank, 0) {}
  bool empty() const {
    return llvm::all_of(low, [](int64_t x) { return x == 0; }) &&
           llvm::all_of(high, [](int64_t x) { return x == 0; });
  }
  void widen(const Margin &other) {
    for (auto [mine, theirs] : llvm::zip(low, other.low))
      mine = std::max(mine, theirs);
    for (auto [mine, theirs] : llvm::zip(high, other.high))
      mine = std::max(mine, theirs);
  }
  bool operator==(const Margin &other) const {
    return low == other.low && high == other.high;
  }
};

RankedTensorType extended(Value value, const Margin &margin) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> shape(type.getShape());
  for (auto [size, low, high] : llvm::zip(shape, margin.low, margin.high))
    size += low + high;
  return type.clone(shape);
}

/// `expr` as a sum of loop dimensions times constants, or nothing.
std::optional<SmallVector<std::pair<unsigned, int64_t>>>
linearTerms(AffineExpr expr) {
  if (auto dim = dyn_cast<AffineDimExpr>(expr))
    return SmallVector<std::pair<unsigned, int64_t>>{{dim.getPosition(), 1}};
  auto binary = dyn_cast<AffineBinaryOpExpr>(expr);
  if (!binary)
    return std::nullopt;
  if (binary.getKind() == AffineExprKind::Add) {
    auto lhs = linearTerms(binary.getLHS());
    auto rhs = linearTerms(binary.getRHS());
    if (!lhs || !rhs)
      return std::nullopt;
    lhs->append(rhs->begin(), rhs->end());
    return lhs;
  }
  if (binary.getKind() == AffineExprKind::Mul) {
    auto constant = dyn_cast<AffineConstantExpr>(binary.getRHS());
    auto terms = linearTerms(binary.getLHS());
    if (!constant || !terms)
      return std::nullopt;
    for (auto &term : *terms)
      term.second *= constant.getValue();
    return terms;
  }
  return std::nullopt;
}

/// The margin `op`'s `input` needs for its result to have `margin`: each
/// input dimension indexed by an output loop times a stride gets that
/// loop's margin times the stride.
FailureOr<Margin> inputMargin(linalg::LinalgOp op, OpOperand *input,
                              const Margin &margin, std::string &why) {
  AffineMap output = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  if (!output.isProjectedPermutation())
    return fail(why, op, "its result is not indexed by loops alone");
  AffineMap map = op.getMatchingIndexingMap(input);
  Margin result(map.getNumResults());
  for (auto [dim, expr] : llvm::enumerate(map.getResults())) {
    auto terms = linearTerms(expr);
    if (!terms)
      return fail(why, op, "it reads an operand through a non-linear index");
    for (auto [loop, stride] : *terms) {
      std::optional<unsigned> position =
          output.getResultPosition(getAffineDimExpr(loop, op->getContext()));
      if (!position)
        continue; // a reduction loop
      result.low[dim] += margin.low[*position] * stride;
      result.high[dim] += margin.high[*position] * stride;
    }
  }
  return result;
}

/// Fails if `op`, extended by `margin`, would read a tensor the chain does
/// not compute (a weight, a bias broadcast to the output's shape) along an
/// extended dimension: that tensor has no margin.
LogicalResult readsConstantsInside(Operation *op,
                                   const llvm::SetVector<Value> &chain,
                                   const Margin &margin, std::string &why) {
  auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
  if (!linalgOp || margin.empty())
    return success();
  AffineMap output = linalgOp.getMatchingIndexingMap(
      linalgOp.getDpsInitOperand(0));
  for (OpOperand *input : linalgOp.getDpsInputOperands()) {
    if (chain.contains(input->get()))
      continue;
    AffineMap map = linalgOp.getMatchingIndexingMap(input);
    for (auto [position, expr] : llvm::enumerate(output.getResults()))
      if (auto dim = dyn_cast<AffineDimExpr>(expr);
          dim && (margin.low[position] || margin.high[position]) &&
          map.isFunctionOfDim(dim.getPosition()))
        return fail(why, op,
                    "it reads a tensor computed outside the chain along a "
                    "dimension its halo extends");
  }
  return success();
}

/// The operands of `op` that the chain computes (destinations aside).
FailureOr<SmallVector<OpOperand *>>
chainOperands(Operation *op, const llvm::SetVector<Value> &chain,
              std::string &why) {
  SmallVector<OpOperand *> found;
  auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
  for (OpOperand &operand : op->getOpOperands())
    if (chain.contains(operand.get()) &&
        !(linalgOp && linalgOp.isDpsInit(&operand)))
      found.push_back(&operand);
  if (found.empty())
    return fail(why, op, "it reads no computed value");
  return found;
}

/// `map` reading `offset` further along each of its results.
AffineMap shifted(AffineMap map, ArrayRef<int64_t> offset) {
  SmallVector<AffineExpr> results;
  for (auto [expr, by] : llvm::zip(map.getResults(), offset))
    results.push_back(expr + by);
  return AffineMap::get(map.getNumDims(), map.getNumSymbols(), results,
                        map.getContext());
}

/// Makes `generic` read each of its operands from its offset on.
void readAtOffsets(linalg::GenericOp generic,
                   ArrayRef<std::pair<unsigned, SmallVector<int64_t>>> offsets) {
  SmallVector<AffineMap> maps = generic.getIndexingMapsArray();
  for (auto &[operand, offset] : offsets)
    maps[operand] = shifted(maps[operand], offset);
  generic.setIndexingMapsAttr(
      Builder(generic.getContext()).getAffineMapArrayAttr(maps));
}

/// A tensor of `type` filled like `init` was (or left empty).
Value freshInit(OpBuilder &builder, Location loc, Value init,
                RankedTensorType type) {
  Value empty = tensor::EmptyOp::create(builder, loc, type.getShape(),
                                        type.getElementType());
  if (auto fill = init.getDefiningOp<linalg::FillOp>())
    return linalg::FillOp::create(builder, loc, fill.value(), empty)
        .getResult(0);
  return empty;
}

/// The elementwise op that replaces `pad`: `source` (read from
/// `sourceOffset` on, extended by `sourceMargin`) where the pad reads its
/// source, the pad value elsewhere.
Value mask(OpBuilder &builder, tensor::PadOp pad, Value source,
           ArrayRef<int64_t> sourceOffset, ArrayRef<int64_t> sourceShape,
           const Margin &sourceMargin, RankedTensorType type) {
  Location loc = pad.getLoc();
  Value padValue = pad.getConstantPaddingValue();
  int64_t rank = type.getRank();
  Value init = tensor::EmptyOp::create(builder, loc, type.getShape(),
                                       type.getElementType());
  auto identity = builder.getMultiDimIdentityMap(rank);
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      builder, loc, TypeRange{type}, ValueRange{source}, ValueRange{init},
      ArrayRef<AffineMap>{shifted(identity, sourceOffset), identity},
      iterators,
      [&](OpBuilder &b, Location bodyLoc, ValueRange args) {
        // The value may be a constant inside the pad, which goes away.
        if (padValue.getParentRegion() == &pad.getRegion())
          padValue = b.clone(*padValue.getDefiningOp())->getResult(0);
        Value inside = arith::ConstantIntOp::create(b, bodyLoc, 1, 1);
        for (int64_t dim = 0; dim < rank; ++dim) {
          int64_t low = sourceMargin.low[dim];
          if (low == 0 && sourceMargin.high[dim] == 0)
            continue;
          Value index = linalg::IndexOp::create(b, bodyLoc, dim);
          Value first = arith::ConstantIndexOp::create(b, bodyLoc, low);
          Value end = arith::ConstantIndexOp::create(
              b, bodyLoc, low + sourceShape[dim]);
          Value above = arith::CmpIOp::create(
              b, bodyLoc, arith::CmpIPredicate::sge, index, first);
          Value below = arith::CmpIOp::create(
              b, bodyLoc, arith::CmpIPredicate::slt, index, end);
          inside = arith::AndIOp::create(
              b, bodyLoc, inside,
              arith::AndIOp::create(b, bodyLoc, above, below));
        }
        linalg::YieldOp::create(
            b, bodyLoc,
            ValueRange{arith::SelectOp::create(b, bodyLoc, inside, args[0],
                                               padValue)});
      });
  return generic.getResult(0);
}

} // namespace

LogicalResult vtile::extendDomains(Block &block, ArrayRef<Value> inputs,
                                   Operation *root, OpBuilder &outside,
                                   std::string &why) {
  SmallVector<Operation *> ops;
  llvm::SetVector<Value> chain(inputs.begin(), inputs.end());
  for (Operation &op : block.without_terminator()) {
    bool computed = llvm::any_of(op.getOperands(), [&](Value operand) {
      return chain.contains(operand);
    });
    if (!computed)
      continue; // constants: weights, destinations
    if (!isa<linalg::LinalgOp, tensor::PadOp>(op))
      return fail(why, &op, "only linalg ops and tensor.pad can be tiled inside one dispatch");
    ops.push_back(&op);
    chain.insert(op.result_begin(), op.result_end());
  }

  // Backwards: the margin each computed value needs (the root needs none),
  // and each read of an input. An input may be read with several margins
  // (a residual block reads it through a padded convolution and directly):
  // it is padded once per margin, outside.
  llvm::DenseSet<Value> isInput(inputs.begin(), inputs.end());
  llvm::DenseMap<Value, Margin> margins;
  llvm::DenseMap<OpOperand *, Margin> inputReads, reads_with;
  margins[root->getResult(0)] = Margin(
      cast<RankedTensorType>(root->getResult(0).getType()).getRank());
  llvm::DenseMap<Operation *, SmallVector<OpOperand *>> reads;
  // Taken before any result type grows.
  llvm::DenseMap<Operation *, SmallVector<int64_t>> padSourceShapes;
  for (Operation *op : llvm::reverse(ops)) {
    if (op->getNumResults() != 1)
      return fail(why, op, "it has several results");
    auto it = margins.find(op->getResult(0));
    if (it == margins.end())
      return fail(why, op, "its result is not read by the chain");
    FailureOr<SmallVector<OpOperand *>> inputs = chainOperands(op, chain, why);
    if (failed(inputs))
      return failure();
    reads[op] = *inputs;
    Margin outputMargin = it->second; // a copy: inserting below rehashes
    if (failed(readsConstantsInside(op, chain, outputMargin, why)))
      return failure();
    for (OpOperand *input : *inputs) {
      FailureOr<Margin> needed = Margin();
      if (auto pad = dyn_cast<tensor::PadOp>(op)) {
        padSourceShapes[pad] = SmallVector<int64_t>(pad.getSourceType().getShape());
        if (!pad.getConstantPaddingValue())
          return fail(why, op, "its padding value is not a constant");
        Margin margin = outputMargin;
        for (auto [dim, low, high] :
             llvm::enumerate(pad.getStaticLow(), pad.getStaticHigh())) {
          if (ShapedType::isDynamic(low) || ShapedType::isDynamic(high))
            return fail(why, op, "it pads by a dynamic amount");
          margin.low[dim] += low;
          margin.high[dim] += high;
        }
        needed = margin;
      } else {
        needed = inputMargin(cast<linalg::LinalgOp>(op), input, outputMargin, why);
      }
      if (failed(needed))
        return failure();
      if (isInput.contains(input->get())) {
        inputReads[input] = *needed;
        continue;
      }
      // A computed value read with several margins is computed with the
      // widest; a reader that needs less reads it at an offset, which only
      // an elementwise op or a pad (its mask) can.
      reads_with[input] = *needed;
      auto [known, inserted] = margins.try_emplace(input->get(), *needed);
      if (!inserted)
        known->second.widen(*needed);
    }
  }

  // A narrower read is an offset into the wider value, the same on every
  // dimension that keeps its size: an offset of 0 with a smaller size
  // would need a slice.
  for (auto &[read, needed] : reads_with) {
    const Margin &widest = margins[read->get()];
    if (needed == widest)
      continue;
    Operation *reader = read->getOwner();
    if (!isa<tensor::PadOp, linalg::GenericOp>(reader))
      return fail(why, reader, "it reads a value other ops read with a wider window, which only an elementwise op or a pad can");
    for (auto [low, high, wideLow, wideHigh] :
         llvm::zip(needed.low, needed.high, widest.low, widest.high))
      if (low == wideLow && high != wideHigh)
        return fail(why, reader, "it reads a prefix of a value other ops read with a wider window");
  }

  // Forwards: pad the inputs (once per margin), extend every op, replace
  // pads by masks.
  SmallVector<std::tuple<Value, Margin, Value>> padded;
  auto paddedInput = [&](Value input, const Margin &margin) -> Value {
    for (auto &[value, known, result] : padded)
      if (value == input && known == margin)
        return result;
    Value zero = arith::ConstantOp::create(
        outside, input.getLoc(),
        outside.getZeroAttr(
            cast<RankedTensorType>(input.getType()).getElementType()));
    Value result = tensor::PadOp::create(
        outside, input.getLoc(), extended(input, margin), input,
        getAsIndexOpFoldResult(outside.getContext(), margin.low),
        getAsIndexOpFoldResult(outside.getContext(), margin.high), zero);
    padded.emplace_back(input, margin, result);
    return result;
  };
  // Where a read starts in the value it reads (0 but for narrower reads).
  auto offsetOf = [&](OpOperand *read) {
    auto needed = reads_with.find(read);
    if (needed == reads_with.end())
      return SmallVector<int64_t>(
          cast<RankedTensorType>(read->get().getType()).getRank(), 0);
    SmallVector<int64_t> offset(margins[read->get()].low);
    for (auto [start, low] : llvm::zip(offset, needed->second.low))
      start -= low;
    return offset;
  };
  llvm::DenseMap<Value, Value> replacement;
  OpBuilder builder(root->getContext());
  for (Operation *op : ops) {
    OpOperand *first = reads[op].front();
    Margin sourceMargin = inputReads.contains(first) ? inputReads[first]
                                                     : reads_with[first];
    // Taken before the reads are rewritten: offsets are of the old values.
    SmallVector<std::pair<unsigned, SmallVector<int64_t>>> offsets;
    for (OpOperand *input : reads[op])
      offsets.emplace_back(input->getOperandNumber(), offsetOf(input));
    SmallVector<int64_t> sourceOffset = offsets.front().second;
    for (OpOperand *input : reads[op]) {
      auto read = inputReads.find(input);
      if (read != inputReads.end()) {
        if (!read->second.empty())
          input->set(paddedInput(input->get(), read->second));
      } else if (Value extendedInput = replacement.lookup(input->get())) {
        input->set(extendedInput);
      }
    }
    Value result = op->getResult(0);
    const Margin &margin = margins[result];
    RankedTensorType type = extended(result, margin);
    builder.setInsertionPoint(op);
    if (auto pad = dyn_cast<tensor::PadOp>(op)) {
      Value masked = mask(builder, pad, first->get(), sourceOffset,
                          padSourceShapes[pad], sourceMargin, type);
      replacement[result] = masked;
      continue;
    }
    if (auto generic = dyn_cast<linalg::GenericOp>(op))
      readAtOffsets(generic, offsets);
    if (margin.empty())
      continue;
    auto linalgOp = cast<linalg::LinalgOp>(op);
    for (OpOperand &init : linalgOp.getDpsInitsMutable())
      init.set(freshInit(builder, op->getLoc(), init.get(), type));
    result.setType(type);
  }
  // The pads are dead now; every use of an extended value was rewritten.
  for (Operation *op : llvm::reverse(ops))
    if (isa<tensor::PadOp>(op)) {
      op->getResult(0).replaceAllUsesWith(replacement[op->getResult(0)]);
      op->erase();
    }
  return success();
}
