"""Differential fuzzing: random conv/pool/elementwise/residual/concat/linear
graphs (`fuzz_graphs`) through vtile's planner, through random forced plans
and through IREE's default pipeline, each compared with numpy. Seeded
(`derandomize`), so every CI run checks the same cases; a failing batch
shrinks to the smallest failing graph, saved under `vtile-fuzz-failures/`
to become a regression in `fuzz_regressions/`. `scripts/fuzz_soak.py` runs
thousands."""

import os
from pathlib import Path

import pytest
from fuzz_graphs import graphs
from fuzz_harness import CASES, FORCED, FORCED_DISPATCH, run_batch, run_regression
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vtile.backends.iree import vulkan_available
from vtile.named_pipelines import NONE, VERTICAL_FUSION

BATCH = 50  # graphs per module: one iree-compile per pipeline serves them all
# scripts/fuzz_soak.py raises these and picks a seed; CI runs the defaults.
CPU_BATCHES = int(os.environ.get("VTILE_FUZZ_BATCHES", "10"))
VULKAN_BATCHES = int(os.environ.get("VTILE_FUZZ_VULKAN_BATCHES", "1"))
DISPATCH_BATCHES = int(os.environ.get("VTILE_FUZZ_DISPATCH_BATCHES", "4"))
# The first seeded batch holds only graphs too small to group.
VULKAN_DISPATCH_BATCHES = int(os.environ.get("VTILE_FUZZ_VULKAN_DISPATCH_BATCHES", "3"))
SOAK = "VTILE_FUZZ_SOAK" in os.environ  # random seeds (pytest --hypothesis-seed)
REGRESSIONS = sorted((Path(__file__).parent / "fuzz_regressions").glob("*.mlir"))

FUZZ = settings(deadline=None, derandomize=not SOAK, database=None, print_blob=True,
                suppress_health_check=list(HealthCheck))  # fmt: skip


@settings(FUZZ, max_examples=CPU_BATCHES)
@given(batch=st.lists(graphs(), min_size=BATCH, max_size=BATCH), seed=st.integers(0, 2**16))
def test_fused_graphs_match_numpy_on_llvm_cpu(batch, seed):
    mismatches = run_batch(batch, (VERTICAL_FUSION, FORCED, NONE), "llvm-cpu", seed)
    CASES["llvm-cpu"] += len(batch)
    assert not mismatches, "\n".join(map(str, mismatches))


@settings(FUZZ, max_examples=DISPATCH_BATCHES)
@given(batch=st.lists(graphs(), min_size=BATCH, max_size=BATCH), seed=st.integers(0, 2**16))
def test_one_dispatch_groups_match_numpy_on_llvm_cpu(batch, seed):
    """Random forced plans with every group asking to be one dispatch."""
    mismatches = run_batch(batch, (FORCED_DISPATCH,), "llvm-cpu", seed)
    CASES["llvm-cpu one-dispatch"] += len(batch)
    assert not mismatches, "\n".join(map(str, mismatches))


@settings(FUZZ, max_examples=VULKAN_BATCHES)
@given(batch=st.lists(graphs(max_layers=4), min_size=BATCH // 2, max_size=BATCH // 2))
def test_fused_graphs_match_numpy_on_vulkan_spirv(batch):
    if not vulkan_available():
        pytest.skip("no Vulkan device")
    mismatches = run_batch(batch, (VERTICAL_FUSION, NONE), "vulkan-spirv")
    CASES["vulkan-spirv"] += len(batch)
    assert not mismatches, "\n".join(map(str, mismatches))


@settings(FUZZ, max_examples=VULKAN_DISPATCH_BATCHES)
@given(batch=st.lists(graphs(max_layers=4), min_size=BATCH // 2, max_size=BATCH // 2),
       seed=st.integers(0, 2**16))
def test_one_dispatch_groups_match_numpy_on_vulkan_spirv(batch, seed):
    """Random forced plans with every group asking to be one dispatch, its
    tiles in workgroup memory."""
    if not vulkan_available():
        pytest.skip("no Vulkan device")
    mismatches = run_batch(batch, (FORCED_DISPATCH,), "vulkan-spirv", seed)
    CASES["vulkan-spirv one-dispatch"] += len(batch)
    assert not mismatches, "\n".join(map(str, mismatches))


@pytest.mark.parametrize("path", REGRESSIONS, ids=[p.stem for p in REGRESSIONS])
def test_fuzz_regression(path):
    mismatches = run_regression(path)
    assert not mismatches, "\n".join(map(str, mismatches))
