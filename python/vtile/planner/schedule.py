"""Memory-aware execution order: a topological order of the kernel graph
that minimises the peak of live buffer bytes.

Program order is not enough on DAGs with branches: a residual block's
shortcut, computed last, keeps the block's input alive through the main
branch. Exact where the graph is small enough: dynamic programming over
the sets of kernels already run (Serenity, MLSys'21). The memory live
after a set depends only on the set, so the lowest peak reaching it is
the min over its last kernel of max(peak before, that kernel's step).
Chains have one such set per length, a residual block of branches a and
b about a x b. Beyond MAX_STATES sets: a greedy heuristic runs, at each
step, the ready kernel whose step needs the least memory, then the one
that leaves the least live, then the earliest in program order."""

from __future__ import annotations

from dataclasses import dataclass

from vtile.planner.kernels import KernelGraph
from vtile.planner.liveness import Step, live_bytes, spans

PROGRAM = "program"
EXACT = "exact"
GREEDY = "greedy"
MAX_STATES = 200_000  # sets of run kernels the exact search may hold at once


@dataclass(frozen=True)
class Schedule:
    order: tuple[int, ...]  # kernel indices, in the order they run
    step_bytes: tuple[int, ...]  # arena bytes live while each step runs
    method: str  # PROGRAM, EXACT or GREEDY

    @property
    def peak_bytes(self) -> int:
        return max(self.step_bytes, default=0)

    @property
    def peak_step(self) -> int:
        return self.step_bytes.index(self.peak_bytes) if self.step_bytes else -1


def _kernel_steps(graph: KernelGraph, order: tuple[int, ...]) -> list[Step]:
    """The kernels of `order` as steps of the liveness walk: each writes its
    buffer, reads its inputs and holds its tile-loop buffers while it runs."""
    kernels = graph.kernels
    return [Step(() if kernels[k].writes is None else (kernels[k].writes,),
                 tuple(kernels[k].reads), kernels[k].scratch_bytes) for k in order]


def lifetimes(graph: KernelGraph, order: tuple[int, ...],
              concurrent_fills: bool = False) -> list[tuple[int, int] | None]:
    """Per buffer, the steps (first, last) it is live in `order`: from its
    writer's step to its last reader's; None for a returned one, which is
    not in the arena. `concurrent_fills`: as IREE's default partitioning
    runs them, a buffer's fill with the kernel before its writer."""
    written = graph.writers()
    found: list[tuple[int, int] | None] = [None] * len(graph.buffers)
    for buffer, (first, last) in spans(_kernel_steps(graph, order)).items():
        if buffer in written and not graph.buffers[buffer].returned:
            early = concurrent_fills and graph.buffers[buffer].filled and first > 0
            found[buffer] = (first - early, last)
    return found


def profile(graph: KernelGraph, order: tuple[int, ...], method: str = PROGRAM) -> Schedule:
    """The live bytes at each step of `order`; it must be topological."""
    _require_topological(graph, order)
    arena = {b: graph.buffers[b].bytes for b in graph.writers() if not graph.buffers[b].returned}
    return Schedule(order, tuple(live_bytes(_kernel_steps(graph, order), arena)), method)


def program_order(graph: KernelGraph) -> Schedule:
    return profile(graph, tuple(range(len(graph.kernels))), PROGRAM)


def memory_order(graph: KernelGraph, max_states: int = MAX_STATES) -> Schedule:
    """The order with the lowest peak: exact if the search stays within
    `max_states` sets, else the greedy heuristic's (module docstring).
    Never worse than program order: that is kept where it is as good."""
    program = program_order(graph)
    found = _exact(graph, max_states)
    if found is None:
        found = _greedy(graph)
    best = profile(graph, found[0], found[1])
    return program if program.peak_bytes <= best.peak_bytes else best


class _Costs:
    """What the searches need, with sets of kernels as bit masks."""

    def __init__(self, graph: KernelGraph) -> None:
        kernels = graph.kernels
        self.needs = [sum(1 << p for p in graph.predecessors(k)) for k in range(len(kernels))]
        self.writers = {b: sum(1 << k for k in ks) for b, ks in graph.writers().items()}
        self.readers: dict[int, int] = {}
        for k, kernel in enumerate(kernels):
            for buffer in kernel.reads:
                self.readers[buffer] = self.readers.get(buffer, 0) | (1 << k)
        # Arena buffers only: a returned one is allocated apart.
        arena = {b for b in self.writers if not graph.buffers[b].returned}
        self.bytes = {b: graph.buffers[b].bytes for b in arena}
        self.writes = [k.writes if k.writes in arena else None for k in kernels]
        self.inputs = [[b for b in k.reads if b in arena and b != k.writes] for k in kernels]
        self.scratch = [k.scratch_bytes for k in kernels]

    def step(self, done: int, live: int, kernel: int) -> tuple[int, int]:
        """(bytes while `kernel` runs after the set `done`, live after it)."""
        buffer = self.writes[kernel]
        fresh = self.bytes[buffer] if buffer is not None and not self.writers[buffer] & done else 0
        during = live + fresh + self.scratch[kernel]
        ran = done | (1 << kernel)
        after = live + fresh
        for dying in self.inputs[kernel]:
            if self.readers[dying] & ~ran == 0:
                after -= self.bytes[dying]
        if buffer is not None and self.readers.get(buffer, 0) & ~ran == 0:
            after -= self.bytes[buffer]  # nothing left reads it
        return during, after

    def ready(self, done: int, count: int):
        for k in range(count):
            if not done >> k & 1 and self.needs[k] & ~done == 0:
                yield k


def _exact(graph: KernelGraph, max_states: int) -> tuple[tuple[int, ...], str] | None:
    costs, count = _Costs(graph), len(graph.kernels)
    # set -> (peak so far, order, live bytes); one layer per number of kernels run
    layer: dict[int, tuple[int, tuple[int, ...], int]] = {0: (0, (), 0)}
    for _ in range(count):
        following: dict[int, tuple[int, tuple[int, ...], int]] = {}
        for done, (peak, order, live) in layer.items():
            for k in costs.ready(done, count):
                during, after = costs.step(done, live, k)
                state = done | (1 << k)
                candidate = (max(peak, during), order + (k,), after)
                if state not in following or candidate[:2] < following[state][:2]:
                    following[state] = candidate
        if len(following) > max_states:
            return None
        layer = following
    (_, order, _), = layer.values()
    return order, EXACT


def _greedy(graph: KernelGraph) -> tuple[tuple[int, ...], str]:
    costs, count = _Costs(graph), len(graph.kernels)
    done, live, order = 0, 0, []
    for _ in range(count):
        k = min(costs.ready(done, count), key=lambda k: (*costs.step(done, live, k), k))
        _, live = costs.step(done, live, k)
        done |= 1 << k
        order.append(k)
    return tuple(order), GREEDY


def _require_topological(graph: KernelGraph, order: tuple[int, ...]) -> None:
    if sorted(order) != list(range(len(graph.kernels))):
        raise ValueError(f"an order must run each of the {len(graph.kernels)} kernels once")
    seen: set[int] = set()
    for kernel in order:
        missing = graph.predecessors(kernel) - seen
        if missing:
            raise ValueError(f"kernel {kernel} runs before kernel {min(missing)}, whose result it reads")
        seen.add(kernel)
