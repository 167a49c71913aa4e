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
        [sys.executable, SCRIPTS / "pipelines.py", "--models", "edge_cnn", "mlp", "squeezenet",
         "--size", "32", "--targets", "llvm-cpu", "--repetitions", "2", "--json", output],
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "edge_cnn" in result.stdout and "geometric means: local-sync" in result.stdout
    cnn, mlp, squeezenet = json.loads(output.read_text())
    # A model-zoo file against IREE's own ONNX flow: the same logits, less memory.
    assert squeezenet["baseline"]["pipeline"] == "iree-import-onnx"
    assert squeezenet["candidate"]["pipeline"] == "vertical-fusion"
    assert squeezenet["max_abs_error"] < 1e-4 and squeezenet["sync_memory_ratio"] < 1.0
    assert cnn["baseline"]["pipeline"] == mlp["baseline"]["pipeline"] == "none"
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


def test_mcunet_table_reproduces_the_papers_mobilenet_v2_figures(tmp_path):
    output = tmp_path / "table.json"
    result = subprocess.run([sys.executable, SCRIPTS / "mcunet_table.py", "--json", output],
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr
    assert "MCUNetV2's table" in result.stdout
    layers, patches, planned = json.loads(output.read_text())["rows"]
    # Layer by layer: block 2's expansion, its 112x112x16 input and 112x112x96 output.
    assert layers["peak_bytes"] == 112 * 112 * 16 + 112 * 112 * 96 == 1372 * 1024
    assert layers["peak_at"] == "conv_2d_nchw_fchw 1x96x112x112"
    # The first stage in 4x4 patches of its 28x28 output: at or under the paper's 172 kB.
    assert patches["groups"] == [{"ops": [0, patches["groups"][0]["ops"][1]],
                                  "tile": [1, 32, 7, 7], "tiles": 16}]
    assert patches["peak_bytes"] <= 172 * 1024
    # The peak moves to block 5's expansion, run layer by layer: 28x28x32 in, 28x28x192 out.
    assert patches["peak_bytes"] == 28 * 28 * 32 + 28 * 28 * 192
    (stage,) = patches["group_step_bytes"]
    assert 28 * 28 * 32 < stage < patches["peak_bytes"]
    # Recomputed halos: about 10% more MACs, as the paper reports.
    assert 1.05 < patches["patch_macs_ratio"] < 1.15
    assert patches["tile_loop_work_ratio"] > patches["patch_macs_ratio"]
    # vtile's own plan fits the 256 kB budget.
    assert planned["groups"] and planned["peak_bytes"] <= 256 * 1024
    assert 1.0 < planned["patch_macs_ratio"] < patches["patch_macs_ratio"]
