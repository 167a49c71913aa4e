//===- FormKernels.cpp - planned fusion groups -> dataflow.kernel --------===//
//
// The planner (Python) decides the groups and records them as attributes;
// this pass only carries the decision out. See `DataflowFormKernels` in
// Passes.td.
//
//===----------------------------------------------------------------------===//

#include "dialects/Dataflow/IR/Dataflow.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/SetVector.h"

namespace vtile {
#define GEN_PASS_DEF_DATAFLOWFORMKERNELS
#include "passes/Passes.h.inc"
} // namespace vtile

using namespace mlir;
using namespace vtile::dataflow;

namespace {

/// Whether `value` is computed from constants alone by side-effect-free ops
/// (weights, `tensor.empty`, fills, reshapes of parameters). Linalg ops on
/// tensors count as side-effect free even when their payload asserts (as
/// torch-mlir's batch-norm folding does): a clone only repeats the check. Such values are
/// cloned into every kernel that uses them instead of becoming inputs: a
/// kernel then sees its whole computation, and the clones fold back together
/// after inlining.
class ConstantSubgraphs {
public:
  bool contains(Value value) {
    Operation *op = value.getDefiningOp();
    if (!op)
      return false;
    auto [it, inserted] = known.try_emplace(op, false);
    if (!inserted)
      return it->second;
    auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
    bool constant = isMemoryEffectFree(op) ||
                    (linalgOp && linalgOp.hasPureTensorSemantics());
    for (Value operand : op->getOperands())
      constant = constant && contains(operand);
    llvm::SetVector<Value> captured;
    getUsedValuesDefinedAbove(op->getRegions(), captured);
    for (Value value : captured)
      constant = constant && contains(value);
    return known[op] = constant;
  }

private:
  llvm::DenseMap<Operation *, bool> known;
};

struct Group {
  llvm::SmallVector<Operation *> ops; // in block order
  Operation *root = nullptr;          // the op carrying the plan
};

struct DataflowFormKernels
    : vtile::impl::DataflowFormKernelsBase<DataflowFormKernels> {
  void runOnOperation() override {
    // Group numbers are per function (per isolated region).
    llvm::MapVector<std::pair<Operation *, int64_t>, Group> groups;
    WalkResult walk = getOperation()->walk([&](Operation *op) {
      auto id = op->getAttrOfType<IntegerAttr>(
          DataflowDialect::getGroupAttrName());
      if (!id)
        return WalkResult::advance();
      Group &group = groups[{op->getParentWithTrait<OpTrait::IsIsolatedFromAbove>(),
                             id.getInt()}];
      if (!group.ops.empty() && group.ops.front()->getBlock() != op->getBlock()) {
        op->emitError() << "fusion group " << id.getInt()
                        << " spans several blocks; a group must be "
                           "straight-line code in one block";
        return WalkResult::interrupt();
      }
      group.ops.push_back(op);
      if (op->hasAttr(DataflowDialect::getPlanAttrName())) {
        if (group.root) {
          op->emitError() << "fusion group " << id.getInt()
                          << " has a second '"
                          << DataflowDialect::getPlanAttrName()
                          << "'; only its root carries the plan";
          return WalkResult::interrupt();
        }
        group.root = op;
      }
      return WalkResult::skip();
    });
    if (walk.wasInterrupted())
      return signalPassFailure();

    ConstantSubgraphs constants;
    for (auto &[key, group] : groups)
      if (failed(formKernel(key.second, group, constants)))
        return signalPassFailure();
  }

  static LogicalResult formKernel(int64_t id, Group &group,
                                  ConstantSubgraphs &constants) {
    if (!group.root)
      return group.ops.front()->emitError()
             << "fusion group " << id << " has no '"
             << DataflowDialect::getPlanAttrName() << "' on its root op";
    auto plan = group.root->getAttrOfType<PlanAttr>(
        DataflowDialect::getPlanAttrName());
    if (!plan)
      return group.root->emitError()
             << "'" << DataflowDialect::getPlanAttrName()
             << "' must be a #dataflow.plan";
    Attribute step = group.root->getAttr(DataflowDialect::getStepAttrName());
    for (Operation *op : group.ops)
      if (op->getAttr(DataflowDialect::getStepAttrName()) != step)
        return op->emitError()
               << "fusion group " << id << " is one kernel, but its ops run at "
               << "different '" << DataflowDialect::getStepAttrName() << "'s";
    llvm::SmallPtrSet<Operation *, 16> members(group.ops.begin(),
                                                group.ops.end());
    if (group.root->getNumResults() != 1)
      return group.root->emitError()
             << "root of fusion group " << id << " has "
             << group.root->getNumResults() << " results; expected one";

    // Only the root's result may leave the group: every other intermediate
    // is computed tile by tile and never exists whole.
    for (Operation *op : group.ops) {
      if (op == group.root)
        continue;
      for (Operation *user : op->getUsers())
        if (!isInsideMember(user, members)) {
          InFlightDiagnostic diag = op->emitError()
                                    << "result of this op in fusion group "
                                    << id << " is used outside the group";
          diag.attachNote(user->getLoc()) << "used here";
          return diag;
        }
    }

    // Inputs: values from outside the group, in first-use order.
    llvm::SetVector<Value> inputs, cloned;
    auto classify = [&](Value value) -> LogicalResult {
      Operation *def = value.getDefiningOp();
      if (def && members.contains(def))
        return success();
      if (constants.contains(value)) {
        cloned.insert(value);
        return success();
      }
      if (!isa<RankedTensorType>(value.getType()))
        return group.root->emitError()
               << "fusion group " << id << " uses a non-tensor value from "
               << "outside the group that is not a constant: " << value;
      inputs.insert(value);
      return success();
    };
    for (Operation *op : group.ops) {
      for (Value operand : op->getOperands())
        if (failed(classify(operand)))
          return failure();
      llvm::SetVector<Value> captured;
      getUsedValuesDefinedAbove(op->getRegions(), captured);
      for (Value value : captured)
        if (failed(classify(value)))
          return failure();
    }

    OpBuilder builder(group.root);
    Value result = group.root->getResult(0);
    auto kernel = KernelOp::create(builder, group.root->getLoc(),
                                   TypeRange{result.getType()},
                                   inputs.getArrayRef(), plan);
    Block *body = builder.createBlock(&kernel.getBody());
    IRMapping mapping;
    for (Value input : inputs)
      mapping.map(input, body->addArgument(input.getType(), input.getLoc()));
    cloneConstantSubgraphs(builder, cloned, mapping);
    for (Operation *op : group.ops) {
      Operation *clone = builder.clone(*op, mapping);
      clone->removeAttr(DataflowDialect::getGroupAttrName());
      clone->removeAttr(DataflowDialect::getPlanAttrName());
    }
    YieldOp::create(builder, group.root->getLoc(),
                    ValueRange{mapping.lookup(result)});

    // The memory plan's attributes of the group's ops are the kernel's now.
    const StringRef planned[] = {DataflowDialect::getStepAttrName(),
                                 DataflowDialect::getBufferAttrName(),
                                 DataflowDialect::getScratchAttrName()};
    for (StringRef name : planned)
      if (Attribute attr = group.root->getAttr(name))
        kernel->setAttr(name, attr);
    for (Operation &clone : body->without_terminator())
      for (StringRef name : planned)
        clone.removeAttr(name);
    result.replaceAllUsesWith(kernel.getResult(0));
    for (Operation *op : llvm::reverse(group.ops))
      op->erase();
    return success();
  }

  static bool isInsideMember(Operation *user,
                             const llvm::SmallPtrSetImpl<Operation *> &members) {
    for (Operation *op = user; op; op = op->getParentOp())
      if (members.contains(op))
        return true;
    return false;
  }

  /// Clones the ops computing `values`, and their constant producers, in
  /// dependency order.
  static void cloneConstantSubgraphs(OpBuilder &builder,
                                     const llvm::SetVector<Value> &values,
                                     IRMapping &mapping) {
    llvm::SetVector<Operation *> ops;
    std::function<void(Value)> collect = [&](Value value) {
      Operation *def = value.getDefiningOp();
      if (ops.contains(def))
        return;
      for (Value operand : def->getOperands())
        collect(operand);
      llvm::SetVector<Value> captured;
      getUsedValuesDefinedAbove(def->getRegions(), captured);
      for (Value inner : captured)
        collect(inner);
      ops.insert(def);
    };
    for (Value value : values)
      collect(value);
    for (Operation *op : ops)
      builder.clone(*op, mapping);
  }
};

} // namespace
