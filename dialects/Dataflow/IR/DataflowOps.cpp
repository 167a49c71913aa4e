//===- DataflowOps.cpp - kernels and transfers ---------------------------===//

#include "dialects/Dataflow/IR/Dataflow.h"

using namespace mlir;
using namespace vtile::dataflow;

#define GET_OP_CLASSES
#include "dialects/Dataflow/IR/DataflowOps.cpp.inc"

//===----------------------------------------------------------------------===//
// KernelOp
//===----------------------------------------------------------------------===//

LogicalResult KernelOp::verify() {
  std::optional<PlanAttr> plan = getPlan();
  if (!plan)
    return success();
  size_t tileRank = plan->getTileSizes().size();
  for (auto [index, result] : llvm::enumerate(getResults())) {
    auto type = cast<RankedTensorType>(result.getType());
    if (static_cast<size_t>(type.getRank()) != tileRank)
      return emitOpError() << "plan tiles " << tileRank
                           << " dimensions but result " << index
                           << " has rank " << type.getRank();
    for (auto [dim, tile] : llvm::enumerate(plan->getTileSizes()))
      if (!type.isDynamicDim(dim) && tile > type.getDimSize(dim))
        return emitOpError() << "plan tile size " << tile << " in dimension "
                             << dim << " exceeds result " << index
                             << "'s size " << type.getDimSize(dim);
  }
  if (plan->getHalos().size() != getInputs().size())
    return emitOpError() << "plan has " << plan->getHalos().size()
                         << " halos but the kernel has "
                         << getInputs().size() << " inputs";
  for (auto [index, halo, input] :
       llvm::enumerate(plan->getHalos(), getInputs())) {
    int64_t rank = cast<RankedTensorType>(input.getType()).getRank();
    if (static_cast<int64_t>(halo.getLow().size()) != rank)
      return emitOpError() << "halo of input " << index << " has "
                           << halo.getLow().size()
                           << " dimensions but the input has rank " << rank;
  }
  return success();
}

LogicalResult KernelOp::verifyRegions() {
  Block &body = getBody().front();
  if (body.getArgumentTypes() != getInputs().getTypes())
    return emitOpError() << "body arguments must match the "
                         << getInputs().size() << " inputs in number and type";
  auto yield = cast<YieldOp>(body.getTerminator());
  if (yield.getValues().getTypes() != getResultTypes())
    return emitOpError() << "yields " << yield.getValues().size()
                         << " values whose types do not match the "
                         << getNumResults() << " kernel results";
  return success();
}

//===----------------------------------------------------------------------===//
// TransferOp
//===----------------------------------------------------------------------===//

LogicalResult TransferOp::verify() {
  if (getFrom() == getTo())
    return emitOpError() << "transfers from \"" << getFrom()
                         << "\" to the same device";
  auto producer = getSource().getDefiningOp<KernelOp>();
  if (!producer || !producer.getPlan())
    return success();
  StringRef placed = producer.getPlan()->getDevice();
  if (placed != getFrom())
    return emitOpError() << "reads from \"" << getFrom()
                         << "\" but its source kernel is placed on \""
                         << placed << "\"";
  return success();
}
