"""IREE's own ONNX importer, the front half of the baseline an ONNX user
would otherwise pick: `iree-import-onnx --opset-version 17` (it upgrades
old files as vtile does); `vtile.compiler.compile_with_iree_onnx` then
compiles its output with IREE's default pipeline."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from vtile.backends.iree import iree_tool
from vtile.errors import CompileError
from vtile.frontends.onnx_prepare import IMPORTER_OPSET

IREE_ONNX_FLOW = "iree-import-onnx"


def import_with_iree_onnx(path: Path) -> str:
    """`path` as the MLIR text IREE's own importer makes of it."""
    with tempfile.TemporaryDirectory(prefix="vtile-iree-onnx-") as scratch:
        imported = Path(scratch) / "model.mlir"
        result = subprocess.run(
            [iree_tool("iree-import-onnx"), str(path), "--opset-version", str(IMPORTER_OPSET),
             "-o", str(imported)], capture_output=True, text=True)
        if result.returncode != 0:
            lines = result.stderr.strip().splitlines()
            raise CompileError(f"iree-import-onnx failed on {path}: "
                               f"{lines[-1] if lines else result.returncode}")
        return imported.read_text()
