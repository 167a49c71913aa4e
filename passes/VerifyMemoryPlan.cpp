//===- VerifyMemoryPlan.cpp - check a function's memory plan -------------===//
//
// See `DataflowVerifyMemoryPlan` in Passes.td; the rules are in
// MemoryPlan.cpp.
//
//===----------------------------------------------------------------------===//

#include "passes/MemoryPlan.h"
#include "passes/Passes.h"

namespace vtile {
#define GEN_PASS_DEF_DATAFLOWVERIFYMEMORYPLAN
#include "passes/Passes.h.inc"
} // namespace vtile

using namespace mlir;

namespace {

struct DataflowVerifyMemoryPlan
    : vtile::impl::DataflowVerifyMemoryPlanBase<DataflowVerifyMemoryPlan> {
  void runOnOperation() override {
    WalkResult walk = getOperation()->walk([](FunctionOpInterface function) {
      return failed(vtile::readMemoryPlan(function)) ? WalkResult::interrupt()
                                                      : WalkResult::advance();
    });
    if (walk.wasInterrupted())
      signalPassFailure();
  }
};

} // namespace
