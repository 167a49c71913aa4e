"""benchmarks/ scripts run and report what they measured."""

import json
import subprocess
import sys
from pathlib import Path

SCRIPTS = Path(__file__).parents[2] / "benchmarks"


def test_pipelines_benchmark_writes_comparisons(tmp_path):
    output = tmp_path / "results.json"
    result = subprocess.run(
        [sys.executable, SCRIPTS / "pipelines.py", "--sizes", "32", "--targets", "llvm-cpu",
         "--repetitions", "2", "--json", output],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "EdgeCNN 32x32" in result.stdout
    (row,) = json.loads(output.read_text())
    assert row["target"] == "llvm-cpu"
    # Both sides compile with IREE's default pipeline: the same module.
    assert row["baseline"]["vmfb_bytes"] == row["candidate"]["vmfb_bytes"]
    assert row["memory_ratio"] == 1.0
    assert row["baseline"]["median_ms"] > 0 and row["latency_ratio"] > 0
