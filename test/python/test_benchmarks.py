"""benchmarks/ scripts run and report what they measured."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).parents[2] / "benchmarks"


def test_pipelines_benchmark_writes_comparisons(tmp_path):
    output = tmp_path / "results.json"
    result = subprocess.run(
        [sys.executable, SCRIPTS / "pipelines.py", "--models", "edge_cnn", "mlp", "--size", "32",
         "--targets", "llvm-cpu", "--repetitions", "2", "--json", output],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "edge_cnn" in result.stdout and "geometric means: local-sync" in result.stdout
    cnn, mlp = json.loads(output.read_text())
    assert cnn["target"] == mlp["target"] == "llvm-cpu"
    # Fusion cuts the CNN's measured peak and keeps its numbers.
    assert cnn["memory_ratio"] < 1.0 and cnn["recompute"] >= 1.0
    # IREE's scheduled transients (the vulkan-spirv measure) drop with it.
    assert 0 < cnn["candidate"]["scheduled_transient_bytes"] < cnn["baseline"]["scheduled_transient_bytes"]
    assert cnn["max_abs_error"] < 1e-4
    # An MLP has nothing to fuse: vtile hands IREE the same module.
    assert mlp["baseline"]["vmfb_bytes"] == mlp["candidate"]["vmfb_bytes"]
    assert mlp["memory_ratio"] == mlp["transient_ratio"] == 1.0 and mlp["recompute"] == 1.0
    assert cnn["baseline"]["median_ms"] > 0 and cnn["latency_ratio"] > 0
    # On the CPU both drivers are timed: local-sync as well as local-task.
    for row in (cnn, mlp):
        assert row["baseline"]["sync_median_ms"] > 0 and row["candidate"]["sync_median_ms"] > 0
        assert row["sync_latency_ratio"] == pytest.approx(
            row["candidate"]["sync_median_ms"] / row["baseline"]["sync_median_ms"])
    # Fusion cuts memory with one worker's stack (local-sync) too.
    assert 0 < cnn["sync_memory_ratio"] < 1.0
