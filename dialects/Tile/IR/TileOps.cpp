//===- TileOps.cpp - tile loops, windows, stores -------------------------===//

#include "dialects/Tile/IR/Footprint.h"
#include "dialects/Tile/IR/Tile.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/CheckedArithmetic.h"

using namespace mlir;
using namespace vtile::tile;

#include "dialects/Tile/IR/TileInterfaces.cpp.inc"

#define GET_OP_CLASSES
#include "dialects/Tile/IR/TileOps.cpp.inc"

/// Checks that `values` (an attribute named `what`) has one entry per
/// dimension of a rank-`rank` tensor.
static LogicalResult verifyEntryCount(Operation *op, StringRef what,
                                      ArrayRef<int64_t> values, int64_t rank) {
  if (static_cast<int64_t>(values.size()) == rank)
    return success();
  return op->emitOpError() << "has " << values.size() << " " << what
                           << " entries but the tensor has rank " << rank;
}

/// Checks that every entry of `values` is at least `minimum`; entries marked
/// dynamic (SSA values) are checked at run time instead, if `dynamicAllowed`.
static LogicalResult verifyAtLeast(Operation *op, StringRef what,
                                   ArrayRef<int64_t> values, int64_t minimum,
                                   bool dynamicAllowed = false) {
  for (auto [dim, value] : llvm::enumerate(values))
    if (value < minimum && !(dynamicAllowed && ShapedType::isDynamic(value)))
      return op->emitOpError()
             << what << " " << value << " in dimension " << dim
             << " must be " << (minimum == 0 ? "non-negative" : "positive");
  return success();
}

/// Checks that `order` is a permutation of [0, rank).
static LogicalResult verifyPermutation(Operation *op, ArrayRef<int64_t> order,
                                       int64_t rank) {
  if (failed(verifyEntryCount(op, "order", order, rank)))
    return failure();
  llvm::SmallVector<bool> seen(rank, false);
  for (int64_t dim : order) {
    if (dim < 0 || dim >= rank || seen[dim])
      return op->emitOpError() << "order [" << order
                               << "] is not a permutation of the " << rank
                               << " result dimensions";
    seen[dim] = true;
  }
  return success();
}

//===----------------------------------------------------------------------===//
// LoopOp
//===----------------------------------------------------------------------===//

void LoopOp::build(OpBuilder &builder, OperationState &state,
                   RankedTensorType resultType, ArrayRef<int64_t> tileSizes,
                   ArrayRef<int64_t> order) {
  state.addTypes(resultType);
  state.addAttribute(getTileSizesAttrName(state.name),
                     builder.getDenseI64ArrayAttr(tileSizes));
  if (!order.empty())
    state.addAttribute(getOrderAttrName(state.name),
                       builder.getDenseI64ArrayAttr(order));
  Region *body = state.addRegion();
  // createBlock moves the insertion point; the loop itself must still be
  // inserted where the caller stood.
  OpBuilder::InsertionGuard guard(builder);
  Block *block = builder.createBlock(body);
  for (int64_t i = 0, e = resultType.getRank(); i < e; ++i)
    block->addArgument(builder.getIndexType(), state.location);
}

llvm::SmallVector<Region *> LoopOp::getLoopRegions() { return {&getBody()}; }

llvm::SmallVector<int64_t> LoopOp::getLoopOrder() {
  if (std::optional<ArrayRef<int64_t>> order = getOrder())
    return llvm::to_vector(*order);
  return llvm::to_vector(llvm::seq<int64_t>(0, getType().getRank()));
}

static ParseResult parseIntegerList(OpAsmParser &parser,
                                    llvm::SmallVectorImpl<int64_t> &values) {
  return parser.parseCommaSeparatedList(
      OpAsmParser::Delimiter::Square, [&]() -> ParseResult {
        return parser.parseInteger(values.emplace_back());
      });
}

