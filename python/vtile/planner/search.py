"""The fusion planner: partition a function's ops into fusion groups and
pick each group's output tile, minimising peak live memory.

Greedy on the peak, after MCUNetV2's lesson: memory is set by the single
step with the most live bytes, usually early, activation-heavy layers.
Each round looks at the ops running at the current peak, tries every
legal run of consecutive ops through it as one group, with every strip
height that divides the output, and keeps the plan with the lowest peak
(then the least recompute, then the fewest tiles). Rounds stop when the
peak no longer drops, or as soon as it fits the budget. (Planned as one
dispatch each, groups hold their stack for the whole run; rounds then go
on while a walk that counts it at the group's step only drops, and the
plan is the round with the lowest peak: see `_progress`.) Late, weight-heavy
layers are never at the peak, so they stay layer by layer by themselves.
Deterministic: the candidates are enumerated in a fixed order."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from vtile.analysis.graph import OpGraph
from vtile.backends.targets import TILE_LEVELS, held_for_the_run
from vtile.errors import BudgetError, UsageError
from vtile.planner.groups import GroupCost, group_cost, is_legal, tiled_dimension
from vtile.planner.mcunet_accounting import MCUNetAccounting
from vtile.planner.memory import IreeAccounting, MemoryProfile

DEFAULT_MAX_RECOMPUTE = 1.3
MAX_GROUP_OPS = 64  # bounds the search; longer groups recompute too much anyway

# How a group reaches IREE (`#dataflow.plan`'s `lowering`): vtile's own tile
# loops, each op of a tile one IREE dispatch, or the whole group as one
# dispatch tiled inside it; `auto` lets the planner pick per group (see
# vtile.planner.lowering).
TILE_LOOPS = "tile-loops"
DISPATCH = "dispatch"
AUTO = "auto"
LOWERINGS = (AUTO, TILE_LOOPS, DISPATCH)

# The order the kernels run in (`#dataflow.memory_plan`'s `order`): the
# one with the lowest peak of live bytes (vtile.planner.schedule), or the
# program's own.
LOWEST_PEAK = "lowest-peak"
PROGRAM_ORDER = "program"
ORDERS = (LOWEST_PEAK, PROGRAM_ORDER)

# The tiles a group is cut into: strips of one dimension (rows, or
# channels), whose slices IREE takes without copies; or also n x n patches
# of it and the next one, as MCUNetV2 cuts, which hold less per tile.
STRIPS = "strips"
PATCHES = "patches"
TILE_SHAPES = (STRIPS, PATCHES)

# How the search counts memory: what IREE allocates at the model's own
# widths (vtile.planner.memory), or as the int8 microcontroller literature
# does (vtile.planner.mcunet_accounting), to compare with its figures.
IREE_ACCOUNTING = "iree"
MCUNET_ACCOUNTING = "mcunet"
ACCOUNTINGS = (IREE_ACCOUNTING, MCUNET_ACCOUNTING)


@dataclass(frozen=True)
class PlannerOptions:
    memory_budget: int | None = None  # bytes; stop fusing once the peak fits
    max_recompute: float = DEFAULT_MAX_RECOMPUTE  # work with halos / work without
    device: str = "cpu"
    lowering: str = AUTO  # what groups get where they can have it
    order: str = LOWEST_PEAK  # the order kernels run in
    tiles: str = STRIPS  # the tile shapes groups may be cut into
    accounting: str = IREE_ACCOUNTING  # how the search counts memory

    def __post_init__(self) -> None:
        for name, value, known in (("group lowering", self.lowering, LOWERINGS),
                                   ("order", self.order, ORDERS),
                                   ("tile shape", self.tiles, TILE_SHAPES),
                                   ("accounting", self.accounting, ACCOUNTINGS)):
            if value not in known:
                raise UsageError(f"unknown {name} '{value}'; known: {', '.join(known)}")
        if self.max_recompute < 1.0:
            raise UsageError(f"max recompute {self.max_recompute} must be at least 1.0")
        if self.accounting == MCUNET_ACCOUNTING and self.lowering == DISPATCH:
            raise UsageError("--accounting mcunet counts a group's tiles as buffers held while "
                             "it runs, not as one dispatch's stack; use it with "
                             "--group-lowering auto or tile-loops")
        if self.memory_budget is not None and self.memory_budget <= 0:
            raise UsageError(f"memory budget {self.memory_budget} must be positive")

    def cli_options(self) -> list[str]:
        """The `vtile` options that set these (the device follows the target)."""
        budget = [] if self.memory_budget is None else ["--memory-budget", str(self.memory_budget)]
        return [*budget, "--max-recompute", repr(self.max_recompute),
                "--group-lowering", self.lowering, "--order", self.order,
                "--tiles", self.tiles, "--accounting", self.accounting]


@dataclass(frozen=True)
class FusionPlan:
    groups: tuple[GroupCost, ...]
    profile: MemoryProfile  # with the groups
    unfused: MemoryProfile  # layer by layer

    @property
    def recompute(self) -> float:
        extra = sum(g.work - g.unfused_work for g in self.groups)
        total = sum(g.unfused_work for g in self.groups)
        return 1.0 + extra / total if total else 1.0


def plan_fusion(
    graph: OpGraph, options: PlannerOptions,
    one_dispatch: Callable[[GroupCost], int | None] | None = None,
) -> FusionPlan:
    """The plan: the round with the lowest peak. With `one_dispatch`, every
    group is one dispatch: it says what a candidate holds in the fast memory
    level that way (its workgroups' stack or workgroup memory), None where
    it cannot be one, and the profiles count those bytes instead of tile
    buffers."""
    if options.accounting == MCUNET_ACCOUNTING:
        mcunet = MCUNetAccounting(graph)

        def profile_of(groups, levels=None, held_throughout=True):
            return mcunet.profile(groups)
    else:
        profile_of = IreeAccounting(graph).profile
    unfused = profile_of([])
    costs: dict[tuple[int, ...], list[GroupCost]] = {}  # rounds share candidates
    sizes: dict[GroupCost, int | None] = {}  # each candidate's fast memory as one dispatch
    groups: list[GroupCost] = []
    profile = walk = unfused
    held = held_for_the_run(TILE_LEVELS[options.device])
    best: tuple[tuple[GroupCost, ...], MemoryProfile] = ((), unfused)
    while options.memory_budget is None or best[1].peak_bytes > options.memory_budget:
        step = _best_group(graph, groups, profile, walk, options, costs, sizes, one_dispatch,
                           held, profile_of)
        if step is None:
            break
        groups, profile, walk = step
        if _rank(profile) < _rank(best[1]):
            best = (tuple(groups), profile)
    plan_groups, plan_profile = best
    if options.memory_budget is not None and plan_profile.peak_bytes > options.memory_budget:
        raise BudgetError(_over_budget(graph, list(plan_groups), plan_profile, options))
    return FusionPlan(tuple(sorted(plan_groups, key=lambda g: g.root)), plan_profile, unfused)


def _rank(profile: MemoryProfile) -> tuple[int, int]:
    return profile.peak_bytes, profile.steps_at_peak


def _over_budget(graph: OpGraph, groups: list[GroupCost], profile: MemoryProfile,
                 options: PlannerOptions) -> str:
    """Names the smallest budget the planner meets, and the op that sets it."""
    at = graph.nodes[profile.peak_node] if profile.peak_node >= 0 else None
    group = next((g for g in groups if g.root == profile.peak_node), None)
    if at is None:
        where = "the function's arguments alone"
    elif group is not None:
        tile = "x".join(map(str, group.tile))
        where = (f"{at.name} ({at.where}), computed in tiles of {tile} fused with the "
                 f"{len(group.nodes) - 1} op(s) before it")
    elif not at.fusible:
        where = f"{at.name} ({at.where}), which cannot be tiled: {at.reason}"
    else:
        where = f"{at.name} ({at.where}), which no fusion group makes smaller"
    return (
        f"no plan fits the memory budget of {options.memory_budget:,} bytes; the smallest "
        f"budget vtile can plan for is {profile.peak_bytes:,} bytes (with at most "
        f"{options.max_recompute}x recompute), at {where}"
    )


def _best_group(graph: OpGraph, groups: list[GroupCost], profile: MemoryProfile,
                walk: MemoryProfile, options: PlannerOptions, costs: dict, sizes: dict,
                one_dispatch: Callable[[GroupCost], int | None] | None, held: bool,
                profile_of: Callable[..., MemoryProfile]):
    """The next round: of the candidates through the peak that make
    progress, the one with the lowest peak, then walk; returns the groups
    and both profiles. `held`: one dispatch's fast memory is held for the
    whole run (`held_for_the_run`)."""
    peak_node = profile.peak_node
    if peak_node < 0 or not graph.nodes[peak_node].fusible:
        return None
    best_key, best = None, None
    first = max(0, peak_node - MAX_GROUP_OPS + 1)
    for start in range(peak_node, first - 1, -1):
        if not graph.nodes[start].fusible:
            break
        for end in range(peak_node, min(len(graph.nodes), start + MAX_GROUP_OPS)):
            if not graph.nodes[end].fusible:
                break
            nodes = tuple(range(start, end + 1))
            if len(nodes) < 2 or not is_legal(graph, nodes):
                continue
            kept = [g for g in groups if not set(g.nodes) & set(nodes)]
            if nodes not in costs:
                candidates = list(_candidates(graph, nodes, options))
                if one_dispatch is not None:
                    sizes.update((c, one_dispatch(c)) for c in candidates)
                    candidates = [c for c in candidates if sizes[c] is not None]
                costs[nodes] = candidates
            for cost in costs[nodes]:
                levels = (None if one_dispatch is None
                          else {g.root: sizes[g] for g in kept + [cost]})
                trial = profile_of(kept + [cost], levels, held_throughout=held)
                # The walk differs only where fast memory is held for the run.
                trial_walk = (profile_of(kept + [cost], levels, held_throughout=False)
                              if levels and held else trial)
                if not _progress(trial, trial_walk, profile, walk):
                    continue
                key = (_rank(trial), _rank(trial_walk), cost.recompute, cost.tiles, start, end)
                if best_key is None or key < best_key:
                    best_key, best = key, (kept + [cost], trial, trial_walk)
    return best


def _progress(trial: MemoryProfile, trial_walk: MemoryProfile,
              profile: MemoryProfile, walk: MemoryProfile) -> bool:
    """Progress is a lower peak, or as high a peak at fewer steps: where
    several ops share the peak, one group cannot lower it alone. One
    dispatch's fast memory is held for the whole run, so a first group's
    would raise a peak several steps share: progress is then a lower walk,
    which counts that memory at the group's own step only, as tile buffers,
    or as low a walk and a lower peak. The walk never rises: the rounds end."""
    return _rank(trial_walk) < _rank(walk) or (
        _rank(trial_walk) == _rank(walk) and _rank(trial) < _rank(profile))


def _candidates(graph: OpGraph, nodes: tuple[int, ...], options: PlannerOptions):
    dim = tiled_dimension(graph, nodes)
    if dim is None:
        return
    shape = graph.nodes[nodes[-1]].result_shape
    tiles = [tuple(height if d == dim else s for d, s in enumerate(shape))
             for height in range(1, shape[dim]) if shape[dim] % height == 0]
    if options.tiles == PATCHES and dim + 1 < len(shape):
        # n x n patches: n tiles along `dim` and along the next dimension.
        tiles += [tuple(size // count if d in (dim, dim + 1) else size
                        for d, size in enumerate(shape))
                  for count in range(2, min(shape[dim], shape[dim + 1]) + 1)
                  if shape[dim] % count == 0 and shape[dim + 1] % count == 0]
    for tile in tiles:
        cost = group_cost(graph, nodes, dim, tile)
        if cost.recompute <= options.max_recompute:
            yield cost
