//===- DataflowAttrs.cpp - halo and plan attributes ----------------------===//

#include "dialects/Dataflow/IR/Dataflow.h"

#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace vtile::dataflow;

#define GET_ATTRDEF_CLASSES
#include "dialects/Dataflow/IR/DataflowAttrs.cpp.inc"

// Registered here because registration needs the storage classes above.
void DataflowDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialects/Dataflow/IR/DataflowAttrs.cpp.inc"
      >();
}

LogicalResult HaloAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                               ArrayRef<int64_t> low, ArrayRef<int64_t> high) {
  if (low.size() != high.size())
    return emitError() << "halo has " << low.size() << " low and "
                       << high.size() << " high entries; expected one of "
                       << "each per dimension";
  for (auto [dim, below, above] : llvm::enumerate(low, high))
    if (below < 0 || above < 0)
      return emitError() << "halo in dimension " << dim << " is [" << below
                         << ", " << above << "]; halos are non-negative";
  return success();
}

LogicalResult PlanAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                               ArrayRef<int64_t> tileSizes,
                               ArrayRef<HaloAttr> halos,
                               ArrayRef<int64_t> order, StringRef device,
                               int64_t peakBytes,
                               llvm::APFloat recompute, StringRef lowering) {
  for (auto [dim, size] : llvm::enumerate(tileSizes))
    if (size <= 0)
      return emitError() << "plan tile size " << size << " in dimension "
                         << dim << " must be positive";
  if (order.size() != tileSizes.size())
    return emitError() << "plan order has " << order.size()
                       << " entries but the tile has " << tileSizes.size()
                       << " dimensions";
  llvm::SmallVector<bool> seen(order.size(), false);
  for (int64_t dim : order) {
    if (dim < 0 || dim >= static_cast<int64_t>(order.size()) || seen[dim])
      return emitError() << "plan order [" << order
                         << "] is not a permutation of the "
                         << tileSizes.size() << " tile dimensions";
    seen[dim] = true;
  }
  if (device.empty())
    return emitError() << "plan needs a device placement";
  if (peakBytes < 0)
    return emitError() << "plan peak_bytes " << peakBytes
                       << " must be non-negative";
  // Below 1.0 is real: strips skip producer rows that no consumer reads
  // (a stride-2 conv's last input row).
  if (!(recompute.convertToDouble() > 0.0))
    return emitError() << "plan recompute ratio "
                       << vtile::formatDouble(recompute.convertToDouble())
                       << " must be positive (1.0 = no recomputation)";
  if (lowering != PlanAttr::kTileLoops && lowering != PlanAttr::kDispatch)
    return emitError() << "plan lowering \"" << lowering << "\" is neither \""
                       << PlanAttr::kTileLoops << "\" nor \""
                       << PlanAttr::kDispatch << "\"";
  return success();
}

LogicalResult SlotAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                               int64_t offset, int64_t bytes, int64_t first,
                               int64_t last) {
  if (offset < 0 || bytes <= 0)
    return emitError() << "slot at offset " << offset << " of " << bytes
                       << " bytes: the offset must be non-negative and the "
                          "size positive";
  if (first < 0 || last < first)
    return emitError() << "slot steps [" << first << ", " << last
                       << "] are not a range of steps";
  return success();
}

bool SlotAttr::overlaps(SlotAttr other) const {
  bool inTime = getFirst() <= other.getLast() && other.getFirst() <= getLast();
  bool inSpace = getOffset() < other.getOffset() + other.getBytes() &&
                 other.getOffset() < getOffset() + getBytes();
  return inTime && inSpace;
}

LogicalResult
MemoryPlanAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                       int64_t arenaBytes, int64_t peakBytes,
                       int64_t alignment, StringRef order) {
  if (arenaBytes < 0 || peakBytes < 0)
    return emitError() << "memory plan sizes must be non-negative";
  if (alignment <= 0 || !llvm::isPowerOf2_64(alignment))
    return emitError() << "memory plan alignment " << alignment
                       << " must be a power of two";
  if (order != "program" && order != "lowest-peak")
    return emitError() << "memory plan order \"" << order
                       << "\" is neither \"program\" nor \"lowest-peak\"";
  return success();
}