// tile.loop (%i, %j) tiles [8, 8] order [1, 0] -> tensor<16x16xf32>
//     attributes {...} { ... }
ParseResult LoopOp::parse(OpAsmParser &parser, OperationState &result) {
  llvm::SmallVector<OpAsmParser::Argument> offsets;
  llvm::SmallVector<int64_t> tileSizes, order;
  Type resultType;
  if (parser.parseArgumentList(offsets, OpAsmParser::Delimiter::Paren) ||
      parser.parseKeyword("tiles") || parseIntegerList(parser, tileSizes))
    return failure();
  if (succeeded(parser.parseOptionalKeyword("order")) &&
      parseIntegerList(parser, order))
    return failure();
  if (parser.parseArrow() || parser.parseType(resultType) ||
      parser.parseOptionalAttrDictWithKeyword(result.attributes))
    return failure();

  Builder &builder = parser.getBuilder();
  result.addAttribute(getTileSizesAttrName(result.name),
                      builder.getDenseI64ArrayAttr(tileSizes));
  if (!order.empty())
    result.addAttribute(getOrderAttrName(result.name),
                        builder.getDenseI64ArrayAttr(order));
  result.addTypes(resultType);
  for (OpAsmParser::Argument &offset : offsets)
    offset.type = builder.getIndexType();
  return parser.parseRegion(*result.addRegion(), offsets);
}

void LoopOp::print(OpAsmPrinter &p) {
  p << " (";
  llvm::interleaveComma(getTileOffsets(), p,
                        [&](BlockArgument offset) { p << offset; });
  p << ") tiles [" << getTileSizes() << "]";
  if (std::optional<ArrayRef<int64_t>> order = getOrder())
    p << " order [" << *order << "]";
  p << " -> " << getType();
  p.printOptionalAttrDictWithKeyword(
      (*this)->getAttrs(), {getTileSizesAttrName(), getOrderAttrName()});
  p << " ";
  p.printRegion(getBody(), /*printEntryBlockArgs=*/false);
}

LogicalResult LoopOp::verify() {
  RankedTensorType type = getType();
  ArrayRef<int64_t> tileSizes = getTileSizes();
  if (failed(verifyEntryCount(*this, "tile size", tileSizes, type.getRank())) ||
      failed(verifyAtLeast(*this, "tile size", tileSizes, 1)))
    return failure();
  for (auto [dim, size, tile] : llvm::enumerate(type.getShape(), tileSizes))
    if (size % tile != 0)
      return emitOpError() << "tile size " << tile << " does not divide "
                           << "result dimension " << dim << " of size "
                           << size;
  if (std::optional<ArrayRef<int64_t>> order = getOrder())
    return verifyPermutation(*this, *order, type.getRank());
  return success();
}

LogicalResult LoopOp::verifyRegions() {
  Block &body = getBody().front();
  if (static_cast<int64_t>(body.getNumArguments()) != getType().getRank() ||
      !llvm::all_of(body.getArgumentTypes(),
                    [](Type t) { return t.isIndex(); }))
    return emitOpError() << "body needs one index offset per result "
                         << "dimension (" << getType().getRank() << ")";

  // Unknown level names are reported by the placed ops themselves.
  if (TargetAttr target = lookupTarget(*this))
    return verifyFootprint(*this, target, computeFootprint(*this));
  return success();
}

//===----------------------------------------------------------------------===//
// StoreOp
//===----------------------------------------------------------------------===//

LogicalResult StoreOp::verify() {
  auto loop = cast<LoopOp>((*this)->getParentOp());
  RankedTensorType tile = getTile().getType();
  if (tile.getShape() != loop.getTileSizes())
    return emitOpError() << "stores a tile of shape [" << tile.getShape()
                         << "] but the loop's tile sizes are ["
                         << loop.getTileSizes() << "]";
  if (tile.getElementType() != loop.getType().getElementType())
    return emitOpError() << "stores " << tile.getElementType()
                         << " elements into a loop producing "
                         << loop.getType().getElementType();
  return success();
}

//===----------------------------------------------------------------------===//
// LoadWindowOp
//===----------------------------------------------------------------------===//

/// `values` if set, else `fill` in each of `rank` dimensions.
static llvm::SmallVector<int64_t>
valuesOr(std::optional<ArrayRef<int64_t>> values, int64_t rank, int64_t fill) {
  if (values)
    return llvm::to_vector(*values);
  return llvm::SmallVector<int64_t>(rank, fill);
}

