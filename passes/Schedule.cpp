//===- Schedule.cpp - ops into the memory plan's order -------------------===//
//
// See `DataflowSchedule` in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "passes/MemoryPlan.h"
#include "passes/Passes.h"

#include "mlir/Interfaces/SideEffectInterfaces.h"

#include <set>

namespace vtile {
#define GEN_PASS_DEF_DATAFLOWSCHEDULE
#include "passes/Passes.h.inc"
} // namespace vtile

using namespace mlir;

namespace {

/// List scheduling: among the ops whose operands are all placed, the one
/// with the lowest (step, position in the block). An op without a step
/// takes its earliest reader's, so it lands just before that reader; ops
/// with side effects keep their relative order.
void reorder(Block &body) {
  llvm::SmallVector<Operation *> ops;
  for (Operation &op : body.without_terminator())
    ops.push_back(&op);
  llvm::DenseMap<Operation *, int64_t> key, position;
  for (auto [index, op] : llvm::enumerate(ops))
    position[op] = index;
  for (Operation *op : llvm::reverse(ops)) {
    auto step = op->getAttrOfType<IntegerAttr>(
        vtile::dataflow::DataflowDialect::getStepAttrName());
    int64_t earliest = std::numeric_limits<int64_t>::max();
    for (Operation *user : op->getUsers()) {
      Operation *reader = body.findAncestorOpInBlock(*user);
      if (key.contains(reader))
        earliest = std::min(earliest, key[reader]);
    }
    key[op] = step ? step.getInt() : earliest;
  }

  llvm::DenseMap<Operation *, llvm::SmallVector<Operation *>> readers;
  llvm::DenseMap<Operation *, int> waiting;
  Operation *lastEffect = nullptr;
  for (Operation *op : ops) {
    llvm::SetVector<Operation *> producers;
    for (Value value : vtile::readValues(op))
      if (Operation *def = value.getDefiningOp(); def && key.contains(def))
        producers.insert(def);
    if (!isMemoryEffectFree(op)) {
      if (lastEffect)
        producers.insert(lastEffect);
      lastEffect = op;
    }
    for (Operation *producer : producers)
      readers[producer].push_back(op);
    waiting[op] = producers.size();
  }

  auto order = [&](Operation *a, Operation *b) {
    return std::make_pair(key[a], position[a]) <
           std::make_pair(key[b], position[b]);
  };
  std::set<Operation *, decltype(order)> ready(order);
  for (Operation *op : ops)
    if (waiting[op] == 0)
      ready.insert(op);
  Operation *terminator = body.getTerminator();
  while (!ready.empty()) {
    Operation *op = *ready.begin();
    ready.erase(ready.begin());
    op->moveBefore(terminator);
    for (Operation *reader : readers[op])
      if (--waiting[reader] == 0)
        ready.insert(reader);
  }
}

struct DataflowSchedule
    : vtile::impl::DataflowScheduleBase<DataflowSchedule> {
  void runOnOperation() override {
    WalkResult walk = getOperation()->walk([](FunctionOpInterface function) {
      FailureOr<std::optional<vtile::ScheduledBody>> plan =
          vtile::readMemoryPlan(function);
      if (failed(plan))
        return WalkResult::interrupt();
      if (*plan)
        reorder(*(*plan)->body);
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      signalPassFailure();
  }
};

} // namespace
