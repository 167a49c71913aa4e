//===- Passes.td - vtile passes ----------------------------*- tablegen -*-===//

#ifndef VTILE_PASSES_TD
#define VTILE_PASSES_TD

include "mlir/Pass/PassBase.td"

def TileReportFootprint : Pass<"tile-report-footprint"> {
  let summary = "Check tile-loop footprints against the target and report them";
  let description = [{
    For every `tile.loop`, sums the buffers one iteration places in each
    memory level (`tile.load_window`, `tile.empty`) and emits a remark with
    the tile count and each level's footprint against its capacity in the
    `#tile.target` in scope. Fails if a loop has no target in scope, names a
    level the target lacks, or exceeds a level's capacity.

    ```
    remark: 49 tiles of [1, 8, 8, 8]; per tile: "l1" 4608 of 32768 bytes (14.1%)
    ```
  }];
}

def DataflowFormKernels : Pass<"dataflow-form-kernels"> {
  let summary = "Outline the planner's fusion groups into dataflow.kernel ops";
  let description = [{
    The planner marks every op of a fusion group with `dataflow.group = N`
    and puts the group's `#dataflow.plan` on its root, the one op whose
    result leaves the group. This pass outlines each group into one
    `dataflow.kernel` at the root's position: values from outside become
    kernel inputs, except constant subgraphs (weights, `tensor.empty`,
    fills), which are cloned into the kernel so that it stays isolated from
    above and the tiling can see them. Fails if a group has no plan, or if
    a value other than the root's result is used outside the group.

    ```mlir
    %y = dataflow.kernel ins(%x : tensor<1x8x16x16xf32>)
        plan #dataflow.plan<tile = [1, 8, 4, 16], ...> -> tensor<1x8x16x16xf32> {
    ^bb0(%in: tensor<1x8x16x16xf32>):
      ...
      dataflow.yield %conv : tensor<1x8x16x16xf32>
    }
    ```
  }];
  let dependentDialects = ["::vtile::dataflow::DataflowDialect"];
}

def DataflowVerifyMemoryPlan : Pass<"dataflow-verify-memory-plan"> {
  let summary = "Check a function's memory plan against its IR";
  let description = [{
    On every function with a `#dataflow.memory_plan`: each top-level op's
    `dataflow.step` is at or after the steps of the values it reads (ops
    without one, such as reshapes, run with what they read); each
    `dataflow.buffer` slot holds its result's bytes and is live from the
    step that writes it to the last step that reads it; each slot lies at
    an aligned offset inside the arena; and no two slots share a byte at a
    step where both are live. Returned values have no slot: IREE allocates
    them apart. Fails at the first op that breaks a rule. Ops carrying
    steps in a function without a plan are an error too.

    ```
    error: slot #dataflow.slot<offset = 0, bytes = 64, steps = [1, 2]>
           overlaps another slot live at the same time: ...
    ```
  }];
  let dependentDialects = ["::vtile::dataflow::DataflowDialect"];
}

def DataflowSchedule : Pass<"dataflow-schedule"> {
  let summary = "Move a function's ops into its memory plan's order";
  let description = [{
    Reorders the top-level ops of every function with a
    `#dataflow.memory_plan` by `dataflow.step`, after checking the plan as
    `dataflow-verify-memory-plan` does. An op without a step (a constant,
    a `tensor.empty`, a reshape) moves to just before its first reader;
    ops of one step keep their relative order. IREE dispatches in this
    order when its streams are partitioned one op at a time
    (`--iree-stream-partitioning-favor=debug`), so the plan's liveness is
    the one IREE allocates for.
  }];
  let dependentDialects = ["::vtile::dataflow::DataflowDialect"];
}