llvm::SmallVector<int64_t> LoadWindowOp::getStrides() {
  return valuesOr(getStride(), getSource().getType().getRank(), 1);
}

llvm::SmallVector<int64_t> LoadWindowOp::getDilations() {
  return valuesOr(getDilation(), getSource().getType().getRank(), 1);
}

llvm::SmallVector<int64_t> LoadWindowOp::getPadLows() {
  return valuesOr(getPadLow(), getSource().getType().getRank(), 0);
}

int64_t LoadWindowOp::getExpectedWindowSize(unsigned dim) {
  return (getTile()[dim] - 1) * getStrides()[dim] +
         (getKernel()[dim] - 1) * getDilations()[dim] + 1;
}

LogicalResult LoadWindowOp::verify() {
  int64_t rank = getSource().getType().getRank();
  RankedTensorType window = getType();
  if (window.getRank() != rank)
    return emitOpError() << "window has rank " << window.getRank()
                         << " but the source has rank " << rank;
  if (window.getElementType() != getSource().getType().getElementType())
    return emitOpError() << "window element type " << window.getElementType()
                         << " differs from the source's "
                         << getSource().getType().getElementType();

  int64_t dynamicOffsets =
      llvm::count_if(getStaticOffsets(), ShapedType::isDynamic);
  if (dynamicOffsets != static_cast<int64_t>(getOffsets().size()))
    return emitOpError() << "has " << getOffsets().size()
                         << " offset operands but " << dynamicOffsets
                         << " dynamic offset entries";

  struct Entries {
    StringRef what;
    std::optional<ArrayRef<int64_t>> values;
    int64_t minimum;
    bool dynamicAllowed = false;
  };
  Entries entries[] = {{"offset", getStaticOffsets(), 0, true},
                       {"tile size", getTile(), 1},
                       {"kernel size", getKernel(), 1},
                       {"stride", getStride(), 1},
                       {"dilation", getDilation(), 1},
                       {"low padding", getPadLow(), 0}};
  for (const Entries &e : entries) {
    if (!e.values)
      continue;
    if (failed(verifyEntryCount(*this, e.what, *e.values, rank)))
      return failure();
    if (failed(verifyAtLeast(*this, e.what, *e.values, e.minimum,
                             e.dynamicAllowed)))
      return failure();
  }

  for (int64_t dim = 0; dim < rank; ++dim) {
    int64_t expected = getExpectedWindowSize(dim);
    if (window.getDimSize(dim) != expected)
      return emitOpError()
             << "window size " << window.getDimSize(dim) << " in dimension "
             << dim << " does not match tile size " << getTile()[dim]
             << " with kernel " << getKernel()[dim] << ", stride "
             << getStrides()[dim] << " and dilation " << getDilations()[dim]
             << " (expected " << expected << ")";
  }
  return verifyConstantOffsets();
}

LogicalResult LoadWindowOp::verifyConstantOffsets() {
  // Lowering slices the source from `offset * stride - low padding`; a
  // window that misses the source entirely has nothing to slice, and huge
  // offsets would overflow that start.
  llvm::SmallVector<int64_t> strides = getStrides(), lows = getPadLows();
  for (auto [dim, offset] : llvm::enumerate(getStaticOffsets())) {
    int64_t size = getSource().getType().getDimSize(dim);
    if (ShapedType::isDynamic(offset) || ShapedType::isDynamic(size))
      continue;
    std::optional<int64_t> start = llvm::checkedMul(offset, strides[dim]);
    if (start)
      start = llvm::checkedSub(*start, lows[dim]);
    std::optional<int64_t> end =
        start ? llvm::checkedAdd(*start, getType().getDimSize(dim))
              : std::nullopt;
    if (!end || *start >= size || *end <= 0)
      return emitOpError()
             << "offset " << offset << " in dimension " << dim
             << " puts the window outside the source's " << size
             << " elements (it starts at offset * stride - low padding)";
  }
  return success();
}
