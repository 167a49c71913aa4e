"""`vtile compile | run | bench | demo`, run as a user runs them."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnx_models
import pytest
from factories import FACTORY
from linalg_models import MATMUL

VTILE = Path(sys.executable).parent / "vtile"



def vtile(*args, cwd=None, env=None):
    return subprocess.run(
        [VTILE, *map(str, args)], capture_output=True, text=True, timeout=600, cwd=cwd, env=env
    )


@pytest.fixture
def matmul(tmp_path):
    path = tmp_path / "matmul.mlir"
    path.write_text(MATMUL)
    return path


@pytest.fixture
def factory(tmp_path):
    path = tmp_path / "models.py"
    path.write_text(FACTORY)
    return path


def test_compile_mlir_writes_vmfb_ir_and_dumps(tmp_path, matmul):
    result = vtile("compile", matmul, "--emit-mlir", tmp_path / "out.mlir",
                   "--dump-dir", tmp_path / "dumps", cwd=tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "wrote matmul.vmfb" in result.stdout and "@main(4x8xfloat32, 8x3xfloat32)" in result.stdout
    assert (tmp_path / "matmul.vmfb").stat().st_size > 0
    assert "linalg.matmul" in (tmp_path / "out.mlir").read_text()
    assert (tmp_path / "dumps" / "00-input.mlir").is_file()


def test_compile_factory_cross_for_aarch64(tmp_path, factory):
    output = tmp_path / "a55.vmfb"
    result = vtile("compile", f"{factory}:make", "--triple", "aarch64-linux-gnu",
                   "--cpu", "cortex-a55", "-o", output)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert output.stat().st_size > 0


def test_compile_then_run_vmfb_matches_numpy(tmp_path, matmul):
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((4, 8), np.float32), rng.standard_normal((8, 3), np.float32)
    np.save(tmp_path / "a.npy", a)
    np.save(tmp_path / "b.npy", b)
    assert vtile("compile", matmul, "-o", tmp_path / "m.vmfb").returncode == 0
    result = vtile("run", tmp_path / "m.vmfb", "--input", tmp_path / "a.npy",
                   "--input", tmp_path / "b.npy", "--save-outputs", tmp_path / "out.npz")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "numerics not checked" in result.stdout
    result_array = np.load(tmp_path / "out.npz")["arr_0"]
    np.testing.assert_allclose(result_array, a.astype(np.float64) @ b, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("target", ["llvm-cpu", "vulkan-spirv"])
def test_run_factory_checks_against_pytorch(factory, target):
    result = vtile("run", f"{factory}:make", "--target", target)
    assert result.returncode == 0, result.stderr
    assert "numerics against PyTorch" in result.stdout and "yes" in result.stdout
    assert "1x5" in result.stdout  # the output's shape


def test_run_onnx_checks_against_onnxruntime(tmp_path):
    path = onnx_models.small_cnn(tmp_path / "cnn.onnx")
    result = vtile("run", path)
    assert result.returncode == 0, result.stderr
    assert "numerics against onnxruntime 1.23.2" in result.stdout and "yes" in result.stdout


def test_run_onnx_fixes_symbolic_dimensions_with_input_shape(tmp_path):
    path = onnx_models.symbolic_cnn(tmp_path / "batch.onnx")
    refused = vtile("run", path)
    assert refused.returncode == 2 and "--input-shape x=1x3x16x16" in refused.stderr
    result = vtile("run", path, "--input-shape", "x=3x3x16x16")
    assert result.returncode == 0, result.stderr
    assert "3x10" in result.stdout and "yes" in result.stdout


def test_bench_prints_both_pipelines_and_ratios(matmul):
    result = vtile("bench", matmul, "--repetitions", "3")
    assert result.returncode == 0, result.stderr
    assert "IREE default" in result.stdout and "vtile 'vertical-fusion'" in result.stdout
    assert "latency ratio" in result.stdout and "memory ratio" in result.stdout
    assert " ms " in result.stdout and " B " in result.stdout
    # llvm-cpu is timed under local-sync too: a median per pipeline row.
    rows = [line for line in result.stdout.splitlines() if "IREE default" in line or "vtile '" in line]
    assert len(rows) == 2 and all(line.count(" ms") == 2 for line in rows), result.stdout


def test_bench_of_an_onnx_file_compares_with_irees_onnx_flow(tmp_path):
    path = onnx_models.small_cnn(tmp_path / "cnn.onnx")
    result = vtile("bench", path, "--repetitions", "2")
    assert result.returncode == 0, result.stderr
    assert "IREE (iree-import-onnx)" in result.stdout and "IREE default" not in result.stdout
    assert "vtile 'vertical-fusion'" in result.stdout


def test_plan_prints_groups_and_json(factory):
    result = vtile("plan", f"{factory}:make")
    assert result.returncode == 0, result.stderr
    assert "fusion groups" in result.stdout and "layer by layer" in result.stdout
    result = vtile("plan", f"{factory}:make", "--json", "--max-recompute", "1.5")
    assert result.returncode == 0, result.stderr
    plan = json.loads(result.stdout)
    assert plan["max_recompute"] == 1.5
    (function,) = plan["functions"]
    assert function["peak_bytes"] <= function["layer_by_layer_peak_bytes"]
    for group in function["groups"]:
        assert 1.0 <= group["recompute"] <= 1.5
        assert group["ops"][-1]["tile"] == group["tile"]


def test_memory_budget_sizes_are_parsed_or_refused(factory):
    result = vtile("plan", f"{factory}:make", "--memory-budget", "12 parsecs")
    assert result.returncode == 2 and "is not a size" in result.stderr


def test_demo_checks_numerics_and_benches_both_targets():
    result = vtile("demo", "--repetitions", "2")
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if "EdgeCNN" in line]
    # One numerics row per target (passing), two bench rows per target.
    assert sum("llvm-cpu" in row and "yes" in row for row in rows) == 1
    assert sum("vulkan-spirv" in row and "yes" in row for row in rows) == 1
    assert sum("IREE default" in row for row in rows) == 2


def test_demo_without_vulkan_says_so_and_runs_cpu():
    env = {"PATH": "/usr/bin:/bin", "VK_ICD_FILENAMES": "/nonexistent.json"}
    result = vtile("demo", "--repetitions", "2", env=env)
    assert result.returncode == 0, result.stderr
    assert "vulkan-spirv skipped: no Vulkan device" in result.stdout
    assert not any("vulkan-spirv" in line and "EdgeCNN" in line for line in result.stdout.splitlines())


TWO_CONVS_FACTORY = """
import torch

