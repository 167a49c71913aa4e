"""The transform-dialect library that makes IREE compile each group lowered as
one dispatch (`dataflow-form-dispatch-regions`) as one tiled kernel.

IREE 3.13 loads it with `--iree-codegen-transform-dialect-library`: its
entry `@__kernel_config` matches every dispatch's root by the
`vtile.dispatch` tag and gives the dispatch a codegen spec of its own,
which
1. tiles the root on workgroups with the plan's tile (`scf.forall`), and
   fuses every other op of the group into that loop, consumer first, so
   each workgroup recomputes the halo its tile needs;
2. tiles each op again to register-sized pieces and vectorises it
   (convolutions, channels-last, are first decomposed to 1-D ones);
3. bufferises: the tile-local intermediates become stack buffers;
4. lowers the vectors for LLVM, one pattern set at a time.

The op names are IREE 3.13's; `test_dispatch_lowering.py` compiles with them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mlir import ir

from vtile.backends.targets import VECTOR_LANES, Target, VulkanTarget

DISPATCH_ATTR = "vtile.dispatch"
NODE_ATTR = "vtile.node"
TILE_SIZES_ATTR = "vtile.tile_sizes"
LOOP_RANGES_ATTR = "vtile.loop_ranges"
ENTRY = "__kernel_config"
CODEGEN_LIBRARY_NAME = "codegen.mlir"

# Convolution-like ops that `transform.structured.decompose` makes 1-D once
# they compute one output row with one kernel row. Every one-dispatch
# convolution is channels-last (`dataflow-form-dispatch-regions` turns NCHW
# ones to NHWC), so MLIR's 1-D vectoriser puts channels in the lanes and a
# register tile is a few output columns ("row": ROW_STEP, the loop peeled,
# since a fused tile's row may be any length) times two vectors of output
# channels ("channels": a divisor near CHANNEL_STEP), accumulated over a
# few input channels ("reduction": near REDUCTION_STEP) and one kernel tap:
# 4x2 accumulators, 4 broadcasts and 2 filter loads per 8 FMAs, all in
# registers. "1" tiles to 1, "0" keeps the dimension whole.
ROW_STEP = 4
CHANNEL_STEP = 2 * VECTOR_LANES
REDUCTION_STEP = 4
DECOMPOSABLE = {
    # (n, oh, ow, f, kh, kw, c)
    "linalg.conv_2d_nhwc_hwcf": ("1", "1", "row", "channels", "1", "1", "reduction"),
    # (n, oh, ow, c, kh, kw)
    "linalg.depthwise_conv_2d_nhwc_hwc": ("1", "1", "row", "channels", "1", "0"),
    "linalg.pooling_nhwc_max": ("1", "1", "row", "channels", "1", "0"),
    "linalg.pooling_nhwc_sum": ("1", "1", "row", "channels", "1", "0"),
}

# How an op is vectorised: by decomposing it (above), "rows" (any other
# linalg op: one row of its result's innermost dimension per tile) or
# "scalar": a generic that reads at an offset (a residual add reading a
# value a padded convolution reads with a wider window: the vectoriser
# takes only projected permutations) and a pad, which IREE lowers to loops.
SCALAR, ROWS, DECOMPOSE = "scalar", "rows", "decompose"


@dataclass(frozen=True)
class DispatchOp:
    node: int
    name: str
    loop_ranges: tuple[int, ...]  # static iteration domain, before tiling (a pad's: its result)
    reads_at_offset: bool = False  # an indexing map adds a constant
    parallel: tuple[bool, ...] = ()  # per loop dimension: parallel, not a reduction
    # The loop along its result's innermost (contiguous) dimension; None
    # for the last loop.
    row_loop: int | None = None

    @property
    def strategy(self) -> str:
        if self.name == "tensor.pad" or self.reads_at_offset:
            return SCALAR
        return DECOMPOSE if self.name in DECOMPOSABLE else ROWS

    @property
    def tile_kinds(self) -> tuple[str, ...] | None:
        """Its register tile's kinds, per iteration dimension
        (DECOMPOSABLE); None for a row at a time."""
        return DECOMPOSABLE[self.name] if self.strategy == DECOMPOSE else None


@dataclass(frozen=True)
class Dispatch:
    label: str
    root: int  # node number of the root
    root_loops: tuple[int, ...]  # the root's static loop ranges
    tile_sizes: tuple[int, ...]  # per root loop
    ops: tuple[DispatchOp, ...]  # in node order


def find_dispatches(module: ir.Module) -> list[Dispatch]:
    """The dispatches `dataflow-form-dispatch-regions` formed, from its tags."""
    dispatches: list[Dispatch] = []

    def visit(op: ir.Operation) -> ir.WalkResult:
        if DISPATCH_ATTR in op.attributes:
            region = op.parent
            ops = tuple(
                DispatchOp(ir.IntegerAttr(inner.attributes[NODE_ATTR]).value, inner.name,
                           _loop_ranges(inner), _reads_at_offset(inner), _parallel(inner),
                           _row_loop(inner))
                for inner in (o.operation for o in region.regions[0].blocks[0].operations)
                if NODE_ATTR in inner.attributes
            )
            dispatches.append(Dispatch(
                label=ir.StringAttr(op.attributes[DISPATCH_ATTR]).value,
                root=ir.IntegerAttr(op.attributes[NODE_ATTR]).value,
                root_loops=_loop_ranges(op),
                tile_sizes=tuple(ir.DenseI64ArrayAttr(op.attributes[TILE_SIZES_ATTR])),
                ops=ops,
            ))  # fmt: skip
        return ir.WalkResult.ADVANCE

    module.operation.walk(visit)
    return dispatches


def _loop_ranges(op: ir.Operation) -> tuple[int, ...]:
    if LOOP_RANGES_ATTR not in op.attributes:  # a tensor.pad
        return tuple(ir.RankedTensorType(op.results[0].type).shape)
    return tuple(ir.DenseI64ArrayAttr(op.attributes[LOOP_RANGES_ATTR]))


def _parallel(op: ir.Operation) -> tuple[bool, ...]:
    """Which loop dimensions are parallel. Named linalg ops (convolutions,
    poolings, matmuls) put their result's dimensions first; a pad is all
    result."""
    if "iterator_types" in op.attributes:
        return tuple("parallel" in str(t) for t in ir.ArrayAttr(op.attributes["iterator_types"]))
    rank = ir.RankedTensorType(op.results[0].type).rank
    return tuple(d < rank for d in range(len(_loop_ranges(op))))


def _row_loop(op: ir.Operation) -> int | None:
    """The loop that indexes the innermost dimension of `op`'s result, if
    its indexing maps say (a generic that writes NCHW from a channels-last
    value: the columns)."""
    if "indexing_maps" not in op.attributes:
        return None
    maps = ir.ArrayAttr(op.attributes["indexing_maps"])
    result = ir.AffineMapAttr(maps[len(maps) - 1]).value
    innermost = result.results[len(result.results) - 1].maybe_downcast()
    return innermost.position if isinstance(innermost, ir.AffineDimExpr) else None


def _reads_at_offset(op: ir.Operation) -> bool:
    if "indexing_maps" not in op.attributes:
        return False
    maps = ir.ArrayAttr(op.attributes["indexing_maps"])
    return not all(ir.AffineMapAttr(m).value.is_projected_permutation for m in maps)


def _divisor_near(size: int, target: int) -> int:
    """The largest divisor of `size` at most `target`: static tiles only."""
    return max(d for d in range(1, min(size, target) + 1) if size % d == 0)


def register_tile(op: DispatchOp) -> tuple[int, ...]:
    """Register-level tile sizes (0 = whole) of one op."""
    kinds = op.tile_kinds
    if kinds is None:
        # Elementwise and the rest: one row of the result's innermost
        # dimension at a time, so it is stored contiguously.
        row = len(op.loop_ranges) - 1 if op.row_loop is None else op.row_loop
        return tuple(0 if d == row else 1 for d in range(len(op.loop_ranges)))
    sizes = []
    for kind, size in zip(kinds, op.loop_ranges, strict=True):
        sizes.append({"1": 1, "0": 0, "row": min(size, ROW_STEP),
                      "channels": _divisor_near(size, CHANNEL_STEP),
                      "reduction": _divisor_near(size, REDUCTION_STEP)}[kind])
    return tuple(sizes)


def workgroup_tile(dispatch: Dispatch) -> tuple[list[int], list[str]]:
    """The forall's tile sizes (0 = not tiled) and its workgroup mapping,
    innermost dimension on x."""
    sizes = [0 if t == s else t for t, s in zip(dispatch.tile_sizes, dispatch.root_loops)]
    if not any(sizes):
        sizes[0] = dispatch.root_loops[0]  # one workgroup
    tiled = [d for d, t in enumerate(sizes) if t]
    axes = ["x", "y", "z"]
    mapping = [f"#gpu.block<{axes[len(tiled) - 1 - i]}>" for i in range(len(tiled))]
    return sizes, mapping


def _symbol(label: str) -> str:
    return "vtile_" + "".join(c if c.isalnum() else "_" for c in label)


def _handles(count: int) -> str:
    return ", ".join(["!transform.any_op"] * count)


def _workgroup_level(dispatch: Dispatch, name: str) -> list[str]:
    """The spec's start on either device: tile the root on workgroups and
    fuse the rest of the group into that loop."""
    sizes, mapping = workgroup_tile(dispatch)
    lines = [
        f"  transform.named_sequence @{name}(%variant: !transform.any_op {{transform.readonly}}) {{",
        '    %func = transform.structured.match ops{["func.func"]} in %variant'
        " : (!transform.any_op) -> !transform.any_op",
        f"    %root = transform.structured.match attributes{{{NODE_ATTR} = {dispatch.root} : i64}}"
        " in %variant : (!transform.any_op) -> !transform.any_op",
        f"    %tiled, %loop0 = transform.structured.tile_using_forall %root tile_sizes {sizes}"
        f" ( mapping = [{', '.join(mapping)}] ) : (!transform.any_op) -> ({_handles(2)})",
        "    transform.iree.populate_workgroup_count_region_using_num_threads_slice %loop0"
        " : (!transform.any_op) -> ()",
    ]
    # Consumer first. Every producer must fuse: one left outside the loop
    # would be computed whole by every workgroup (measured: EdgeCNN 4x
    # slower), so a failure fails the compile and the group keeps its tile
    # loops, with a note.
    for step, op in enumerate(reversed(dispatch.ops), start=1):
        if op.node == dispatch.root:
            continue
        lines += [
            f'    %forall{step} = transform.structured.match ops{{["scf.forall"]}} in %func'
            " : (!transform.any_op) -> !transform.any_op",
            f"    %p{step} = transform.structured.match attributes{{{NODE_ATTR} = {op.node} : i64}}"
            " in %variant : (!transform.any_op) -> !transform.any_op",
            f"    %fused{step}, %into{step} = transform.structured.fuse_into_containing_op %p{step}"
            f" into %forall{step} : ({_handles(2)}) -> ({_handles(2)})",
        ]
    lines += [
        # A fused pad guards against a tile that lies wholly in the padding;
        # the planner's tiles always read some of the source.
        '    %guards = transform.structured.match ops{["scf.if"]} in %func'
        " : (!transform.any_op) -> !transform.any_op",
        "    transform.foreach %guards : !transform.any_op {",
        "    ^bb0(%guard: !transform.any_op):",
        "      transform.scf.take_assumed_branch %guard take_else_branch : (!transform.any_op) -> ()",
        "    }",
    ]
    return lines + _cleanup("%func", tensor_empty=True)


def codegen_spec(dispatch: Dispatch) -> str:
    """llvm-cpu: register tiles, vectorised; tiles on the worker's stack."""
    lines = _workgroup_level(dispatch, _symbol(dispatch.label))
    for op in dispatch.ops:
        lines += _register_level(op)
    lines += _cleanup("%func", leading_unit_dims=True)
    lines += [
        "    transform.iree.eliminate_empty_tensors %variant : (!transform.any_op) -> ()",
        "    %bufferized = transform.iree.bufferize %func : (!transform.any_op) -> !transform.any_op",
        '    %mfunc = transform.structured.match ops{["func.func"]} in %bufferized'
        " : (!transform.any_op) -> !transform.any_op",
        "    transform.iree.forall_to_workgroup %mfunc : (!transform.any_op) -> ()",
        "    %hoisted = transform.structured.hoist_redundant_vector_transfers %mfunc"
        " : (!transform.any_op) -> !transform.any_op",
    ]
    # Each stage alone, then canonicalisation alone: together, a lowering
    # and the folds that undo it can rewrite each other forever.
    for patterns in VECTOR_LOWERING:
        for group in (patterns, ("canonicalization",)):
            lines += [
                "    transform.apply_patterns to %hoisted {",
                *(f"      transform.apply_patterns.{p}" for p in group),
                "    } : !transform.any_op",
            ]
    lines += [
        "    transform.apply_cse to %hoisted : !transform.any_op",
        "    %none = transform.param.constant #iree_codegen.translation_info<"
        "pipeline = #iree_codegen.no_pipeline> -> !transform.any_param",
        '    transform.annotate %hoisted "translation_info" = %none'
        " : !transform.any_op, !transform.any_param",
        "    transform.yield",
        "  }",
    ]
    return "\n".join(lines)


