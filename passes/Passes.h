//===- Passes.h - vtile passes ----------------------------------*- C++ -*-===//

#ifndef VTILE_PASSES_PASSES_H
#define VTILE_PASSES_PASSES_H

#include "mlir/Pass/Pass.h"

namespace vtile {

#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

} // namespace vtile

#endif // VTILE_PASSES_PASSES_H
