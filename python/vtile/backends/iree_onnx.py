"""IREE's own ONNX flow, the baseline an ONNX user would otherwise pick:
`iree-import-onnx --opset-version 17` (it upgrades old files as vtile
does), then `iree-compile` with IREE's default pipeline."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from vtile.backends.iree import compile_vmfb, iree_tool
from vtile.backends.targets import Target
from vtile.compiler import CompiledModel
from vtile.errors import CompileError
from vtile.frontends.model import Model
from vtile.frontends.onnx_prepare import IMPORTER_OPSET
from vtile.pipeline import PipelineReport

IREE_ONNX_FLOW = "iree-import-onnx"


def compile_with_iree_onnx(path: Path, model: Model, target: Target) -> CompiledModel:
    """`path` compiled by IREE alone, callable on `model`'s inputs (the same
    file imported by vtile)."""
    with tempfile.TemporaryDirectory(prefix="vtile-iree-onnx-") as scratch:
        imported = Path(scratch) / "model.mlir"
        result = subprocess.run(
            [iree_tool("iree-import-onnx"), str(path), "--opset-version", str(IMPORTER_OPSET),
             "-o", str(imported)], capture_output=True, text=True)
        if result.returncode != 0:
            lines = result.stderr.strip().splitlines()
            raise CompileError(f"iree-import-onnx failed on {path}: "
                               f"{lines[-1] if lines else result.returncode}")
        text = imported.read_text()
    return CompiledModel(model, target, IREE_ONNX_FLOW, text, compile_vmfb(text, target),
                         PipelineReport())