# Threads per workgroup on each axis: 128 in all, what every Vulkan device
# must run (maxComputeWorkGroupInvocations); x, the innermost dimension,
# spans one lavapipe subgroup.
WORKGROUP_THREADS = {"x": 8, "y": 4, "z": 4}


def thread_tile(op: DispatchOp) -> tuple[list[int], list[str]]:
    """The thread loop of one op on the GPU: threads (0 = not split) over
    its innermost three parallel dimensions longer than 1, innermost on x,
    and the axis of each split dimension, outermost first. A static thread
    count whatever the tile's size: a tile near a border or a halo window
    has its own."""
    dims = [d for d, (parallel, size) in enumerate(zip(op.parallel, op.loop_ranges, strict=True))
            if parallel and size > 1][-3:]
    if not dims:
        return [1] + [0] * (len(op.loop_ranges) - 1), ["x"]
    threads = [0] * len(op.loop_ranges)
    axes = "xyz"[:len(dims)][::-1]
    for axis, d in zip(axes, dims, strict=True):
        threads[d] = min(op.loop_ranges[d], WORKGROUP_THREADS[axis])
    return threads, list(axes)


def workgroup_size(dispatch: Dispatch) -> list[int]:
    """Threads of each workgroup (x, y, z): the most any op's loop uses."""
    size = dict.fromkeys("xyz", 1)
    for op in dispatch.ops:
        threads, axes = thread_tile(op)
        for count, axis in zip([t for t in threads if t], axes, strict=True):
            size[axis] = max(size[axis], count)
    return [size[axis] for axis in "xyz"]


