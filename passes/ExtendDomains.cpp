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

/// The elementwise op that replaces `pad`: `source` (extended by
/// `sourceMargin`) where the pad reads its source, the pad value elsewhere.
Value mask(OpBuilder &builder, tensor::PadOp pad, Value source,
           ArrayRef<int64_t> sourceShape, const Margin &sourceMargin,
           RankedTensorType type) {
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
      ArrayRef<AffineMap>{identity, identity}, iterators,
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

  // Backwards: the margin each value needs; the root needs none.
  llvm::DenseMap<Value, Margin> margins;
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
      auto [known, inserted] = margins.try_emplace(input->get(), *needed);
      if (!inserted && !(known->second == *needed))
        return fail(why, op, "it reads a value another op reads with another window");
    }
  }

  // Forwards: pad the inputs once, extend every op, replace pads by masks.
  llvm::DenseMap<Value, Value> replacement;
  for (Value input : inputs) {
    auto it = margins.find(input);
    if (it == margins.end() || it->second.empty())
      continue;
    Value zero = arith::ConstantOp::create(
        outside, input.getLoc(),
        outside.getZeroAttr(
            cast<RankedTensorType>(input.getType()).getElementType()));
    replacement[input] = tensor::PadOp::create(
        outside, input.getLoc(), extended(input, it->second), input,
        getAsIndexOpFoldResult(outside.getContext(), it->second.low),
        getAsIndexOpFoldResult(outside.getContext(), it->second.high), zero);
  }
  OpBuilder builder(root->getContext());
  for (Operation *op : ops) {
    OpOperand *first = reads[op].front();
    const Margin &inputMargin = margins[first->get()];
    for (OpOperand *input : reads[op])
      if (Value extendedInput = replacement.lookup(input->get()))
        input->set(extendedInput);
    Value result = op->getResult(0);
    const Margin &margin = margins[result];
    RankedTensorType type = extended(result, margin);
    builder.setInsertionPoint(op);
    if (auto pad = dyn_cast<tensor::PadOp>(op)) {
      Value masked = mask(builder, pad, first->get(), padSourceShapes[pad],
                          inputMargin, type);
      replacement[result] = masked;
      continue;
    }
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
