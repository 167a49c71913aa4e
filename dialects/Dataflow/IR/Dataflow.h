//===- Dataflow.h - the dataflow dialect ------------------------*- C++ -*-===//

#ifndef VTILE_DATAFLOW_IR_DATAFLOW_H
#define VTILE_DATAFLOW_IR_DATAFLOW_H

#include "dialects/Common/DoubleParameter.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "dialects/Dataflow/IR/DataflowDialect.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/Dataflow/IR/DataflowAttrs.h.inc"

#define GET_OP_CLASSES
#include "dialects/Dataflow/IR/DataflowOps.h.inc"

#endif // VTILE_DATAFLOW_IR_DATAFLOW_H