def make():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Conv2d(4, 16, 3, padding=1), torch.nn.ReLU(),
                                torch.nn.Conv2d(16, 4, 3, padding=1))
    return model.eval(), torch.randn(1, 4, 64, 64)
"""


def test_plan_says_how_each_group_reaches_iree_and_why(tmp_path):
    """`auto` gives every group's choice a reason; the stack limit is the
    planner's: forced one dispatch plans only groups that fit it."""
    path = tmp_path / "convs.py"
    path.write_text(TWO_CONVS_FACTORY)
    result = vtile("plan", f"{path}:make", "--json")
    assert result.returncode == 0, result.stderr
    (group,) = json.loads(result.stdout)["functions"][0]["groups"]
    assert group["lowering"]["kind"] in ("tile-loops", "dispatch") and group["lowering"]["why"]
    result = vtile("plan", f"{path}:make", "--json", "--group-lowering", "dispatch")
    (group,) = json.loads(result.stdout)["functions"][0]["groups"]
    assert group["lowering"]["kind"] == "dispatch", group["lowering"]
    assert group["lowering"]["level"] == "stack" and group["lowering"]["level_bytes"] > 1024
    # Under a smaller stack level, forced one dispatch plans shorter groups
    # that fit it.
    result = vtile("plan", f"{path}:make", "--json", "--group-lowering", "dispatch",
                   "--stack-limit", "4KiB")  # fmt: skip
    groups = json.loads(result.stdout)["functions"][0]["groups"]
    assert groups and all(g["lowering"]["kind"] == "dispatch" for g in groups)
    assert all(g["lowering"]["level_bytes"] <= 4096 for g in groups)
    assert all(len(g["ops"]) < len(group["ops"]) for g in groups)
    result = vtile("plan", f"{path}:make", "--target", "vulkan-spirv", "--stack-limit", "1KiB")
    assert result.returncode == 2 and "apply to llvm-cpu" in result.stderr
