//===- FormDispatchRegions.cpp - kernels -> one IREE dispatch each --------===//
//
// See `DataflowFormDispatchRegions` in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "dialects/Dataflow/IR/Dataflow.h"
#include "passes/ChannelsLast.h"
#include "passes/DetachAccumulators.h"
#include "passes/ExtendDomains.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/SetVector.h"

namespace vtile {
#define GEN_PASS_DEF_DATAFLOWFORMDISPATCHREGIONS
#include "passes/Passes.h.inc"
} // namespace vtile

using namespace mlir;
using namespace vtile::dataflow;

namespace {

constexpr StringLiteral kRegionName = "flow.dispatch.region";
constexpr StringLiteral kReturnName = "flow.return";
constexpr StringLiteral kNodeAttr = "vtile.node";
constexpr StringLiteral kDispatchAttr = "vtile.dispatch";
constexpr StringLiteral kTileSizesAttr = "vtile.tile_sizes";
constexpr StringLiteral kLoopRangesAttr = "vtile.loop_ranges";

/// Values read by `op`: its operands and what its regions capture.
SmallVector<Value> readValues(Operation *op) {
  SmallVector<Value> values(op->getOperands());
  llvm::SetVector<Value> captured;
  getUsedValuesDefinedAbove(op->getRegions(), captured);
  values.append(captured.begin(), captured.end());
  return values;
}

/// Ops that every user inside the region gets a fresh copy of: destinations
/// and scalars. Weights stay outside and are read from there.
bool isPrivatized(Operation *op) {
  if (isa<tensor::EmptyOp>(op))
    return true;
  if (auto constant = dyn_cast<arith::ConstantOp>(op))
    return !isa<ShapedType>(constant.getType());
  if (auto fill = dyn_cast<linalg::FillOp>(op))
    return llvm::all_of(fill->getOperands(), [](Value operand) {
      Operation *def = operand.getDefiningOp();
      return def && isPrivatized(def);
    });
  return false;
}

/// A copy of `value`'s privatized producers, built at `builder`'s point.
Value clonePrivate(OpBuilder &builder, Value value) {
  Operation *def = value.getDefiningOp();
  IRMapping mapping;
  for (Value operand : def->getOperands())
    mapping.map(operand, clonePrivate(builder, operand));
  Operation *clone = builder.clone(*def, mapping);
  return clone->getResult(cast<OpResult>(value).getResultNumber());
}

struct DataflowFormDispatchRegions
    : vtile::impl::DataflowFormDispatchRegionsBase<DataflowFormDispatchRegions> {
  void runOnOperation() override {
    SmallVector<KernelOp> kernels;
    getOperation()->walk([&](KernelOp kernel) {
      if (kernel.getPlan() &&
          kernel.getPlan()->getLowering() == PlanAttr::kDispatch)
        kernels.push_back(kernel);
    });
    llvm::DenseMap<Operation *, int64_t> numbers;
    for (KernelOp kernel : kernels) {
      auto function = kernel->getParentOfType<FunctionOpInterface>();
      std::string label =
          ((function ? function.getName() : StringRef("kernel")) + "." +
           Twine(numbers[function]++))
              .str();
      if (failed(formRegion(kernel, label)))
        return signalPassFailure();
    }
  }

  /// Forms the region from a copy of `kernel`, so that a kernel it cannot
  /// take keeps its body as it was.
  static LogicalResult formRegion(KernelOp kernel, StringRef label) {
    OpBuilder before(kernel);
    auto work = cast<KernelOp>(before.clone(*kernel));
    std::string why;
    if (failed(prepare(work, why))) {
      work->erase();
      return keepTileLoops(kernel, why);
    }
    kernel->replaceAllUsesWith(work->getResults());
    kernel->erase();
    return buildRegion(work, label);
  }

  /// Rewrites the body of `kernel` into what one dispatch can tile: no
  /// destination computed before its op, no pad.
  static LogicalResult prepare(KernelOp kernel, std::string &why) {
    Block &body = kernel.getBody().front();
    auto yield = cast<YieldOp>(body.getTerminator());
    auto root = dyn_cast_or_null<linalg::LinalgOp>(
        yield.getValues().front().getDefiningOp());
    if (!root) {
      why = "its result is not computed by a linalg op";
      return failure();
    }
    auto fresh = [](Value value) {
      Operation *def = value.getDefiningOp();
      return def && isPrivatized(def);
    };
    vtile::detachAccumulators(body, fresh);
    // A destination computed before its op that is not added into (a max
    // pooling's) is read from outside, and a workgroup that copies it
    // copies it whole, over its neighbours' tiles (measured: wrong numbers
    // on small_unet and zoo.pooling_head, before biases were detached).
    for (auto op : body.getOps<linalg::LinalgOp>())
      for (Value init : op.getDpsInits())
        if (!fresh(init)) {
          why = (op->getName().getStringRef() +
                 ": its destination is computed before it and not added "
                 "into, which one dispatch cannot start from")
                    .str();
          return failure();
        }
    root = cast<linalg::LinalgOp>(yield.getValues().front().getDefiningOp());
    OpBuilder atStart(&body, body.begin());
    if (failed(vtile::extendDomains(body, SmallVector<Value>(body.getArguments()),
                                    root, atStart, why)))
      return failure();
    // A CPU vectorises along channels; a GPU's threads run scalar code
    // over the layout they get, and its workgroup memory is sized for it.
    if (kernel.getPlan()->getDevice() == "cpu")
      vtile::channelsLast(body);
    if (failed(fuseElementwise(kernel))) {
      why = "elementwise fusion did not converge";
      return failure();
    }
    iterateAsNamedProducers(body);
    return success();
  }

  static LogicalResult buildRegion(KernelOp kernel, StringRef label) {
    Block &body = kernel.getBody().front();
    auto yield = cast<YieldOp>(body.getTerminator());
    // Activations: everything computed from the kernel's inputs. The rest
    // is computed from constants and stays outside the region.
    llvm::SetVector<Operation *> activations;
    llvm::DenseSet<Value> computed(body.getArguments().begin(),
                                   body.getArguments().end());
    for (Operation &op : body.without_terminator()) {
      if (llvm::none_of(readValues(&op),
                        [&](Value value) { return computed.contains(value); }))
        continue;
      activations.insert(&op);
      computed.insert(op.result_begin(), op.result_end());
    }

    SmallVector<int64_t> tileSizes(kernel.getPlan()->getTileSizes());
    OpBuilder builder(kernel);
    IRMapping mapping;
    mapping.map(body.getArguments(), kernel.getInputs());
    for (Operation &op : body.without_terminator())
      if (!activations.contains(&op))
        builder.clone(op, mapping);

    OperationState state(kernel.getLoc(), kRegionName);
    state.addTypes(kernel.getResultTypes());
    // IREE's op has two operand segments (result dims, workload): both empty.
    state.propertiesAttr = builder.getDictionaryAttr(builder.getNamedAttr(
        "operandSegmentSizes", builder.getDenseI32ArrayAttr({0, 0})));
    Region *regionBody = state.addRegion();
    Block *block = new Block();
    regionBody->push_back(block);
    state.addRegion(); // workgroup count: empty, IREE's codegen sets it
    Operation *region = builder.create(state);

    builder.setInsertionPointToStart(block);
    for (Operation *op : activations)
      builder.clone(*op, mapping);
    OperationState ret(kernel.getLoc(), kReturnName);
    for (Value value : yield.getValues())
      ret.addOperands(mapping.lookupOrDefault(value));
    Operation *terminator = builder.create(ret);
    kernel->replaceAllUsesWith(region->getResults());
    kernel->erase();

    privatize(builder, region);
    return tag(region, terminator, label, tileSizes);
  }

  /// A group that cannot be one dispatch keeps its tile loops (the same
  /// numbers, more dispatches); the remark says why.
  static LogicalResult keepTileLoops(KernelOp kernel, StringRef why) {
    PlanAttr plan = *kernel.getPlan();
    kernel.setPlanAttr(PlanAttr::get(
        kernel.getContext(), plan.getTileSizes(), plan.getHalos(),
        plan.getOrder(), plan.getDevice(), plan.getPeakBytes(),
        plan.getRecompute(), PlanAttr::kTileLoops));
    kernel.emitRemark() << "kept as tile loops, not one dispatch: " << why;
    return success();
  }

  /// Gives every use inside `region` of a destination or scalar defined
  /// outside it a copy of its own, placed before the top-level user.
  static void privatize(OpBuilder &builder, Operation *region) {
    Block &block = region->getRegion(0).front();
    region->walk([&](Operation *user) {
      for (OpOperand &use : user->getOpOperands()) {
        Operation *def = use.get().getDefiningOp();
        if (!def || region->isAncestor(def) || !isPrivatized(def))
          continue;
        builder.setInsertionPoint(block.findAncestorOpInBlock(*user));
        use.set(clonePrivate(builder, use.get()));
      }
    });
  }

  /// Fuses elementwise chains (a batch norm's four generics and a ReLU
  /// become one) as IREE would: IREE's fusion builds new ops without our
  /// tags, so it must find nothing left to fuse. That includes a producer
  /// read by several elementwise ops (a residual block's input): IREE's
  /// multi-use fusion (`iree-dispatch-creation-fuse-multi-use`) folds a copy
  /// into each, so vtile gives each use its own copy first.
  static LogicalResult fuseElementwise(KernelOp kernel) {
    // Last first: a copy adds a use to the copied op's own producers.
    SmallVector<linalg::GenericOp> generics(
        kernel.getBody().front().getOps<linalg::GenericOp>());
    for (linalg::GenericOp producer : llvm::reverse(generics)) {
      SmallVector<OpOperand *> uses = llvm::map_to_vector(
          producer->getUses(), [](OpOperand &use) { return &use; });
      if (uses.size() < 2 || !llvm::all_of(uses, linalg::areElementwiseOpsFusable))
        continue;
      OpBuilder builder(producer);
      for (OpOperand *use : llvm::drop_begin(uses))
        use->set(builder.clone(*producer)->getResult(
            cast<OpResult>(use->get()).getResultNumber()));
    }
    RewritePatternSet patterns(kernel.getContext());
    linalg::populateElementwiseOpsFusionPatterns(
        patterns, [](OpOperand *fused) {
          Operation *producer = fused->get().getDefiningOp();
          return producer && producer->hasOneUse();
        });
    return applyPatternsGreedily(kernel.getBody(), std::move(patterns));
  }

  /// Reorders the loops of each elementwise op as IREE's dispatch creation
  /// will (`TransposeGenericOpsPass`): an op reading the single-use result
  /// of a named op (a convolution, a pooling) through a permutation
  /// iterates in that result's order, unless another such result is read
  /// as it is. Done here first, the tags (loop ranges, the root's tile per
  /// loop) describe the ops IREE compiles.
  static void iterateAsNamedProducers(Block &body) {
    IRRewriter rewriter(body.getParentOp()->getContext());
    for (auto generic : llvm::to_vector(body.getOps<linalg::GenericOp>())) {
      if (generic.getNumParallelLoops() != generic.getNumLoops())
        continue;
      std::optional<AffineMap> order;
      bool asIs = false;
      for (OpOperand *input : generic.getDpsInputOperands()) {
        auto producer = input->get().getDefiningOp<linalg::LinalgOp>();
        if (!producer || !producer->hasOneUse() ||
            linalg::isElementwise(producer))
          continue;
        AffineMap map = generic.getMatchingIndexingMap(input);
        asIs |= map.isIdentity();
        if (map.isPermutation() && !order)
          order = map;
      }
      if (asIs || !order)
        continue;
      SmallVector<unsigned> interchange = llvm::map_to_vector(
          order->getResults(), [](AffineExpr expr) {
            return cast<AffineDimExpr>(expr).getPosition();
          });
      rewriter.setInsertionPoint(generic);
      (void)linalg::interchangeGenericOp(rewriter, generic, interchange);
    }
  }

  /// Tags what the codegen spec selects ops by (see Passes.td).
  static LogicalResult tag(Operation *region, Operation *terminator,
                           StringRef label, ArrayRef<int64_t> tileSizes) {
    Builder builder(region->getContext());
    int64_t node = 0;
    for (Operation &op : region->getRegion(0).front()) {
      if (!isa<linalg::LinalgOp, tensor::PadOp>(op))
        continue;
      op.setAttr(kNodeAttr, builder.getI64IntegerAttr(node++));
      if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op))
        op.setAttr(kLoopRangesAttr,
                   builder.getDenseI64ArrayAttr(linalgOp.getStaticLoopRanges()));
    }
    Operation *root = terminator->getOperand(0).getDefiningOp();
    if (!root || !isa<linalg::LinalgOp>(root) ||
        !region->isProperAncestor(root))
      return region->emitError()
             << "the result of a group lowered as one dispatch must come "
                "from a linalg op inside it";
    root->setAttr(kDispatchAttr, builder.getStringAttr(label));
    // The plan tiles the result; the spec tiles the root's loops, which a
    // transposing root (channels-last back to NCHW) orders differently.
    auto linalgRoot = cast<linalg::LinalgOp>(root);
    AffineMap result = linalgRoot.getIndexingMapMatchingResult(
        cast<OpResult>(terminator->getOperand(0)));
    SmallVector<int64_t> loopTiles(linalgRoot.getNumLoops(), 0);
    for (auto [dim, expr] : llvm::enumerate(result.getResults()))
      if (auto loop = dyn_cast<AffineDimExpr>(expr))
        loopTiles[loop.getPosition()] = tileSizes[dim];
    root->setAttr(kTileSizesAttr, builder.getDenseI64ArrayAttr(loopTiles));
    return success();
  }
};

} // namespace