def DataflowMaterializeTileLoops : Pass<"dataflow-materialize-tile-loops"> {
  let summary = "Compute each planned kernel's result one output tile at a time";
  let description = [{
    Tiles the root of every `dataflow.kernel` whose plan has lowering
    `"tile-loops"` (kernels planned as one dispatch are left to
    `dataflow-form-dispatch-regions`) with the plan's output tile sizes and loop order, and fuses every producer inside
    the kernel into the tile: upstream `TilingInterface` tiling
    (`scf::tileConsumerAndFuseProducersUsingSCF`) with a `tile.loop` as the
    loop. Each iteration recomputes the halo its tile needs from the
    kernel's inputs; `tensor.pad` producers become pads of the window that
    apply only where the window leaves the tensor. Statically shaped
    intermediate buffers of a tile become `tile.empty` in memory level
    `level` (buffers whose size depends on the tile's distance to the
    border stay `tensor.empty` until `tile-lower-loops` makes them static).

    Fails if the root is not a linalg op whose result dimensions are loop
    dimensions, if the plan's tile sizes do not divide the result, or if
    the tile is the whole result.
  }];
  let options = [
    Option<"level", "level", "std::string", /*default=*/"\"workspace\"",
           "memory level the intermediate buffers of a tile are placed in">,
  ];
  let dependentDialects = ["::vtile::tile::TileDialect",
                           "::mlir::affine::AffineDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect"];
}