def gpu_codegen_spec(dispatch: Dispatch, subgroup_size: int) -> str:
    """vulkan-spirv: every op of a workgroup's tile is a loop over the
    workgroup's threads, a barrier after each; the intermediate tiles live
    in workgroup memory (`bufferize` with `target_gpu`). IREE lowers the
    rest to SPIR-V itself. The pad of a group input becomes a fill and a
    copy of the source window (its sizes are dynamic, its thread count is
    not)."""
    name = _symbol(dispatch.label)
    lines = _workgroup_level(dispatch, name)
    lines += [
        '    %pads = transform.structured.match ops{["tensor.pad"]} in %func'
        " : (!transform.any_op) -> !transform.any_op",
        "    %pad_dps = transform.structured.rewrite_in_destination_passing_style %pads"
        " : (!transform.any_op) -> !transform.any_op",
        '    %inserts = transform.structured.match ops{["tensor.insert_slice"]} in %func'
        " : (!transform.any_op) -> !transform.any_op",
        "    %copies = transform.structured.insert_slice_to_copy %inserts"
        " : (!transform.any_op) -> !transform.any_op",
    ]
    for op in dispatch.ops:
        threads, axes = thread_tile(op)
        mapping = ", ".join(f"#gpu.thread<{axis}>" for axis in axes)
        # (A pad's fill keeps the pad's tag; its copy is the group's only one.)
        matches = [f"transform.structured.match attributes{{{NODE_ATTR} = {op.node} : i64}} in %func"]
        if op.name == "tensor.pad":
            matches.append('transform.structured.match ops{["linalg.copy"]} in %func')
        for number, match in enumerate(matches):
            handle = f"%n{op.node}_{number}"
            lines += [
                f"    {handle} = {match} : (!transform.any_op) -> !transform.any_op",
                f"    transform.foreach {handle} : !transform.any_op {{",
                "    ^bb0(%op: !transform.any_op):",
                f"      %t, %threads = transform.structured.tile_using_forall %op num_threads {threads}"
                f" ( mapping = [{mapping}] ) : (!transform.any_op) -> ({_handles(2)})",
                "    }",
            ]
    lines += _cleanup("%func", tensor_empty=True)
    x, y, z = workgroup_size(dispatch)
    lines += [
        "    transform.iree.eliminate_empty_tensors %variant : (!transform.any_op) -> ()",
        # (3.13 parses this and loop.unroll only in the generic form.)
        '    %mfunc = "transform.iree.bufferize"(%func) <{target_gpu}>'
        " : (!transform.any_op) -> !transform.any_op",
        # Scalar loops: what SPIR-V conversion takes of an op left on memrefs.
        "    %linalg = transform.structured.match interface{LinalgOp} in %mfunc"
        " : (!transform.any_op) -> !transform.any_op",
        "    %loops = transform.structured.convert_to_loops %linalg"
        " : (!transform.any_op) -> !transform.any_op",
        "    transform.iree.forall_to_workgroup %mfunc : (!transform.any_op) -> ()",
        # Also sets the translation_info IREE expects after a spec: no
        # pipeline, this workgroup size and the device's subgroup size.
        f"    transform.iree.map_nested_forall_to_gpu_threads %mfunc workgroup_dims = [{x}, {y}, {z}]"
        f" subgroup_size = {subgroup_size} : (!transform.any_op) -> ()",
        *_cleanup("%mfunc"),
        "    transform.yield",
        "  }",
    ]
    return "\n".join(lines)


