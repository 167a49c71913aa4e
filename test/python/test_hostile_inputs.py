"""Hostile and bad inputs. The table in docs/errors.md (between its
hostile-inputs markers) is the specification: each row's command runs
here, on the files `_write_inputs` makes, and must end with the row's exit
code and message, in one line, without a traceback or a partial output. The Python API must
raise the matching typed exception, and failing stages must leave
reproducers whose commands replay the failure."""

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnx_models
import pytest
from factories import FACTORY
from linalg_models import (
    DYNAMIC,
    IREE_REJECTS,
    MATMUL,
    NAMED_ELEMENTWISE,
    SOFTMAX,
    TWO_CONVS,
    ZERO_SIZED,
)

import vtile
from vtile import cli, named_pipelines
from vtile.backends.iree import iree_tool
from vtile.outputs import write_all
from vtile.pipeline import PipelineOptions
from vtile.planner.search import PlannerOptions

ERRORS_DOC = Path(__file__).resolve().parents[2] / "docs" / "errors.md"
BIN = Path(sys.executable).parent


def _table() -> dict[str, tuple[str, list[str], int]]:
    """input -> (command, message fragments, exit code), from docs/errors.md."""
    text = ERRORS_DOC.read_text()
    body = text.split("<!-- hostile-inputs: begin -->")[1].split("<!-- hostile-inputs: end -->")[0]
    rows = {}
    for line in body.strip().splitlines()[2:]:
        name, command, message, code = (cell.strip() for cell in line.strip(" |").split(" | "))
        rows[name] = (command.strip("`"), message.strip("`").split(" … "), int(code))
    return rows


ROWS = _table()


def _write_inputs(directory: Path) -> None:
    for name, text in {
        "matmul.mlir": MATMUL, "bad.mlir": "func.func @main( {", "dynamic.mlir": DYNAMIC,
        "zero.mlir": ZERO_SIZED, "softmax.mlir": SOFTMAX, "named.mlir": NAMED_ELEMENTWISE,
        "convs.mlir": TWO_CONVS, "ireefail.mlir": IREE_REJECTS, "models.py": FACTORY,
    }.items():  # fmt: skip
        (directory / name).write_text(text)
    (directory / "bad.onnx").write_bytes(b"not a protobuf")
    onnx_models.custom_ops(directory / "custom.onnx")
    onnx_models.symbolic_cnn(directory / "exported.onnx")
    (directory / "model.tflite").write_bytes(b"")
    (directory / "ok.vmfb").write_bytes(b"")
    np.save(directory / "small.npy", np.zeros(2, np.float32))


def _files(directory: Path) -> set[str]:
    return {str(p.relative_to(directory)) for p in directory.rglob("*") if p.is_file()}


def test_the_table_covers_every_hostile_input_the_issue_names():
    assert len(ROWS) >= 20
    for code in (0, 2, 3, 4, 5, 6, 7):
        assert any(row[2] == code for row in ROWS.values()), code


