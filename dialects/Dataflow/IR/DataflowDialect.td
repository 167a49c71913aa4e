//===- DataflowDialect.td - the dataflow dialect -----------*- tablegen -*-===//

#ifndef VTILE_DATAFLOW_DIALECT_TD
#define VTILE_DATAFLOW_DIALECT_TD

include "mlir/IR/OpBase.td"

def Dataflow_Dialect : Dialect {
  let name = "dataflow";
  let cppNamespace = "::vtile::dataflow";
  let summary = "A function body as a graph of fusion groups.";
  let description = [{
    The `dataflow` dialect is the graph level of vtile. A function body
    becomes a DAG of `dataflow.kernel` ops, each a fusion group that is
    isolated from above and exchanges whole tensors through its operands and
    results. A kernel carries the plan the planner chose for it
    (`#dataflow.plan`: output tile sizes, per-input halo, loop order, device
    placement, estimated peak bytes and recompute ratio); the memory planner
    and scheduler work on this level. Edges that cross devices go through
    `dataflow.transfer`.
  }];
  let useDefaultAttributePrinterParser = 1;
  let extraClassDeclaration = [{
    void registerAttributes();

    /// Discardable attributes the planner writes on the ops of a function
    /// and `dataflow-form-kernels` reads: the fusion group an op belongs to
    /// (an integer), and the group's `#dataflow.plan` on its root op, the
    /// one whose result leaves the group.
    static constexpr ::llvm::StringLiteral getGroupAttrName() {
      return ::llvm::StringLiteral("dataflow.group");
    }
    static constexpr ::llvm::StringLiteral getPlanAttrName() {
      return ::llvm::StringLiteral("dataflow.plan");
    }

    /// The memory plan (`vtile.planner.predict`): the function's
    /// `#dataflow.memory_plan`; on its top-level ops, the step each runs at
    /// (an integer; the ops of one kernel share it) and the `#dataflow.slot`
    /// of its result buffer and of its tile loops' scratch.
    static constexpr ::llvm::StringLiteral getMemoryPlanAttrName() {
      return ::llvm::StringLiteral("dataflow.memory_plan");
    }
    static constexpr ::llvm::StringLiteral getStepAttrName() {
      return ::llvm::StringLiteral("dataflow.step");
    }
    static constexpr ::llvm::StringLiteral getBufferAttrName() {
      return ::llvm::StringLiteral("dataflow.buffer");
    }
    static constexpr ::llvm::StringLiteral getScratchAttrName() {
      return ::llvm::StringLiteral("dataflow.scratch");
    }
  }];
}

class Dataflow_Op<string mnemonic, list<Trait> traits = []>
    : Op<Dataflow_Dialect, mnemonic, traits>;

#endif // VTILE_DATAFLOW_DIALECT_TD