def TileLowerLoops : Pass<"tile-lower-loops"> {
  let summary = "Unroll tile.loop into static slices that IREE compiles";
  let description = [{
    Replaces every `tile.loop` by one copy of its body per tile, in the
    loop's order, with the tile offsets as constants, and inserts each
    stored tile into the result with `tensor.insert_slice`; `tile.empty`
    becomes `tensor.empty`. After canonicalization every window, halo and
    border pad has a static shape. Unrolling, not a host loop, because IREE
    3.13 turns static contiguous slices (row strips: every dimension after
    the tiled one is whole) into free `flow.tensor.slice`/`update` and the
    producer then writes straight into the result (measured; see the README).
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::tensor::TensorDialect"];
}

def DataflowFormDispatchRegions : Pass<"dataflow-form-dispatch-regions"> {
  let summary = "Make each kernel planned as one dispatch an IREE dispatch region";
  let description = [{
    Replaces every `dataflow.kernel` whose plan has lowering `"dispatch"` by
    a `flow.dispatch.region` (IREE's op, built in generic form since vtile
    does not link IREE's dialects; the context must allow unregistered
    ops). IREE compiles the region as one dispatch, and the codegen spec
    vtile generates for it (`vtile.backends.dispatch_codegen`) tiles it
    inside: the halos are recomputed per workgroup tile and the
    intermediate tiles never leave the kernel.
    - A reduction that accumulates into a tensor computed before it (a
      convolution into its broadcast bias) starts from zero instead, and
      the tensor (the 1-D bias) is added after it, elementwise: a
      workgroup would otherwise copy the whole bias over its neighbours'
      tiles.
    - Every value is computed on a domain grown by the padding its
      consumers add (scaled by their strides), each `tensor.pad` becomes an
      elementwise mask, and only the group's inputs are padded (once per
      margin they are read with): tiles through a pad would otherwise have
      a border-dependent (dynamic) size. A value read with several margins
      (a residual block's) is computed with the widest, and an elementwise
      reader that needs less reads it at a constant offset.
    - On a CPU (the plan's `device`), NCHW convolutions, depthwise
      convolutions and poolings compute channels-last (their NHWC forms,
      filters HWCF / HWC) between transposing generics: MLIR's 1-D
      vectoriser puts channels in the lanes, so NCHW ones gather their
      filter taps with strides.
    - Elementwise chains are fused (upstream patterns, single-use
      producers): IREE would fuse them itself and drop the tags below.
      The transposes fold into them, so they iterate channels-last; an
      elementwise op reading a named op's result through a permutation
      (the root, turning the result back to NCHW) iterates in that
      result's order, as IREE's `TransposeGenericOpsPass` would make it.
    - Ops computed from constants alone (weights, folded batch norms) stay
      outside the region, which reads them; IREE evaluates them once.
    - Every op inside gets its own `tensor.empty`/`fill` destination and
      the scalar constants it uses.
    - Every linalg op and pad gets `vtile.node = K`, its position in the
      region, and `vtile.loop_ranges`, its static iteration domain; the root
      (the op whose result leaves the region) also `vtile.dispatch =
      "FUNCTION.N"` and `vtile.tile_sizes`, the plan's tile per loop of the
      root: the codegen spec selects ops by these tags.

    A kernel it cannot take keeps lowering `"tile-loops"` (same numbers,
    more dispatches) with a remark saying why: an op other than a linalg op
    or a pad, a value that a named op (not an elementwise one) reads with a
    narrower window than another reader, or a destination computed before
    an op that does not add into it. Runs
    before `dataflow-materialize-tile-loops`, which then tiles those.
    ```mlir
    %y = "flow.dispatch.region"() <{operandSegmentSizes = array<i32: 0, 0>}> ({
      ...
      // The plan's 1x8x4x16 (NCHW) tile, over the root's NHWC loops.
      %r = linalg.generic {..., vtile.node = 9 : i64, vtile.dispatch = "main.0",
                           vtile.tile_sizes = array<i64: 1, 4, 16, 8>} ...
      "flow.return"(%r) : (tensor<1x8x16x16xf32>) -> ()
    }) : () -> tensor<1x8x16x16xf32>
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def DataflowInlineKernels : Pass<"dataflow-inline-kernels"> {
  let summary = "Inline dataflow.kernel bodies back into their parent";
  let description = [{
    The last step before IREE: once a kernel's tile loops are lowered, its
    body is plain linalg/tensor IR. Inlines it in place of the kernel,
    block arguments replaced by the kernel's inputs and results by the
    yielded values. Fails on a kernel that still holds a `tile.loop`.
  }];
}

def TestAbort : Pass<"vtile-test-abort"> {
  let summary = "Abort the process, as a failed assertion would (for tests)";
  let description = [{
    Tests use it to check that a pass that crashes inside `vtile compile`
    is recovered from: the pipeline reports the crash with a reproducer
    instead of taking the Python process down.
  }];
}

def GeneralizeLinalgOps : Pass<"generalize-linalg-ops"> {
  let summary = "Rewrite the listed named linalg ops as linalg.generic";
  let description = [{
    MLIR 22 still has the one-op-per-function elementwise named ops
    (`linalg.exp`, `linalg.add`, ...) that IREE 3.13's parser no longer
    knows. Rewriting just those as `linalg.generic` lets IREE compile them
    (and vtile's planner fuse them) while convolutions and matmuls keep the
    named forms IREE's codegen recognises; `linalg-generalize-named-ops`
    would rewrite every op. Ops whose names are not in `ops` are untouched.

    ```mlir
    // --generalize-linalg-ops=ops=linalg.exp
    %r = linalg.exp ins(%x : tensor<4xf32>) outs(%e : tensor<4xf32>) -> tensor<4xf32>
    // becomes a linalg.generic whose body is math.exp.
    ```
  }];
  let options = [
    ListOption<"opNames", "ops", "std::string",
               "Names of the linalg ops to generalize, e.g. linalg.exp">,
  ];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def VulkanGatherUnalignedInserts : Pass<"vulkan-gather-unaligned-inserts"> {
  let summary = "Rewrite inserts at unaligned innermost offsets as gathers";
  let description = [{
    Works around IREE 3.13's SPIR-V load/store vectorization, which turns a
    buffer into one of `vector-bits`-wide vectors when every access's
    vector and the innermost dimension allow it, without checking that the
    access's innermost index is a multiple of the vector. A dispatch that
    writes in place into a larger tensor at such an offset (a `tensor.pad`
    with low padding on the innermost dimension, an `insert_slice`, a
    `concat` along it) then stores shifted values: measured on lavapipe,
    where IREE picks 2-wide vectors for 3x3 convolutions with padding 1.

    Every `tensor.pad` and `tensor.insert_slice` (concats are decomposed into
    inserts first) whose innermost offset is not a static multiple of
    `vector-bits` becomes a `linalg.generic` over the result that reads
    its source with `tensor.extract`: IREE computes it in its own dispatch
    that writes from offset 0. Aligned ones are left alone.
    So are ops inside a `flow.dispatch.region` (a one-dispatch group): vtile's
    codegen spec fuses them into the group's workgroup loop and stores
    with scalar stores.
  }];
  let options = [
    Option<"vectorBits", "vector-bits", "unsigned", /*default=*/"128",
           "The widest vector IREE's SPIR-V codegen loads or stores, in bits">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

#endif // VTILE_PASSES_TD
