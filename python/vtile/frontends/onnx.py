"""ONNX `.onnx` file -> linalg-on-tensors, through torch-mlir's ONNX importer
(run in a child process, see onnx_to_linalg.py), after the file is made
ready for it (onnx_prepare.py: external data, opset, input shapes)."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from mlir import ir

from vtile.errors import ModelError
from vtile.frontends.mlir_text import parse_module
from vtile.frontends.onnx_prepare import (
    InputShapes,
    data_inputs,
    prepare_onnx,
    save_for_importer,
)


def import_onnx(path: str | Path, context: ir.Context, input_shapes: InputShapes | None = None,
                progress: Callable[[str], None] | None = None) -> ir.Module:
    """The model's graph as a linalg module; the entry function is named
    after the ONNX graph. Any opset from 7 on; `input_shapes` fix symbolic
    input dimensions (`{"data": "1x3x224x224"}` or `["data=1x3x224x224"]`)."""
    path = Path(path)
    if not path.is_file():
        raise ModelError(f"no such file: {path}")
    model, changed = prepare_onnx(path, input_shapes, progress)
    with tempfile.TemporaryDirectory(prefix="vtile-onnx-") as directory:
        source = save_for_importer(model, Path(directory)) if changed else path
        del model  # the child reads it from the file
        result = subprocess.run(
            [sys.executable, "-m", "vtile.frontends.onnx_to_linalg", str(source)],
            capture_output=True,
            text=True,
        )
    if result.returncode < 0:
        raise ModelError(
            f"could not convert {path} to linalg: the ONNX importer crashed "
            f"(signal {-result.returncode}); an op in the model is not supported"
        )
    if result.returncode != 0:
        # The last line: torch-mlir's importer warns on stderr before it.
        lines = result.stderr.strip().splitlines()
        raise ModelError(f"could not convert {path} to linalg: "
                         f"{lines[-1] if lines else 'unknown error'}")
    return parse_module(result.stdout, context, str(path))


class OnnxReference:
    """The model as onnxruntime evaluates it, or ONNX's reference evaluator
    where onnxruntime has no kernel for one of its ops. `name` says which
    ran."""

    def __init__(self, path: Path):
        self.path = path
        self.name = "onnxruntime"

    def __call__(self, inputs: Sequence[np.ndarray]) -> list[np.ndarray]:
        import onnxruntime
        from onnxruntime.capi.onnxruntime_pybind11_state import NotImplemented as Missing

        try:
            session = onnxruntime.InferenceSession(str(self.path),
                                                   providers=["CPUExecutionProvider"])
        except Missing as error:
            missing = str(error).split("Could not find an implementation for ")[-1]
            self.name = (f"ONNX's reference evaluator (onnxruntime {onnxruntime.__version__} "
                         f"has no kernel for {missing.split(' node')[0]})")
            return _evaluated(self.path, inputs)
        self.name = f"onnxruntime {onnxruntime.__version__}"
        names = [i.name for i in session.get_inputs()]
        return list(session.run(None, dict(zip(names, inputs, strict=True))))


def _evaluated(path: Path, inputs: Sequence[np.ndarray]) -> list[np.ndarray]:
    import onnx
    from onnx.reference import ReferenceEvaluator

    model = onnx.load(str(path))
    names = [value.name for value in data_inputs(model.graph)]
    return list(ReferenceEvaluator(model).run(None, dict(zip(names, inputs))))