# Vector lowering, one stage per pattern set: LLVM gets only 1-D vectors.
VECTOR_LOWERING: Sequence[Sequence[str]] = (
    ('vector.lower_contraction lowering_strategy = "outerproduct"', "vector.lower_outerproduct"),
    ("vector.transfer_permutation_patterns", "vector.lower_transfer max_transfer_rank = 1"),
    ('vector.lower_transpose lowering_strategy = "shuffle_1d"',),
    ("vector.lower_shape_cast",),
    ("vector.lower_broadcast",),
    ('vector.reorder_multi_reduction_dims lowering_strategy = "innerreduction"',
     'vector.multi_reduction_flattening lowering_strategy = "innerreduction"',
     'vector.multi_reduction_unrolling lowering_strategy = "innerreduction"'),
)


def _cleanup(func: str, tensor_empty: bool = False, leading_unit_dims: bool = False) -> list[str]:
    extra = ["      transform.apply_patterns.tensor.fold_tensor_empty"] if tensor_empty else []
    if leading_unit_dims:  # vector<1x1x1x8xf32> -> vector<8xf32>
        extra.append("      transform.apply_patterns.vector.cast_away_vector_leading_one_dim")
    return [
        f"    transform.apply_patterns to {func} {{",
        *extra,
        "      transform.apply_patterns.linalg.tiling_canonicalization",
        "      transform.apply_patterns.scf.for_loop_canonicalization",
        "      transform.apply_patterns.canonicalization",
        "    } : !transform.any_op",
        f"    transform.apply_cse to {func} : !transform.any_op",
    ]


