"""How each fusion group reaches IREE: the `lowering` of its `#dataflow.plan`.

- `tile-loops`: vtile unrolls the group's tile loop; every op of every tile
  is its own IREE dispatch (`dataflow-materialize-tile-loops`). Between
  dispatches a tile's intermediates live on the heap.
- `dispatch`: the group is one IREE dispatch that IREE tiles inside, on
  workgroups, with the codegen spec vtile generates
  (`dataflow-form-dispatch-regions`, `vtile.backends.dispatch_codegen`).
  A workgroup's intermediate tiles live in the target's fast memory level,
  within its capacity: the worker's `stack` on a CPU, `workgroup` memory
  on a GPU. It handles linalg ops and `tensor.pad` only; a group holding
  anything else keeps its tile loops.
- `auto` (the default): one dispatch wherever the plan's peak (or the
  memory budget) holds with its stack, which is held for the whole run,
  tile loops elsewhere. Memory first, as in the
  planner's search; then time: one dispatch replaces tiles x ops dispatches
  and the heap round trips between them. Measured against IREE's default
  (benchmarks/pipelines.py), tile loops ran MobileNetV2's first stage,
  ResNet-8 and EdgeCNN at 1.30x, 1.47x and 1.50x its latency (local-task),
  one dispatch (channels-last) at 0.50x, 0.95x and 0.99x (local-sync) in a
  later run; EdgeCNN's and ResNet-8's workgroups would raise the peak, so
  `auto` keeps their tile loops.
Every choice comes with the reason `vtile plan` prints."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from vtile.analysis.graph import OpGraph
from vtile.backends.targets import STACK_LEVEL, TILE_LEVELS, VECTOR_LANES, held_for_the_run
from vtile.planner.groups import GroupCost, op_tiles, workgroup_cost
from vtile.planner.memory import memory_profile
from vtile.planner.search import AUTO, DISPATCH, TILE_LOOPS, FusionPlan, PlannerOptions

# IREE aligns each stack buffer of a dispatch to this many bytes.
STACK_ALIGNMENT = 64


@dataclass(frozen=True)
class GroupLowering:
    lowering: str
    reason: str  # why this one: always for `auto`, else when it is not the one asked for
    # One dispatch: what each workgroup computes (its tile, halos, work),
    # and the bytes its tiles take in their memory level, modelled.
    workgroups: GroupCost | None = None
    level_bytes: int = 0
    level: str = STACK_LEVEL


def can_be_one_dispatch(name: str) -> bool:
    return name.startswith("linalg.") or name == "tensor.pad"


def workgroup_tiling(
    graph: OpGraph, group: GroupCost, max_recompute: float, capacity: int, device: str = "cpu"
) -> tuple[GroupCost, int] | None:
    """How a one-dispatch group is cut into workgroups: tiles of the plan's
    tiled dimension and the next one (rows and columns, or channels and
    rows), each a divisor of the result; on a CPU columns at least a vector
    wide (narrower ones recompute more halo per output) and channels a
    multiple of a vector or all of them (one dispatch computes
    channels-last, its vector lanes along channels). Within the
    recompute cap and the level's `capacity`:
    - CPU: the planner's objective for the strips holds here too, the least
      memory, here the modelled stack, which counts toward the peak; on
      ties the plan's own strips. Squarer tiles recompute less halo for
      their area than strips, so they also need less stack (MobileNetV2's
      first stage at 224x224: 2x56 strips modelled at 1,254,400 B and
      1.295x recompute, 4x8 tiles at 343,808 B and 1.248x).
    - GPU: the least recompute, then the fewest workgroups (the largest
      tile that fits). Workgroup memory is on chip and only has to fit;
      halo work and each workgroup's barriers are paid per workgroup.
    Returns the tiling and its modelled bytes; None if no tile fits."""
    shape = graph.nodes[group.root].result_shape
    dims = [group.tile_dim, *([group.tile_dim + 1] if group.tile_dim + 1 < len(shape) else [])]
    choices = [[t for t in range(1, shape[d] + 1) if shape[d] % t == 0] for d in dims]
    if len(dims) == 2 and device == "cpu":
        choices[1] = [t for t in choices[1] if t >= VECTOR_LANES or t == shape[dims[1]]]
    best, best_key = None, None
    candidates = [group]  # the plan's strips, as the planner costed them
    for sizes in itertools.product(*choices):
        tile = list(group.tile)
        for d, t in zip(dims, sizes, strict=True):
            tile[d] = t
        candidates.append(workgroup_cost(graph, group.nodes, group.tile_dim, tuple(tile)))
    for cost in candidates:
        if cost.recompute > max_recompute or (
                device == "cpu" and not _vector_channels(cost.tile, shape)):
            continue
        size = tile_memory_bytes(graph, cost, device)
        key = (size,) if device == "cpu" else (cost.recompute, cost.tiles, size)
        if size <= capacity and (best_key is None or key < best_key):
            best, best_key = (cost, size), key
    return best


def _vector_channels(tile: Sequence[int], shape: Sequence[int]) -> bool:
    """Whether an NCHW tile's channels fill whole vectors (or are all of
    them); other results have no channel dimension to fill."""
    return len(shape) != 4 or tile[1] % VECTOR_LANES == 0 or tile[1] == shape[1]


def tile_memory_bytes(graph: OpGraph, group: GroupCost, device: str) -> int:
    """What one workgroup's tiles take in the device's tile level."""
    if device == "cpu":
        return dispatch_stack_bytes(graph, group)
    return workgroup_memory_bytes(graph, group)


def workgroup_memory_bytes(graph: OpGraph, group: GroupCost) -> int:
    """Workgroup memory one workgroup of a GPU dispatch needs, modelled:
    every intermediate tile, halo included, has a buffer of its own for the
    whole kernel (each op is a loop over the threads, and IREE allocates
    them all at function scope); a fill writes its consumer's buffer. A pad
    becomes a mask over its source (`dataflow-form-dispatch-regions`), and
    a pad of a group input also keeps the padded input tile: two buffers.
    ResNet-8's pad+conv group at 16x16: modelled 41,472 B, IREE's count the
    same."""
    tiles, members = op_tiles(graph, group), set(group.nodes)

    def buffers(index: int) -> int:
        node = graph.nodes[index]
        if index == group.root or index not in tiles or node.name == "linalg.fill":
            return 0
        if node.name == "tensor.pad" and node.producers[0] not in members:
            return 2
        return 1

    return sum(buffers(i) * math.prod(d.size for d in tiles[i]) * graph.nodes[i].element_bytes
               for i in group.nodes)


def dispatch_stack_bytes(graph: OpGraph, group: GroupCost) -> int:
    """Stack one workgroup of the dispatch needs, modelled:
    - two buffers (an op's and its fused elementwise tail's) per
      intermediate tile, halo included, that survives elementwise fusion,
      so not fills, not a generic whose only user is a generic or a pad,
      and not a pad of a value a named op computes in the group (it
      becomes a mask fused into that value's elementwise tail);
    - two buffers of the padded window of the group's input wherever a pad
      reads it, directly or through elementwise ops (only the group's
      input is padded, and its channels-last, masked copy is the second);
    - the root's tile once if a named op (a convolution, a pooling)
      computes it: its channels-last result, transposed into the output.
    Each buffer takes a multiple of STACK_ALIGNMENT bytes. Modelled
    against iree-compile's count: MobileNetV2's first stage at 56x56
    153,216 / 154,112 B, at 224x224 365,440 / 279,040 B; EdgeCNN 99,840 /
    87,040 B (a tail read by a pooling counted as a pair of its own);
    ds_cnn_kws and small_unet exactly."""
    tiles, members = op_tiles(graph, group), set(group.nodes)

    def tile_bytes(index: int) -> int:
        size = math.prod(d.size for d in tiles[index]) * graph.nodes[index].element_bytes
        return -(-size // STACK_ALIGNMENT) * STACK_ALIGNMENT

    def from_input(index: int | None) -> bool:
        """Whether `index` is outside the group or computed from its inputs by
        elementwise ops alone."""
        if index is None or index not in members:
            return True
        node = graph.nodes[index]
        return node.name == "linalg.generic" and all(map(from_input, node.producers))

    def fused_away(index: int) -> bool:
        node = graph.nodes[index]
        if node.name in ("linalg.fill", "tensor.pad"):
            return True
        users = [u for u in graph.users.get(index, []) if u in members]
        return node.name == "linalg.generic" and len(users) == 1 and (
            graph.nodes[users[0]].name in ("linalg.generic", "tensor.pad"))

    intermediates = 2 * sum(tile_bytes(i) for i in group.nodes
                            if i != group.root and i in tiles and not fused_away(i))
    padded_inputs = 2 * sum(tile_bytes(i) for i in group.nodes if i in tiles
                            and graph.nodes[i].name == "tensor.pad"
                            and from_input(graph.nodes[i].producers[0]))
    named_root = tile_bytes(group.root) if graph.nodes[group.root].name != "linalg.generic" else 0
    return intermediates + padded_inputs + named_root


def group_lowering(
    graph: OpGraph, group: GroupCost, options: PlannerOptions, capacity: int | None
) -> GroupLowering:
    """The group as one dispatch if it can be, else tile loops and why.
    `capacity`: the target's tile level (`TILE_LEVELS`), if it has one."""
    if options.lowering == TILE_LOOPS:
        return GroupLowering(TILE_LOOPS, "")
    level = TILE_LEVELS[options.device]
    if capacity is None:
        return GroupLowering(TILE_LOOPS, f"the target describes no '{level}' memory level "
                             "to keep one dispatch's tiles in")
    others = sorted({graph.nodes[i].name for i in group.nodes
                     if not can_be_one_dispatch(graph.nodes[i].name)})
    if others:
        return GroupLowering(
            TILE_LOOPS, f"one dispatch takes linalg ops and tensor.pad only; it holds {', '.join(others)}"
        )
    tiling = workgroup_tiling(graph, group, max(options.max_recompute, group.recompute),
                              capacity, options.device)
    if tiling is None:
        needed = tile_memory_bytes(graph, group, options.device)
        return GroupLowering(
            TILE_LOOPS, f"its tiles need {needed:,} B of {level} memory, over the {capacity:,} B "
            f"of the target's {level} level at every workgroup tile within the recompute cap"
        )
    return GroupLowering(DISPATCH, "", *tiling, level)


def choose_lowerings(
    graph: OpGraph, plan: FusionPlan, options: PlannerOptions, capacity: int | None
) -> list[GroupLowering]:
    """Each group's lowering, in group order: the one asked for where the
    group can have it, or under `auto` the cheaper one (module docstring).
    `capacity`: that of the target's tile level, if it has one."""
    chosen = [group_lowering(graph, group, options, capacity) for group in plan.groups]
    if options.lowering != AUTO:
        return chosen
    if options.memory_budget is not None:
        allowed, bound = options.memory_budget, "the memory budget"
    else:
        allowed, bound = plan.profile.peak_bytes, "the plan's peak"
    levels: dict[int, int] = {}  # the groups taken as one dispatch so far
    for number, (group, lowering) in enumerate(zip(plan.groups, chosen, strict=True)):
        if lowering.lowering != DISPATCH:
            continue
        # A stack is held for the whole run: what one dispatch costs is the
        # plan's peak with it.
        trial = memory_profile(graph, plan.groups, levels | {group.root: lowering.level_bytes},
                               held_throughout=held_for_the_run(lowering.level))
        dispatches = f"{group.tiles} tiles x {len(group.nodes)} ops"
        held = f"{lowering.level_bytes:,} B of {lowering.level} memory"
        if trial.peak_bytes <= allowed:
            levels[group.root] = lowering.level_bytes
            why = (f"one dispatch instead of up to {dispatches} dispatches; with its {held} "
                   f"the plan needs {trial.peak_bytes:,} B, within {bound} ({allowed:,} B)")
            chosen[number] = GroupLowering(DISPATCH, why, lowering.workgroups,
                                           lowering.level_bytes, lowering.level)
        else:
            chosen[number] = GroupLowering(
                TILE_LOOPS, f"one dispatch would hold {held}, putting the plan at "
                f"{trial.peak_bytes:,} B, over {bound} ({allowed:,} B); tile loops need "
                f"{group.tile_bytes:,} B of tile buffers")
    return chosen


def as_built(graph: OpGraph, plan: FusionPlan, chosen: list[GroupLowering]) -> FusionPlan:
    """The plan as the lowerings build it: one-dispatch groups tiled by
    their workgroups, with their tile level's bytes (a stack's held for the
    whole run) in place of tile buffers."""
    groups = tuple(lowering.workgroups or group
                   for group, lowering in zip(plan.groups, chosen, strict=True))
    dispatches = [(group, lowering) for group, lowering in zip(groups, chosen, strict=True)
                  if lowering.lowering == DISPATCH]
    level_bytes = {group.root: lowering.level_bytes for group, lowering in dispatches}
    held = all(held_for_the_run(lowering.level) for _, lowering in dispatches)
    return FusionPlan(groups, memory_profile(graph, groups, level_bytes, held_throughout=held),
                      plan.unfused)
