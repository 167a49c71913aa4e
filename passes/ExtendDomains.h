//===- ExtendDomains.h - a chain without inner pads -------------*- C++ -*-===//
//
// Tiling a chain of ops through a `tensor.pad` on workgroups gives the
// producers' tiles a size that depends on the distance to the border
// (clamped windows), which IREE cannot place on the stack. This rewrite
// removes every pad from a chain instead: each value is computed on a
// domain extended by a margin (the padding its consumers add, scaled by
// their strides), a pad becomes an elementwise mask that sets its padding
// (and the margin beyond it) to the pad value, and the chain's inputs are
// padded once, outside. Every tile of every op then has one static shape.
// Values in a margin are never read except by a mask, so they may be
// anything; the chain's result has no margin.
//
//===----------------------------------------------------------------------===//

#ifndef VTILE_PASSES_EXTENDDOMAINS_H
#define VTILE_PASSES_EXTENDDOMAINS_H

#include "mlir/IR/Block.h"
#include "mlir/IR/Builders.h"

#include <string>

namespace vtile {

/// Rewrites the ops of `block` (linalg ops and `tensor.pad`s reading values
/// computed in the block or taken from `inputs`) so that no pad remains. A
/// value computed in the block must be read with the same margin by all its
/// readers; an input is padded at `outside`, once per margin it is read
/// with. Ops that read none of them (constants) are left alone. Fails,
/// changing nothing and saying why in `why`, if the ops are not such a
/// chain.
mlir::LogicalResult extendDomains(mlir::Block &block,
                                  mlir::ArrayRef<mlir::Value> inputs,
                                  mlir::Operation *root,
                                  mlir::OpBuilder &outside, std::string &why);

} // namespace vtile

#endif // VTILE_PASSES_EXTENDDOMAINS_H