def _register_level(op: DispatchOp) -> list[str]:
    """Tile one op (found by its tag inside the fused loop) and vectorise it."""
    strategy = op.strategy
    if strategy == SCALAR:
        return []
    n = op.node
    match = (f"transform.structured.match attributes{{{NODE_ATTR} = {n} : i64}} in %func"
             " : (!transform.any_op) -> !transform.any_op")
    sizes = register_tile(op)
    loops = sum(1 for s in sizes if s)
    lines = [
        f"    %r{n} = {match}",
        f"    %t{n}, %l{n}:{loops} = transform.structured.tile_using_for %r{n}"
        f" tile_sizes {list(sizes)} : (!transform.any_op) -> ({_handles(loops + 1)})",
    ]
    if strategy == ROWS:
        return [*lines, f"    transform.structured.vectorize %t{n} : !transform.any_op"]
    # The row loop: a fused tile's output row may be shorter than the op's
    # (it reads only what its consumer needs), so it is peeled into a
    # static main part and a static remainder. The loops come outermost
    # first, untiled dimensions left out.
    row = op.tile_kinds.index("row")
    row_loop = sum(1 for d in range(row) if sizes[d])
    return [
        *lines,
        f'    %w{n} = transform.cast %l{n}#{row_loop} : !transform.any_op to !transform.op<"scf.for">',
        # (Nothing to peel when the tile divides the row: not an error.)
        f'    transform.sequence %w{n} : !transform.op<"scf.for"> failures(suppress) {{',
        '    ^bb0(%loop: !transform.op<"scf.for">):',
        "      %main, %rest = transform.loop.peel %loop"
        ' : (!transform.op<"scf.for">) -> (!transform.any_op, !transform.any_op)',
        "    }",
        *_cleanup("%func"),
        f"    %pieces{n} = {match}",
        f"    transform.foreach %pieces{n} : !transform.any_op {{",
        "    ^bb0(%piece: !transform.any_op):",
        "      %one_d = transform.structured.decompose %piece : (!transform.any_op) -> !transform.any_op",
        "      transform.structured.vectorize %one_d : !transform.any_op",
        "    }",
    ]


