"""vtile.analysis.windows: the input windows an output tile reads, checked
against hand arithmetic and, for chains of padded strided/dilated
convolutions and pools, against a brute-force enumeration of the reads."""

import itertools

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from vtile.analysis.windows import (
    Interval,
    LinalgAccess,
    LinearExpr,
    PadAccess,
    box_volume,
    full_box,
    hull,
)


def I(lo, hi):  # noqa: E743 (short on purpose: boxes are written out by hand below)
    return Interval(lo, hi)


# --- Interval / Box helpers -------------------------------------------------


def test_interval_size_and_hull():
    assert I(3, 7).size == 4
    assert I(5, 5).size == 0
    assert I(2, 4).hull(I(6, 9)) == I(2, 9)
    assert I(6, 9).hull(I(2, 4)) == I(2, 9)
    assert I(1, 10).hull(I(3, 4)) == I(1, 10)


def test_box_helpers():
    assert full_box((2, 3, 5)) == (I(0, 2), I(0, 3), I(0, 5))
    assert box_volume((I(1, 3), I(0, 4), I(2, 7))) == 2 * 4 * 5
    assert box_volume((I(1, 1), I(0, 4))) == 0
    assert box_volume(()) == 1
    assert hull((I(0, 2), I(5, 6)), (I(1, 4), I(3, 5))) == (I(0, 4), I(3, 6))


# --- LinearExpr.image -------------------------------------------------------


def test_image_of_a_single_loop_is_the_loop_range():
    assert LinearExpr(((0, 1),), 0).image((I(3, 8),)) == I(3, 8)


def test_image_of_positive_coefficients_and_constant():
    # 2*d0 + d1 + 3 over d0 in {1,2,3}, d1 in {0,1,2}: 5 .. 11.
    expr = LinearExpr(((0, 2), (1, 1)), 3)
    assert expr.image((I(1, 4), I(0, 3))) == I(5, 12)


def test_image_of_negative_coefficient():
    # 10 - d0 over d0 in {2,3,4}: 8, 7, 6.
    assert LinearExpr(((0, -1),), 10).image((I(2, 5),)) == I(6, 9)
    # A flip n-1-i over the whole range of 16 is the whole range again.
    assert LinearExpr(((0, -1),), 15).image((I(0, 16),)) == I(0, 16)


def test_image_of_mixed_signs_and_negative_constant():
    # 3*d0 - 2*d1 - 1 over d0 in {0,1}, d1 in {1,2,3}:
    # smallest 3*0 - 2*3 - 1 = -7, largest 3*1 - 2*1 - 1 = 0.
    expr = LinearExpr(((0, 3), (1, -2)), -1)
    assert expr.image((I(0, 2), I(1, 4))) == I(-7, 1)


def test_image_ignores_loops_the_expression_does_not_use():
    expr = LinearExpr(((1, 4),), 0)  # 4*d1, d0 and d2 unused
    assert expr.image((I(0, 100), I(2, 3), I(7, 9))) == I(8, 9)


def test_image_of_a_constant_is_one_point():
    assert LinearExpr((), 7).image((I(0, 5),)) == I(7, 8)
    assert LinearExpr((), -2).image(()) == I(-2, -1)


def test_image_of_an_empty_loop_box_is_empty():
    # An empty tile takes no values; its window must be empty too (a fused
    # producer whose strip lies wholly in a consumer's padding computes nothing).
    assert LinearExpr(((0, 1),), 0).image((I(0, 0),)).size == 0
    assert LinearExpr(((0, 2), (1, 1)), 3).image((I(4, 4), I(0, 3))).size == 0


def test_image_matches_enumeration_on_a_grid():
    expr = LinearExpr(((0, -3), (1, 2), (2, 5)), 4)
    box = (I(-2, 3), I(1, 4), I(0, 2))
    values = [
        -3 * a + 2 * b + 5 * c + 4
        for a, b, c in itertools.product(*(range(i.lo, i.hi) for i in box))
    ]
    assert expr.image(box) == I(min(values), max(values) + 1)


# --- LinalgAccess: out[i] += in[2*i + k] * w[k] -------------------------------

# Loops (i, k): i over 5 outputs, k over a kernel of 3; input of 11 elements
# (5 = (11 - 3) // 2 + 1). Operands in linalg order: input, weight, output.
CONV1D = LinalgAccess(
    loop_ranges=(5, 3),
    result_loops=(0,),
    inputs=(
        (LinearExpr(((0, 2), (1, 1)), 0),),  # in[2*i + k]
        (LinearExpr(((1, 1),), 0),),  # w[k]
        (LinearExpr(((0, 1),), 0),),  # out[i]
    ),
)


def test_conv1d_loop_box_keeps_reduction_loops_whole():
    assert CONV1D.loop_box((I(1, 3),)) == (I(1, 3), I(0, 3))


