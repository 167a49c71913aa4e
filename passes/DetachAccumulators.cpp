//===- DetachAccumulators.cpp - ops that start from zero ------------------===//
//
// See DetachAccumulators.h.
//
//===----------------------------------------------------------------------===//

#include "passes/DetachAccumulators.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace {

/// The op that adds `op`'s single destination into its result, if `op`
/// reduces and its body is `yield(out + f(ins))` with `out` read nowhere
/// else.
Operation *accumulation(linalg::LinalgOp op) {
  // An elementwise op that reads its destination is left alone: fused with
  // the add it would yield its zero-started result as a second result.
  if (op.getNumDpsInits() != 1 || op->getNumResults() != 1 ||
      op.getNumReductionLoops() == 0)
    return nullptr;
  Block *body = op.getBlock();
  BlockArgument out = op.getRegionOutputArgs().front();
  Operation *yielded = body->getTerminator()->getOperand(0).getDefiningOp();
  if (!yielded || !isa<arith::AddFOp, arith::AddIOp>(yielded) ||
      !out.hasOneUse() || out.getUses().begin()->getOwner() != yielded)
    return nullptr;
  return yielded;
}

/// The input of the op computing `value` if that op only broadcasts it to
/// its identity-indexed result (`linalg.broadcast` or its generic form),
/// with the map it reads it through.
std::optional<std::pair<Value, AffineMap>> broadcastSource(Value value) {
  auto op = value.getDefiningOp<linalg::LinalgOp>();
  if (!op || op.getNumDpsInputs() != 1 || op.getNumDpsInits() != 1 ||
      op.getNumParallelLoops() != op.getNumLoops() ||
      !op.getIndexingMapsArray().back().isIdentity())
    return std::nullopt;
  Block *body = op.getBlock();
  if (body->getTerminator()->getOperand(0) != body->getArgument(0))
    return std::nullopt;
  return std::make_pair(op.getDpsInputs().front(),
                        op.getIndexingMapsArray().front());
}

void detach(linalg::LinalgOp op, Operation *add) {
  OpBuilder builder(op);
  Location loc = op.getLoc();
  Value destination = op.getDpsInits().front();
  auto type = cast<RankedTensorType>(destination.getType());
  Type element = type.getElementType();
  Value zero =
      arith::ConstantOp::create(builder, loc, builder.getZeroAttr(element));
  Value empty =
      tensor::EmptyOp::create(builder, loc, type.getShape(), element);
  op.getDpsInitsMutable()[0].set(
      linalg::FillOp::create(builder, loc, zero, empty).getResult(0));

  AffineMap identity = builder.getMultiDimIdentityMap(type.getRank());
  auto [addend, map] = broadcastSource(destination)
                           .value_or(std::make_pair(destination, identity));
  builder.setInsertionPointAfter(op);
  Value result = op->getResult(0);
  auto sum = linalg::GenericOp::create(
      builder, loc, TypeRange{type}, ValueRange{result, addend},
      ValueRange{tensor::EmptyOp::create(builder, loc, type.getShape(),
                                         element)},
      ArrayRef<AffineMap>{identity, map, identity},
      SmallVector<utils::IteratorType>(type.getRank(),
                                       utils::IteratorType::parallel),
      [&](OpBuilder &b, Location bodyLoc, ValueRange args) {
        OperationState state(bodyLoc, add->getName());
        state.addOperands({args[0], args[1]});
        state.addTypes(element);
        state.addAttributes(add->getAttrs());
        linalg::YieldOp::create(b, bodyLoc, b.create(state)->getResult(0));
      });
  result.replaceAllUsesExcept(sum.getResult(0), sum);
  if (Operation *def = destination.getDefiningOp(); def && def->use_empty())
    def->erase();
}

} // namespace

void vtile::detachAccumulators(Block &block,
                               llvm::function_ref<bool(Value)> fresh) {
  SmallVector<std::pair<linalg::LinalgOp, Operation *>> found;
  for (auto op : block.getOps<linalg::LinalgOp>())
    if (Operation *add = accumulation(op);
        add && !fresh(op.getDpsInits().front()))
      found.emplace_back(op, add);
  for (auto [op, add] : found)
    detach(op, add);
}