def codegen_library(dispatches: Sequence[Dispatch], target: Target) -> str:
    """The library's text for `target`: one codegen spec per dispatch, and the entry that
    finds each dispatch's root by its `vtile.dispatch` label and gives the
    function around it that spec. (A `foreach_match` matcher cannot read
    attributes; a `structured.match` that finds nothing makes the rest of
    its lines no-ops.)"""
    specs, entry = [], []
    for number, dispatch in enumerate(dispatches):
        name = _symbol(dispatch.label)
        specs.append(gpu_codegen_spec(dispatch, target.subgroup_sizes[0])
                     if isinstance(target, VulkanTarget) else codegen_spec(dispatch))
        entry += [
            f'    %root{number} = transform.structured.match attributes{{{DISPATCH_ATTR} = "{dispatch.label}"}}'
            " in %module : (!transform.any_op) -> !transform.any_op",
            f'    %func{number} = "transform.get_parent_op"(%root{number}) <{{op_name = "func.func",'
            " nth_parent = 1 : i64}> : (!transform.any_op) -> !transform.any_op",
            f"    %spec{number} = transform.param.constant #iree_codegen.translation_info<pipeline ="
            f" #iree_codegen.transform_dialect_codegen codegen_spec = @{name}> -> !transform.any_param",
            f'    transform.annotate %func{number} "translation_info" = %spec{number}'
            " : !transform.any_op, !transform.any_param",
        ]  # fmt: skip
    return "\n".join([
        "module attributes {transform.with_named_sequence} {",
        *specs,
        f"  transform.named_sequence @{ENTRY}(%module: !transform.any_op {{transform.readonly}}) {{",
        *entry,
        "    transform.yield",
        "  }",
        "}",
        "",
    ])  # fmt: skip


def dispatch_flags(library: Path, target: Target, stack_limit: int | None = None) -> list[str]:
    """The iree-compile flags a module with one-dispatch groups needs: the
    library and, on llvm-cpu, a stack limit that holds their tiles (the
    planner keeps each group's modelled stack under it; `stack_limit`
    overrides the target's). On vulkan-spirv the target's workgroup memory
    is IREE's limit already."""
    flags = [f"--iree-codegen-transform-dialect-library={library}"]
    if isinstance(target, VulkanTarget):
        return flags
    return [*flags, f"--iree-llvmcpu-stack-allocation-limit={stack_limit or target.stack_bytes}"]