@pytest.mark.parametrize(
    "tile, reads",
    [
        # outputs 1, 2 read 2..4 and 4..6
        ((1, 3), (2, 7)),
        # output 0 reads 0..2
        ((0, 1), (0, 3)),
        # output 4 (the last) reads 8..10
        ((4, 5), (8, 11)),
        # everything reads everything
        ((0, 5), (0, 11)),
        # outputs 2, 3, 4 read 4..10
        ((2, 5), (4, 11)),
    ],
)
def test_conv1d_input_windows(tile, reads):
    windows = CONV1D.input_windows((I(*tile),))
    assert windows == [(I(*reads),), (I(0, 3),), (I(*tile),)]


def test_conv1d_work_counts_macs():
    assert CONV1D.work((I(1, 3),)) == 2 * 3
    assert CONV1D.work((I(0, 5),)) == 5 * 3


def test_empty_result_tile_reads_empty_windows_and_does_no_work():
    empty = (I(2, 2),)
    assert CONV1D.work(empty) == 0
    ((window,), _, (output,)) = CONV1D.input_windows(empty)
    assert output.size == 0
    assert window.size == 0


def test_transposed_access_follows_the_permutation():
    # out[i, j] = in[j, i] over a 4x6 result: a 2-row strip of out reads
    # 2 columns of in, all of its rows.
    access = LinalgAccess(
        loop_ranges=(4, 6),
        result_loops=(0, 1),
        inputs=(
            (LinearExpr(((1, 1),), 0), LinearExpr(((0, 1),), 0)),
            (LinearExpr(((0, 1),), 0), LinearExpr(((1, 1),), 0)),
        ),
    )
    windows = access.input_windows((I(1, 3), I(0, 6)))
    assert windows[0] == (I(0, 6), I(1, 3))
    assert access.work((I(1, 3), I(0, 6))) == 12


# --- PadAccess ----------------------------------------------------------------

# A 3x10 source padded low [0, 2], high [0, 1]: a 3x13 result.
PAD = PadAccess(low=(0, 2), source_shape=(3, 10))


def test_pad_interior_is_a_shift():
    assert PAD.input_windows((I(0, 3), I(4, 8))) == [(I(0, 3), I(2, 6))]


def test_pad_clips_at_the_low_border():
    # result columns 0, 1 are padding, column 2 is source column 0
    assert PAD.input_windows((I(0, 3), I(0, 3))) == [(I(0, 3), I(0, 1))]


def test_pad_clips_at_the_high_border():
    # result columns 10, 11 are source 8, 9; column 12 is padding
    assert PAD.input_windows((I(0, 3), I(10, 13))) == [(I(0, 3), I(8, 10))]


def test_pad_clips_at_both_borders():
    assert PAD.input_windows(full_box((3, 13))) == [full_box((3, 10))]


@pytest.mark.parametrize("columns", [(0, 2), (12, 13)])
def test_pad_window_entirely_in_padding_reads_nothing(columns):
    ((rows, cols),) = PAD.input_windows((I(0, 3), I(*columns)))
    assert rows == I(0, 3)
    assert cols.size == 0
    assert 0 <= cols.lo <= 10


def test_pad_does_no_work():
    assert PAD.work(full_box((3, 13))) == 0


# --- Property: chains of padded conv/pool accesses against brute force -------

layer = st.fixed_dictionaries(
    {
        "stride": st.integers(1, 3),
        "dilation": st.integers(1, 3),
        "kernel": st.integers(1, 5),
        "low": st.integers(0, 2),
        "high": st.integers(0, 2),
    }
)


@st.composite
def chains(draw):
    """(input shape, per layer and dimension its parameters, per layer
    its shapes): a 1-D or 2-D chain of pad -> conv/pool layers."""
    rank = draw(st.integers(1, 2))
    depth = draw(st.integers(1, 3))
    shape = tuple(draw(st.integers(1, 24)) for _ in range(rank))
    layers, shapes = [], [shape]
    for _ in range(depth):
        params = [draw(layer) for _ in range(rank)]
        padded = tuple(n + p["low"] + p["high"] for n, p in zip(shape, params, strict=True))
        out = tuple(
            (n - p["dilation"] * (p["kernel"] - 1) - 1) // p["stride"] + 1
            for n, p in zip(padded, params, strict=True)
        )
        assume(all(n >= 1 for n in out))
        layers.append(params)
        shape = out
        shapes.append(out)
    tile = []
    for n in shape:
        lo = draw(st.integers(0, n - 1))
        tile.append((lo, draw(st.integers(lo + 1, n))))
    return layers, shapes, tuple(tile)


