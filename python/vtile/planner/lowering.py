"""How each fusion group reaches IREE: the `lowering` of its `#dataflow.plan`.

- `tile-loops`: vtile unrolls the group's tile loop; every op of every tile
  is its own IREE dispatch (`dataflow-materialize-tile-loops`).
- `dispatch`: the group is one IREE dispatch that IREE tiles inside, on
  workgroups, with the codegen spec vtile generates
  (`dataflow-form-dispatch-regions`, `vtile.backends.dispatch_codegen`).
  It handles linalg ops and `tensor.pad` only; a group holding anything
  else keeps its tile loops, and the planner says why."""

from __future__ import annotations

import math
from dataclasses import dataclass

from vtile.analysis.graph import OpGraph
from vtile.planner.groups import GroupCost, op_tiles
from vtile.planner.search import DISPATCH, TILE_LOOPS

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


def can_be_one_dispatch(name: str) -> bool:
    return name.startswith("linalg.") or name == "tensor.pad"


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
    graph: OpGraph, group: GroupCost, requested: str, device: str = "cpu"
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
    stack = dispatch_stack_bytes(graph, group)
    if stack > DISPATCH_STACK_BYTES:
        return GroupLowering(
            TILE_LOOPS, f"its tiles need {stack:,} B of stack, over the {DISPATCH_STACK_BYTES:,} B limit"
        )
    return GroupLowering(DISPATCH, "")
