"""vtile.planner.schedule and vtile.planner.arena on hand-built kernel
graphs with known optimal peaks, against brute force over every order,
and against a packing IREE produced."""

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from vtile.planner.arena import iree_arena, plan_arena
from vtile.planner.kernels import Buffer, Kernel, KernelGraph
from vtile.planner.schedule import (
    EXACT,
    GREEDY,
    PROGRAM,
    memory_order,
    profile,
    program_order,
)


def graph(sizes: list[int], kernels: list[tuple[list[int], int]], returned=()) -> KernelGraph:
    """Kernel i reads buffers kernels[i][0] and writes buffer kernels[i][1]."""
    return KernelGraph(
        tuple(Kernel([i], reads=list(reads), writes=out) for i, (reads, out) in enumerate(kernels)),
        tuple(Buffer(size, returned=b in returned) for b, size in enumerate(sizes)))


# A residual block in program order: the shortcut (kernel 3) reads the
# block's input X after the main branch (kernels 1, 2), keeping X live
# through it. X=100, main branch A=10, B=10, shortcut S=5, the sum returned.
RESIDUAL = graph([100, 10, 10, 5, 7], [([], 0), ([0], 1), ([1], 2), ([0], 3), ([2, 3], 4)],
                 returned=(4,))


def test_program_order_keeps_the_input_of_a_residual_block_through_its_main_branch():
    schedule = program_order(RESIDUAL)
    assert schedule.step_bytes == (100, 110, 120, 115, 15)  # X+A+B at kernel 2
    assert schedule.peak_bytes == 120 and schedule.method == PROGRAM


def test_memory_order_runs_the_shortcut_before_the_main_branch_ends():
    schedule = memory_order(RESIDUAL)
    # The shortcut right after A: X+A+S, then X dies before B.
    assert schedule.order == (0, 1, 3, 2, 4)
    assert schedule.step_bytes == (100, 110, 115, 25, 15)
    assert schedule.method == EXACT


def test_a_chain_keeps_program_order():
    chain = graph([8, 4, 6, 2], [([], 0), ([0], 1), ([1], 2), ([2], 3)], returned=(3,))
    schedule = memory_order(chain)
    assert schedule.order == (0, 1, 2, 3) and schedule.method == PROGRAM
    assert schedule.step_bytes == (8, 12, 10, 6)


def test_the_greedy_heuristic_takes_over_beyond_the_state_limit():
    schedule = memory_order(RESIDUAL, max_states=1)
    assert schedule.method == GREEDY
    assert schedule.peak_bytes == 115  # finds the shortcut-first order here too


def test_an_order_that_runs_a_reader_before_its_writer_is_refused():
    with pytest.raises(ValueError, match="kernel 1 runs before kernel 0"):
        profile(RESIDUAL, (1, 0, 2, 3, 4))


def test_scratch_counts_at_its_kernel_only():
    scratched = KernelGraph(
        (Kernel([0], writes=0), Kernel([1], reads=[0], writes=1, scratch_bytes=50)),
        (Buffer(10), Buffer(5, returned=True)))
    assert program_order(scratched).step_bytes == (10, 60)


@st.composite
def dags(draw):
    """Up to 7 kernels; each writes one buffer and reads earlier ones."""
    count = draw(st.integers(2, 7))
    sizes = draw(st.lists(st.integers(1, 100), min_size=count, max_size=count))
    kernels = []
    for k in range(count):
        reads = draw(st.sets(st.integers(0, k - 1), max_size=3)) if k else set()
        kernels.append((sorted(reads), k))
    return graph(sizes, kernels, returned=(count - 1,))


def _all_orders(kernel_graph: KernelGraph):
    for order in itertools.permutations(range(len(kernel_graph.kernels))):
        try:
            yield profile(kernel_graph, order)
        except ValueError:
            continue


@settings(max_examples=150, deadline=None)
@given(dags())
def test_the_exact_search_finds_the_lowest_peak_of_every_order(kernel_graph):
    best = min(s.peak_bytes for s in _all_orders(kernel_graph))
    assert memory_order(kernel_graph).peak_bytes == best
    greedy = memory_order(kernel_graph, max_states=1)
    assert best <= greedy.peak_bytes <= program_order(kernel_graph).peak_bytes


@settings(max_examples=150, deadline=None)
@given(dags())
def test_no_two_buffers_live_together_share_bytes(kernel_graph):
    schedule = memory_order(kernel_graph)
    for arena in (plan_arena(kernel_graph, schedule), iree_arena(kernel_graph, schedule)):
        for a, b in itertools.combinations(arena.slots, 2):
            assert not a.overlaps(b), (a, b)
        assert arena.size >= schedule.peak_bytes
        assert all(s.offset % arena.alignment == 0 for s in arena.slots)


# MobileNetV2's first stage, layer by layer, as IREE 3.13 packed its
# transients under --iree-stream-partitioning-favor=debug: the input's
# padded copy, the stem, the depthwise, the projection, the padded expand,
# the strided depthwise (the projection after it is returned).
MOBILENET_STAGE = graph(
    [612_912, 1_663_488, 1_605_632, 802_816, 4_990_464, 1_204_224, 301_056],
    [([], 0), ([0], 1), ([1], 2), ([2], 3), ([3], 4), ([4], 5), ([5], 6)], returned=(6,))


def test_iree_packing_is_reproduced():
    arena = iree_arena(MOBILENET_STAGE, program_order(MOBILENET_STAGE))
    offsets = {s.name: s.offset for s in arena.slots}
    # Read from the `stream.cmd.fill`s and dispatch bindings iree-compile emitted.
    assert offsets["buffer 0"] == 0 and offsets["buffer 1"] == 612_928
    assert offsets["buffer 3"] == 0 and offsets["buffer 4"] == 802_816
    assert offsets["buffer 5"] == 5_793_280
    assert arena.size == 6_997_504  # IREE's transient allocation


def test_largest_first_packs_what_iree_leaves_in_gaps():
    schedule = program_order(MOBILENET_STAGE)
    assert plan_arena(MOBILENET_STAGE, schedule).size == schedule.peak_bytes == 6_194_688
