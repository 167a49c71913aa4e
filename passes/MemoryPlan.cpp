//===- MemoryPlan.cpp - a function's memory plan, read back --------------===//

#include "passes/MemoryPlan.h"
#include "dialects/Tile/IR/Footprint.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/Transforms/RegionUtils.h"

using namespace mlir;
using namespace vtile;
using namespace vtile::dataflow;

llvm::SetVector<Value> vtile::readValues(Operation *op) {
  llvm::SetVector<Value> values(op->operand_begin(), op->operand_end());
  getUsedValuesDefinedAbove(op->getRegions(), values);
  return values;
}

namespace {

/// Static bytes of a tensor result, 0 if unknown.
int64_t tensorBytes(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor || !tensor.hasStaticShape() ||
      !tensor.getElementType().isIntOrFloat())
    return 0;
  return tile::getBufferBytes(tensor);
}

struct PlanReader {
  ScheduledBody scheduled;

  /// The op of the body that is or holds `user`.
  Operation *inBody(Operation *user) {
    return scheduled.body->findAncestorOpInBlock(*user);
  }

  LogicalResult readSteps() {
    for (Operation &op : scheduled.body->without_terminator()) {
      Attribute attr = op.getAttr(DataflowDialect::getStepAttrName());
      auto step = dyn_cast_or_null<IntegerAttr>(attr);
      if (attr && (!step || step.getInt() < 0))
        return op.emitError() << "'" << DataflowDialect::getStepAttrName()
                              << "' must be a non-negative integer";
      int64_t latest = -1;
      Operation *latestOp = nullptr;
      for (Value value : readValues(&op)) {
        Operation *def = value.getDefiningOp();
        if (!def || def->getBlock() != scheduled.body)
          continue;
        if (scheduled.steps.lookup(def) > latest) {
          latest = scheduled.steps.lookup(def);
          latestOp = def;
        }
      }
      if (step && step.getInt() < latest) {
        InFlightDiagnostic diag = op.emitError()
                                  << "step " << step.getInt()
                                  << " reads a value computed at step "
                                  << latest << "; steps must follow uses";
        diag.attachNote(latestOp->getLoc()) << "computed here";
        return diag;
      }
      scheduled.steps[&op] = step ? step.getInt() : latest;
    }
    return success();
  }

  /// The last step that reads `op`'s results, through ops without a step
  /// of their own (views); failure, at `owner` (the op with the slot), if
  /// a result is returned.
  FailureOr<int64_t> lastRead(Operation *op, Operation *owner) {
    int64_t last = scheduled.steps.lookup(op);
    for (Operation *user : op->getUsers()) {
      Operation *reader = inBody(user);
      if (reader == scheduled.body->getTerminator())
        return owner->emitError()
               << "a returned value has a '"
               << DataflowDialect::getBufferAttrName()
               << "' slot; IREE allocates results apart from the arena";
      if (reader->hasAttr(DataflowDialect::getStepAttrName())) {
        last = std::max(last, scheduled.steps.lookup(reader));
        continue;
      }
      FailureOr<int64_t> through = lastRead(reader, owner);
      if (failed(through))
        return failure();
      last = std::max(last, *through);
    }
    return last;
  }

  LogicalResult readSlots() {
    MemoryPlanAttr plan = scheduled.plan;
    llvm::SmallVector<std::pair<SlotAttr, Operation *>> slots;
    for (Operation &op : scheduled.body->without_terminator()) {
      for (StringRef name : {DataflowDialect::getBufferAttrName(),
                             DataflowDialect::getScratchAttrName()}) {
        Attribute attr = op.getAttr(name);
        if (!attr)
          continue;
        auto slot = dyn_cast<SlotAttr>(attr);
        if (!slot)
          return op.emitError() << "'" << name << "' must be a #dataflow.slot";
        int64_t step = scheduled.steps.lookup(&op);
        if (slot.getFirst() > step || slot.getLast() < step)
          return op.emitError() << "'" << name << "' is live at steps ["
                                << slot.getFirst() << ", " << slot.getLast()
                                << "], not at step " << step
                                << " where its op runs";
        if (slot.getOffset() % plan.getAlignment() != 0 ||
            slot.getOffset() + slot.getBytes() > plan.getArenaBytes())
          return op.emitError()
                 << "'" << name << "' bytes [" << slot.getOffset() << ", "
                 << slot.getOffset() + slot.getBytes()
                 << ") are not an aligned range of the "
                 << plan.getArenaBytes() << "-byte arena (alignment "
                 << plan.getAlignment() << ")";
        if (name == DataflowDialect::getBufferAttrName() &&
            failed(readBuffer(op, slot)))
          return failure();
        slots.push_back({slot, &op});
      }
    }
    for (auto [index, entry] : llvm::enumerate(slots))
      for (auto &[other, otherOp] : ArrayRef(slots).take_front(index))
        if (entry.first.overlaps(other)) {
          InFlightDiagnostic diag =
              entry.second->emitError()
              << "slot " << entry.first
              << " overlaps another slot live at the same time: " << other;
          diag.attachNote(otherOp->getLoc()) << "the other slot's op";
          return diag;
        }
    return success();
  }

  LogicalResult readBuffer(Operation &op, SlotAttr slot) {
    if (op.getNumResults() != 1)
      return op.emitError() << "'" << DataflowDialect::getBufferAttrName()
                            << "' needs an op with one result, not "
                            << op.getNumResults();
    int64_t needed = tensorBytes(op.getResult(0).getType());
    if (slot.getBytes() < needed)
      return op.emitError() << "slot of " << slot.getBytes()
                            << " bytes cannot hold the result's " << needed;
    FailureOr<int64_t> last = lastRead(&op, &op);
    if (failed(last))
      return failure();
    if (*last > slot.getLast())
      return op.emitError() << "slot is live until step " << slot.getLast()
                            << " but its buffer is read at step " << *last;
    return success();
  }
};

} // namespace

FailureOr<std::optional<ScheduledBody>>
vtile::readMemoryPlan(FunctionOpInterface function) {
  Attribute attr = function->getAttr(DataflowDialect::getMemoryPlanAttrName());
  if (!attr) {
    WalkResult stepped = function->walk([](Operation *op) {
      return op->hasAttr(DataflowDialect::getStepAttrName())
                 ? WalkResult::interrupt()
                 : WalkResult::advance();
    });
    if (stepped.wasInterrupted())
      return function->emitError()
             << "ops carry '" << DataflowDialect::getStepAttrName()
             << "' but the function has no '"
             << DataflowDialect::getMemoryPlanAttrName() << "'";
    return std::optional<ScheduledBody>();
  }
  auto plan = dyn_cast<MemoryPlanAttr>(attr);
  if (!plan)
    return function->emitError()
           << "'" << DataflowDialect::getMemoryPlanAttrName()
           << "' must be a #dataflow.memory_plan";
  if (!function.getFunctionBody().hasOneBlock())
    return function->emitError()
           << "a memory plan needs a function body of one block";
  PlanReader reader;
  reader.scheduled.plan = plan;
  reader.scheduled.body = &function.getFunctionBody().front();
  if (failed(reader.readSteps()) || failed(reader.readSlots()))
    return failure();
  return std::optional<ScheduledBody>(std::move(reader.scheduled));
}
