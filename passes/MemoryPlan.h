//===- MemoryPlan.h - a function's memory plan, read back -------*- C++ -*-===//
//
// The planner (Python) records a function's execution order and static
// arena as attributes (see the `dataflow` dialect's getMemoryPlanAttrName).
// This reads them back and checks them against the IR; the passes that
// verify and apply the plan share it.
//
//===----------------------------------------------------------------------===//

#ifndef VTILE_PASSES_MEMORYPLAN_H
#define VTILE_PASSES_MEMORYPLAN_H

#include "dialects/Dataflow/IR/Dataflow.h"

#include "mlir/Interfaces/FunctionInterfaces.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SetVector.h"

namespace vtile {

/// A function's plan: the step each op of its body runs at. An op without
/// `dataflow.step` (a reshape, a pad written in place, a constant) runs
/// with the latest op it reads from, or before everything (-1).
struct ScheduledBody {
  dataflow::MemoryPlanAttr plan;
  mlir::Block *body = nullptr;
  llvm::DenseMap<mlir::Operation *, int64_t> steps;
};

/// The values `op` reads: its operands and those its regions capture.
llvm::SetVector<mlir::Value> readValues(mlir::Operation *op);

/// The plan of `function`, checked: steps respect every use; each slot
/// covers the steps its buffer is written and read at, lies in the arena at
/// an aligned offset and holds its result; no two slots share a byte while
/// both are live; returned values have none (IREE allocates them apart).
/// Emits a diagnostic at the first op that breaks a rule. `std::nullopt`
/// with success: the function has no plan.
mlir::FailureOr<std::optional<ScheduledBody>>
readMemoryPlan(mlir::FunctionOpInterface function);

} // namespace vtile

#endif // VTILE_PASSES_MEMORYPLAN_H