def _accesses(params, source_shape, out_shape):
    """The PadAccess and LinalgAccess of one layer: loops are the output
    dims then the kernel dims; the conv reads its padded input at
    stride*o + dilation*k, a pool-like access (no weight operand)."""
    rank = len(params)
    pad = PadAccess(tuple(p["low"] for p in params), tuple(source_shape))
    conv = LinalgAccess(
        loop_ranges=tuple(out_shape) + tuple(p["kernel"] for p in params),
        result_loops=tuple(range(rank)),
        inputs=(
            tuple(
                LinearExpr(((d, p["stride"]), (rank + d, p["dilation"])), 0)
                for d, p in enumerate(params)
            ),
            tuple(LinearExpr(((d, 1),), 0) for d in range(rank)),  # the output
        ),
    )
    return pad, conv


def _analysed_window(layers, shapes, tile):
    box = tuple(I(lo, hi) for lo, hi in tile)
    for index in reversed(range(len(layers))):
        pad, conv = _accesses(layers[index], shapes[index], shapes[index + 1])
        padded_window, output_window = conv.input_windows(box)
        assert output_window == box
        (box,) = pad.input_windows(padded_window)
    return box


def _intermediate_empty(layers, shapes, tile):
    """Whether some fused producer's needed box is empty: the tile reads
    only padding of a layer that is not the first. Left to the unit tests
    of empty boxes below."""
    for dim, (lo, hi) in enumerate(tile):
        needed = range(lo, hi)
        for index in reversed(range(1, len(layers))):
            p = layers[index][dim]
            read = [
                i
                for o in needed
                for k in range(p["kernel"])
                if 0 <= (i := p["stride"] * o + p["dilation"] * k - p["low"]) < shapes[index][dim]
            ]
            if not read:
                return True
            needed = range(min(read), max(read) + 1)
    return False


def _brute_force_reads(layers, shapes, tile, fill_gaps):
    """Per dimension, the source indices a tile reads through the chain,
    enumerated element by element: every output in the needed set, every
    kernel offset, minus the low pad, skipping indices in the padding.
    `fill_gaps`: a fused producer computes a contiguous box, so between
    layers the needed set becomes its hull (what the generated code reads);
    otherwise the exact dependence set is propagated."""
    reads = []
    for dim, (lo, hi) in enumerate(tile):
        needed = set(range(lo, hi))
        for index in reversed(range(len(layers))):
            p = layers[index][dim]
            size = shapes[index][dim]
            read = set()
            for o in needed:
                for k in range(p["kernel"]):
                    i = p["stride"] * o + p["dilation"] * k - p["low"]
                    if 0 <= i < size:
                        read.add(i)
            if fill_gaps and read:
                read = set(range(min(read), max(read) + 1))
            needed = read
        reads.append(needed)
    return reads


def _gapless(layers):
    """Every layer's reads of consecutive outputs are contiguous."""
    return all(p["dilation"] == 1 and p["kernel"] >= p["stride"] for ps in layers for p in ps)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(chains())
def test_composed_windows_cover_every_read_and_are_tight_without_gaps(chain):
    layers, shapes, tile = chain
    assume(not _intermediate_empty(layers, shapes, tile))
    window = _analysed_window(layers, shapes, tile)
    assert len(window) == len(tile)
    exact = _brute_force_reads(layers, shapes, tile, fill_gaps=False)
    contiguous = _brute_force_reads(layers, shapes, tile, fill_gaps=True)
    for interval, read, filled, size in zip(window, exact, contiguous, shapes[0], strict=True):
        assert 0 <= interval.lo <= interval.hi <= size  # inside the source
        assert read <= filled
        # Sound: every index the fused code reads lies in the window.
        assert all(interval.lo <= i < interval.hi for i in filled)
        if not read:
            assert interval.size == 0 or not _gapless(layers)
            continue
        # Tight where reads leave no holes: the window is the hull.
        if _gapless(layers):
            assert interval == I(min(read), max(read) + 1)
        # The window reaches the first and last index actually read, and
        # overshoots them at most into a stride/dilation gap at a border.
        assert interval.lo <= min(read) and max(read) < interval.hi


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(chains())
def test_composed_windows_equal_the_clipped_hull_of_padded_indices(chain):
    """Independent of gaps: propagate the hull of every padded index the
    tile touches (padding included), shift by the low pad, clip to the
    source. That is the interval semantics the analysis promises; the
    enumeration computes it without interval arithmetic."""
    layers, shapes, tile = chain
    assume(not _intermediate_empty(layers, shapes, tile))
    window = _analysed_window(layers, shapes, tile)
    for dim, (lo, hi) in enumerate(tile):
        needed_lo, needed_hi = lo, hi  # half-open
        for index in reversed(range(len(layers))):
            p = layers[index][dim]
            touched = [
                p["stride"] * o + p["dilation"] * k - p["low"]
                for o in range(needed_lo, needed_hi)
                for k in range(p["kernel"])
            ]
            size = shapes[index][dim]
            needed_lo = min(max(min(touched), 0), size)
            needed_hi = max(min(max(touched) + 1, size), needed_lo)
        if needed_lo == needed_hi:
            assert window[dim].size == 0
        else:
            assert window[dim] == I(needed_lo, needed_hi)
