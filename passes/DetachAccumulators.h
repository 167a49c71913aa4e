//===- DetachAccumulators.h - ops that start from zero ----------*- C++ -*-===//
//
// A convolution that accumulates into a bias (PyTorch's bias, broadcast to
// the output's shape) cannot be tiled on workgroups inside one dispatch:
// the broadcast is computed before the dispatch, and every workgroup would
// copy it whole. Accumulation is addition, so the op can start from zero
// and the bias be added after it, elementwise, where it fuses with the
// op's elementwise tail and reads the 1-D bias directly.
//
//===----------------------------------------------------------------------===//

#ifndef VTILE_PASSES_DETACHACCUMULATORS_H
#define VTILE_PASSES_DETACHACCUMULATORS_H

#include "mlir/IR/Block.h"
#include "llvm/ADT/STLFunctionalExtras.h"

namespace vtile {

/// Rewrites every reducing linalg op of `block` whose destination is not
/// `fresh` (an empty tensor or a fill) and whose body adds into it:
/// the op starts from a zero fill, and a new elementwise op after it adds
/// the old destination (the broadcast's source, if the destination is a
/// broadcast). Ops that do not add into their destination are left alone.
void detachAccumulators(mlir::Block &block,
                        llvm::function_ref<bool(mlir::Value)> fresh);

} // namespace vtile

#endif // VTILE_PASSES_DETACHACCUMULATORS_H
