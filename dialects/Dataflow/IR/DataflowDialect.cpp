//===- DataflowDialect.cpp - dataflow dialect registration ---------------===//

#include "dialects/Dataflow/IR/Dataflow.h"

using namespace mlir;
using namespace vtile::dataflow;

#include "dialects/Dataflow/IR/DataflowDialect.cpp.inc"

void DataflowDialect::initialize() {
  registerAttributes();
  addOperations<
#define GET_OP_LIST
#include "dialects/Dataflow/IR/DataflowOps.cpp.inc"
      >();
}
