//===- TestAbort.cpp - a pass that crashes, for tests ---------------------===//
//
// See `TestAbort` in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include <cstdlib>

namespace vtile {
#define GEN_PASS_DEF_TESTABORT
#include "passes/Passes.h.inc"
} // namespace vtile

namespace {

struct TestAbortPass : vtile::impl::TestAbortBase<TestAbortPass> {
  void runOnOperation() override { std::abort(); }
};

} // namespace
