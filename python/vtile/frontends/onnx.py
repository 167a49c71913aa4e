"""ONNX `.onnx` file -> linalg-on-tensors, through torch-mlir's ONNX importer
(run in a child process, see onnx_to_linalg.py)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from mlir import ir

from vtile.errors import ModelError
from vtile.frontends.mlir_text import parse_module


def import_onnx(path: str | Path, context: ir.Context) -> ir.Module:
    """The model's graph as a linalg module; the entry function is named
    after the ONNX graph. Needs opset 13 or newer."""
    path = Path(path)
    if not path.is_file():
        raise ModelError(f"no such file: {path}")
    result = subprocess.run(
        [sys.executable, "-m", "vtile.frontends.onnx_to_linalg", str(path)],
        capture_output=True,
        text=True,
    )
    if result.returncode < 0:
        raise ModelError(
            f"could not convert {path} to linalg: the ONNX importer crashed "
            f"(signal {-result.returncode}); an op in the model is not supported"
        )
    if result.returncode != 0:
        message = result.stderr.strip().splitlines()
        raise ModelError(
            f"could not convert {path} to linalg: {message[-1] if message else 'unknown error'}"
        )
    return parse_module(result.stdout, context, str(path))


def onnx_reference(path: str | Path, inputs: Sequence[np.ndarray]) -> list[np.ndarray]:
    """The model evaluated by ONNX's own reference implementation."""
    import onnx
    from onnx.reference import ReferenceEvaluator

    model = onnx.load(str(path))
    # Older models also list their weights as graph inputs.
    weights = {tensor.name for tensor in model.graph.initializer}
    names = [value.name for value in model.graph.input if value.name not in weights]
    return list(ReferenceEvaluator(model).run(None, dict(zip(names, inputs))))
