"""Pipeline instrumentation: dumps, timings, verification, reproducers."""

import os
import shlex
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
from mlir import ir

from vtile.errors import VtileError
from vtile.pipeline import (
    PassStage,
    Pipeline,
    PipelineError,
    PipelineOptions,
    PythonStage,
)

FOLDABLE = """
module attributes {tile.target = #tile.target<"t", levels = [#tile.level<"l1", capacity = 64, bandwidth = 1.0>]>} {
  func.func @f() -> f32 {
    %a = arith.constant 1.0 : f32
    %b = arith.constant 2.0 : f32
    %c = arith.addf %a, %b : f32
    return %c : f32
  }
}
"""

NO_TARGET = """
func.func @f() -> tensor<8xf32> {
  %out = tile.loop (%i) tiles [4] -> tensor<8xf32> {
    %t = tile.empty in "l1" : tensor<4xf32>
    tile.store %t : tensor<4xf32>
  }
  return %out : tensor<8xf32>
}
"""


def mark(module):
    module.operation.attributes["vtile.marked"] = ir.UnitAttr.get(module.context)


def test_stages_run_in_order_with_dumps_and_timings(context, tmp_path):
    module = ir.Module.parse(FOLDABLE, context)
    pipeline = Pipeline(
        "test",
        [
            PassStage("fold", "builtin.module(canonicalize)"),
            PythonStage("mark", mark),
            PassStage("report", "builtin.module(tile-report-footprint)"),
        ],
    )
    report = pipeline.run(module, PipelineOptions(dump_dir=tmp_path))
    assert [t.name for t in report.timings] == ["fold", "mark", "report"]
    assert all(t.seconds >= 0 for t in report.timings)
    names = [p.name for p in report.dumps]
    assert names == ["00-input.mlir", "01-fold.mlir", "02-mark.mlir", "03-report.mlir"]
    assert "arith.addf" in (tmp_path / "00-input.mlir").read_text()
    folded = (tmp_path / "01-fold.mlir").read_text()
    assert "arith.addf" not in folded and "3.000000e+00" in folded
    assert "vtile.marked" not in folded
    assert "vtile.marked" in (tmp_path / "02-mark.mlir").read_text()


def test_failing_pass_stage_leaves_a_reproducer_vtile_opt_reruns(context, tmp_path):
    module = ir.Module.parse(NO_TARGET, context)
    pipeline = Pipeline(
        "test",
        [
            PassStage("fold", "builtin.module(canonicalize)"),
            PassStage("report", "builtin.module(tile-report-footprint)"),
            PassStage("cse", "builtin.module(cse)"),
        ],
    )
    with pytest.raises(PipelineError, match="failed in stage 'report': no #tile.target") as caught:
        pipeline.run(module, PipelineOptions(reproducer_dir=tmp_path))
    reproducer = caught.value.reproducer
    text = reproducer.read_text()
    assert 'pipeline: "builtin.module(tile-report-footprint,cse)"' in text
    tools = next(line for line in text.splitlines() if line.startswith("// tools: "))
    assert f"iree-base-compiler {metadata.version('iree-base-compiler')}" in tools
    assert f"xtc-mlir-python-bindings {metadata.version('xtc-mlir-python-bindings')}" in tools
    rerun = subprocess.run(
        [Path(sys.executable).parent / "vtile-opt", "--run-reproducer", reproducer],
        capture_output=True,
        text=True,
    )
    assert rerun.returncode != 0
    assert "no #tile.target in scope" in rerun.stderr


def test_a_crashing_pass_is_reported_with_a_reproducer_not_a_dead_process(context, tmp_path):
    module = ir.Module.parse(FOLDABLE, context)
    pipeline = Pipeline("test", [PassStage("fold", "builtin.module(canonicalize)"),
                                 PassStage("crash", "builtin.module(vtile-test-abort)")])  # fmt: skip
    with pytest.raises(PipelineError, match="failed in stage 'crash': a pass crashed") as caught:
        pipeline.run(module, PipelineOptions(reproducer_dir=tmp_path))
    assert caught.value.replay == (
        f"vtile-opt --allow-unregistered-dialect --run-reproducer {caught.value.reproducer}")
    assert "arith.addf" not in caught.value.reproducer.read_text()  # after the fold
    rerun = subprocess.run(shlex.split(caught.value.replay), capture_output=True, text=True,
                           env={**os.environ, "PATH": f"{Path(sys.executable).parent}:/usr/bin"})
    assert rerun.returncode < 0 or "Stack dump" in rerun.stderr  # the same crash


def test_verification_catches_a_python_stage_breaking_the_ir(context, tmp_path):
    def break_loop(module):
        module.operation.attributes["tile.target"] = ir.StringAttr.get("oops")

    module = ir.Module.parse(FOLDABLE, context)
    pipeline = Pipeline(
        "test", [PythonStage("break", break_loop), PassStage("fold", "builtin.module(canonicalize)")]
    )
    with pytest.raises(PipelineError, match="must be a #tile.target attribute") as caught:
        pipeline.run(module, PipelineOptions(reproducer_dir=tmp_path))
    # What the Python stage saw; a pipeline that is not a named one cannot
    # be rebuilt by `vtile replay`, so no command is offered.
    text = caught.value.reproducer.read_text()
    assert "the IR Python stage break saw" in text and "oops" not in text
    assert caught.value.replay is None


def test_reproducer_joins_an_existing_resource_section(context, tmp_path):
    with_blob = NO_TARGET.replace(
        "return %out",
        '%w = arith.constant dense_resource<blob> : tensor<2xf32>\n  return %out',
    ) + '\n{-#\n  dialect_resources: {\n    builtin: {\n      blob: "0x040000000000803F00000040"\n    }\n  }\n#-}\n'
    module = ir.Module.parse(with_blob, context)
    pipeline = Pipeline("test", [PassStage("report", "builtin.module(tile-report-footprint)")])
    with pytest.raises(PipelineError) as caught:
        pipeline.run(module, PipelineOptions(reproducer_dir=tmp_path))
    # The reproducer still parses: one resource section holding both entries.
    rerun = subprocess.run(
        [Path(sys.executable).parent / "vtile-opt", "--run-reproducer", caught.value.reproducer],
        capture_output=True,
        text=True,
    )
    assert "no #tile.target in scope" in rerun.stderr


def test_unanchored_pass_pipeline_is_rejected():
    with pytest.raises(VtileError, match="must be anchored on the module"):
        PassStage("bad", "canonicalize")
