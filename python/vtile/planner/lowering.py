"""How each fusion group reaches IREE: the `lowering` of its `#dataflow.plan`.

- `tile-loops`: vtile unrolls the group's tile loop; every op of every tile
  is its own IREE dispatch (`dataflow-materialize-tile-loops`).
- `dispatch`: the group is one IREE dispatch that IREE tiles inside, on
  workgroups, with the codegen spec vtile generates
  (`dataflow-form-dispatch-regions`, `vtile.backends.dispatch_codegen`).
  It handles linalg ops and `tensor.pad` only; a group holding anything
  else keeps its tile loops, and the planner says why."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

from vtile.analysis.graph import OpGraph
from vtile.planner.groups import GroupCost, op_tiles, workgroup_cost
from vtile.planner.search import DEFAULT_MAX_RECOMPUTE, DISPATCH, TILE_LOOPS

# Register tiles are this many floats wide (one AVX2 register): narrower
# workgroup columns would leave vector lanes empty.
VECTOR_LANES = 8

# What one dispatch may keep on a CPU worker's stack: IREE's compile-time
# limit (`--iree-llvmcpu-stack-allocation-limit`), and the worker stack
# vtile asks IREE's task system for at run time (`--task_worker_stack_size`),
# with room for the task system's own frames.
# 2 MiB holds MobileNetV2's first stage at 224x224 in strips of 2 rows.
DISPATCH_STACK_BYTES = 2 * 1024 * 1024
WORKER_STACK_BYTES = DISPATCH_STACK_BYTES + 512 * 1024


@dataclass(frozen=True)
class GroupLowering:
    lowering: str
    reason: str  # why, when it is not the one asked for
    # One dispatch: what each workgroup computes (its tile, halos, work),
    # and the stack it needs, modelled.
    workgroups: GroupCost | None = None
    stack_bytes: int = 0


def can_be_one_dispatch(name: str) -> bool:
    return name.startswith("linalg.") or name == "tensor.pad"


def workgroup_tiling(
    graph: OpGraph, group: GroupCost, max_recompute: float
) -> tuple[GroupCost, int] | None:
    """How a one-dispatch group is cut into workgroups: tiles of the plan's
    tiled dimension and the next one (rows and columns), each a divisor of
    the result, columns at least a vector wide. The planner's objective for
    the strips holds here too: the least memory, here the modelled stack,
    within the recompute cap; on ties the plan's own strips. Squarer tiles
    recompute less halo for their area than strips, so they also need less
    stack (MobileNetV2's first stage at 224x224: 2x56 strips modelled at
    1,254,400 B and 1.295x recompute, 4x8 tiles at 343,808 B and 1.248x).
    Returns the tiling and its modelled stack; None if no tile fits the
    stack limit."""
    shape = graph.nodes[group.root].result_shape
    dims = [group.tile_dim, *([group.tile_dim + 1] if group.tile_dim + 1 < len(shape) else [])]
    choices = [[t for t in range(1, shape[d] + 1) if shape[d] % t == 0] for d in dims]
    if len(dims) == 2:
        choices[1] = [t for t in choices[1] if t >= VECTOR_LANES or t == shape[dims[1]]]
    best = None
    candidates = [group]  # the plan's strips, as the planner costed them
    for sizes in itertools.product(*choices):
        tile = list(group.tile)
        for d, t in zip(dims, sizes, strict=True):
            tile[d] = t
        candidates.append(workgroup_cost(graph, group.nodes, group.tile_dim, tuple(tile)))
    for cost in candidates:
        if cost.recompute > max_recompute:
            continue
        stack = dispatch_stack_bytes(graph, cost)
        if stack <= DISPATCH_STACK_BYTES and (best is None or stack < best[1]):
            best = (cost, stack)
    return best


def dispatch_stack_bytes(graph: OpGraph, group: GroupCost) -> int:
    """Stack one workgroup of the dispatch needs, modelled: two buffers
    (an op's and its fused elementwise tail's) per intermediate tile, halo
    included, that survives elementwise fusion, so not fills, not pads
    (they become masks fused into their producer) and not a generic whose
    only user is a generic. MobileNetV2's first stage at 56x56: modelled
    313,600 B, IREE's count 269,568 B."""
    tiles, members = op_tiles(graph, group), set(group.nodes)

    def fused_away(index: int) -> bool:
        node = graph.nodes[index]
        if node.name in ("linalg.fill", "tensor.pad"):
            return True
        users = [u for u in graph.users.get(index, []) if u in members]
        return node.name == "linalg.generic" and len(users) == 1 and (
            graph.nodes[users[0]].name in ("linalg.generic", "tensor.pad"))

    return 2 * sum(math.prod(d.size for d in tiles[i]) * graph.nodes[i].element_bytes
               for i in group.nodes
               if i != group.root and i in tiles and not fused_away(i))


def group_lowering(
    graph: OpGraph, group: GroupCost, requested: str, device: str = "cpu",
    max_recompute: float = DEFAULT_MAX_RECOMPUTE,
) -> GroupLowering:
    if requested == TILE_LOOPS:
        return GroupLowering(TILE_LOOPS, "")
    if device != "cpu":
        return GroupLowering(TILE_LOOPS, "one dispatch per group is built for llvm-cpu only so far")
    others = sorted({graph.nodes[i].name for i in group.nodes
                     if not can_be_one_dispatch(graph.nodes[i].name)})
    if others:
        return GroupLowering(
            TILE_LOOPS, f"one dispatch takes linalg ops and tensor.pad only; it holds {', '.join(others)}"
        )
    tiling = workgroup_tiling(graph, group, max(max_recompute, group.recompute))
    if tiling is None:
        stack = dispatch_stack_bytes(graph, group)
        return GroupLowering(
            TILE_LOOPS, f"its tiles need {stack:,} B of stack, over the {DISPATCH_STACK_BYTES:,} B limit"
        )
    return GroupLowering(DISPATCH, "", *tiling)