@pytest.mark.parametrize("name", ROWS)
def test_documented_row(tmp_path, name):
    command, fragments, code = ROWS[name]
    words = shlex.split(command)
    env = dict(os.environ)
    while "=" in words[0]:
        key, _, value = words.pop(0).partition("=")
        env[key] = value
    assert words[0] == "vtile"
    _write_inputs(tmp_path)
    before = _files(tmp_path)
    result = subprocess.run([BIN / "vtile", *words[1:]], capture_output=True, text=True,
                            cwd=tmp_path, env=env, timeout=600)  # fmt: skip
    assert result.returncode == code, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    if code == 0:
        for fragment in fragments:
            assert fragment in result.stdout, result.stdout
        return
    errors = [line for line in result.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1, result.stderr
    assert errors[0] == result.stderr.strip().splitlines()[-1]
    assert errors[0].startswith(f"vtile {words[1]}: error: "), errors[0]
    for fragment in fragments:
        assert fragment in errors[0], errors[0]
    # Nothing is left behind but a compile error's reproducer.
    left = _files(tmp_path) - before
    assert all(path.startswith("vtile-reproducers/") for path in left) if code == 7 else not left


@pytest.fixture
def inputs(tmp_path, monkeypatch):
    _write_inputs(tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("case, error", [
    ("malformed", vtile.ModelError), ("zero-sized", vtile.ModelError),
    ("corrupted onnx", vtile.ModelError), ("factory raises", vtile.ModelError),
    ("budget", vtile.BudgetError), ("unknown target", vtile.TargetError),
    ("unknown vulkan target", vtile.TargetError), ("unknown pipeline", vtile.UsageError),
    ("iree rejects", vtile.CompileError),
])  # fmt: skip
def test_python_api_raises_typed_errors(inputs, case, error):
    calls = {
        "malformed": lambda: vtile.compile("bad.mlir"),
        "zero-sized": lambda: vtile.compile("zero.mlir"),
        "corrupted onnx": lambda: vtile.compile("bad.onnx"),
        "factory raises": lambda: vtile.compile("models.py:broken"),
        "budget": lambda: vtile.compile("matmul.mlir", planner=PlannerOptions(memory_budget=100)),
        "unknown target": lambda: vtile.compile("matmul.mlir", "tpu"),
        "unknown vulkan target": lambda: vtile.backends.targets.VulkanTarget("mali-g9000"),
        "unknown pipeline": lambda: vtile.compile("matmul.mlir", pipeline="fast"),
        "iree rejects": lambda: vtile.compile("ireefail.mlir"),
    }
    with pytest.raises(error) as caught:
        calls[case]()
    assert type(caught.value) is error  # not merely some VtileError


def test_saving_to_an_unwritable_path_raises_output_error(inputs):
    compiled = vtile.compile("matmul.mlir", pipeline="none")
    with pytest.raises(vtile.OutputError, match="directory /nonexistent does not exist"):
        compiled.save("/nonexistent/matmul.vmfb")


def test_outputs_are_written_all_or_none(tmp_path):
    with pytest.raises(vtile.OutputError, match="cannot write"):
        write_all({tmp_path / "a.vmfb": b"module", tmp_path / "absent" / "b.mlir": "text"})
    assert list(tmp_path.iterdir()) == []  # neither a.vmfb nor a temporary
    write_all({tmp_path / "a.vmfb": b"module", tmp_path / "b.mlir": "text"})
    assert (tmp_path / "a.vmfb").read_bytes() == b"module"
    assert (tmp_path / "b.mlir").read_text() == "text"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.vmfb", "b.mlir"]


def test_iree_compile_failure_reproducer_reruns_to_the_same_error(inputs):
    with pytest.raises(vtile.CompileError) as caught:
        vtile.compile("ireefail.mlir", options=PipelineOptions(reproducer_dir=Path("repro")))
    message = str(caught.value)
    error = re.search(r"(repro/iree-compile-llvm-cpu\.mlir:\d+:\d+: error: .*?) \(repro", message)
    command = shlex.split(message.split("rerun it with: ")[1].rstrip(")"))
    assert command[0] == "iree-compile" and error, message
    rerun = subprocess.run(
        [iree_tool("iree-compile"), *command[1:]], capture_output=True, text=True
    )
    assert rerun.returncode != 0
    assert error.group(1) in rerun.stderr


def test_failing_python_stage_replays_with_vtile_replay(inputs, monkeypatch, capsys):
    seen: list[PlannerOptions] = []

    def broken_planner(options, target):
        def plan(module):
            seen.append(options)
            raise KeyError("planner bug")

        return plan

    def run(*argv: str) -> tuple[int, str]:
        with pytest.raises(SystemExit) as exited:
            cli.main(list(argv))
        return exited.value.code, capsys.readouterr()

    with monkeypatch.context() as patch:
        patch.setattr(named_pipelines, "_plan_stage", broken_planner)
        code, output = run("compile", "matmul.mlir", "--memory-budget", "300KiB",
                           "--max-recompute", "1.5")  # fmt: skip
        line = output.err.strip().splitlines()[-1]
        assert code == 7
        assert "failed in stage 'plan-fusion': KeyError: 'planner bug'" in line
        command = line.split("rerun it with: ")[1].rstrip(")")
        assert command == "vtile replay vtile-reproducers/plan-fusion.mlir"
        assert not (inputs / "matmul.vmfb").exists()
        # The replay fails the same way, with the options the compile had.
        code, output = run(*shlex.split(command)[1:])
        assert code == 7 and "KeyError: 'planner bug'" in output.err
        assert seen[1] == seen[0] == PlannerOptions(memory_budget=300 * 1024, max_recompute=1.5)
    # With the bug gone, the same command runs the rest of the pipeline.
    code, output = run(*shlex.split(command)[1:])
    assert code == 0
    assert "stages plan-fusion, schedule, form-kernels, form-dispatch-regions, materialize-tile-loops" in output.out
