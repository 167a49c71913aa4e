"""An `.onnx` file as it ships, made ready for torch-mlir's ONNX importer:
weights in external data files loaded from the file's directory, the
opset upgraded to the one the importer supports best (as `iree-import-onnx
--opset-version` does), and symbolic input dimensions fixed by the user's
input shapes."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import NoReturn

from vtile.errors import ModelError, UsageError

# torch-mlir's ONNX lowering is written against opset 17 and later; older
# files are upgraded to it, as `iree-import-onnx --opset-version 17` does.
IMPORTER_OPSET = 17
# onnx.version_converter has adapters from opset 7 on.
OLDEST_OPSET = 7

InputShapes = Mapping[str, Sequence[int] | str] | Sequence[str]


def parse_input_shape(text: str) -> tuple[str, tuple[int, ...]]:
    """`NAME=1x3x224x224` -> ("NAME", (1, 3, 224, 224))."""
    name, equals, dims = text.rpartition("=")
    if not equals or not name:
        _bad_shape(text)
    return name, _dims(text, dims)


def _dims(text: str, dims: str) -> tuple[int, ...]:
    try:
        shape = tuple(int(d) for d in dims.split("x"))
    except ValueError:
        _bad_shape(text)
    if any(d < 1 for d in shape):
        _bad_shape(text)
    return shape


def _bad_shape(text: str) -> NoReturn:
    raise UsageError(f"input shape '{text}': expected NAME=DIMS with DIMS positive integers "
                     "joined by 'x', e.g. data=1x3x224x224")


def input_shape_map(shapes: InputShapes | None) -> dict[str, tuple[int, ...]]:
    """Input shapes as given to the CLI (`NAME=1x3x224x224` strings) or the
    Python API (those strings, or a mapping from name to dims or "1x3x224x224")."""
    if not shapes:
        return {}
    if isinstance(shapes, Mapping):
        spelled = {name: dims if isinstance(dims, str) else "x".join(map(str, dims))
                   for name, dims in shapes.items()}
        return {name: _dims(f"{name}={dims}", dims) for name, dims in spelled.items()}
    return dict(parse_input_shape(text) for text in shapes)


def prepare_onnx(path: Path, input_shapes: InputShapes | None = None,
                 progress: Callable[[str], None] | None = None):
    """The model of `path`, ready for the importer, and whether it differs
    from the file (then it must be saved for the importer to read)."""
    import onnx

    try:
        model = onnx.load(str(path), load_external_data=True)
    except Exception as error:  # protobuf's DecodeError, a missing external data file, ...
        raise ModelError(f"could not convert {path} to linalg: {type(error).__name__}: "
                         f"{error}") from None
    changed = _fix_input_shapes(model, input_shape_map(input_shapes), path)
    opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), None)
    if opset is None:
        raise ModelError(f"{path}: imports no version of the default ONNX domain")
    if opset < OLDEST_OPSET:
        raise ModelError(f"{path}: opset {opset} is older than {OLDEST_OPSET}, the oldest that "
                         "onnx.version_converter upgrades")
    if opset < IMPORTER_OPSET:
        if progress:
            progress(f"upgrading {path.name} from ONNX opset {opset} to {IMPORTER_OPSET} "
                     "(onnx.version_converter)")
        model = _upgraded(model, opset, path)
        changed = True
    return model, changed


def data_inputs(graph) -> list:
    """The graph's inputs that are not weights (files from before ONNX IR 4
    also list their weights as inputs)."""
    weights = {t.name for t in graph.initializer}
    return [value for value in graph.input if value.name not in weights]


def _fix_input_shapes(model, shapes: dict[str, tuple[int, ...]], path: Path) -> bool:
    """Sets the given inputs' dims; every other input must be static."""
    inputs = data_inputs(model.graph)
    names = {i.name for i in inputs}
    unknown = sorted(set(shapes) - names)
    if unknown:
        raise UsageError(f"{path}: no input named {', '.join(unknown)}; its inputs: "
                         + ", ".join(f"{i.name} ({_spelled(i)})" for i in inputs))
    for value in inputs:
        dims = value.type.tensor_type.shape.dim
        if value.name in shapes:
            shape = shapes[value.name]
            if len(shape) != len(dims):
                raise UsageError(f"{path}: input {value.name} has rank {len(dims)} "
                                 f"({_spelled(value)}), the shape given has rank {len(shape)}")
            for dim, size in zip(dims, shape, strict=True):
                if dim.HasField("dim_value") and dim.dim_value != size:
                    raise UsageError(f"{path}: input {value.name} is {_spelled(value)}; "
                                     f"its dimension {dim.dim_value} cannot become {size}")
                dim.dim_value = size
    symbolic = [i for i in inputs if any(not d.HasField("dim_value")
                                         for d in i.type.tensor_type.shape.dim)]
    if symbolic:
        raise UsageError(
            f"{path} has inputs with symbolic dimensions, which vtile compiles static: "
            + "; ".join(f"{i.name} ({_spelled(i)})" for i in symbolic)
            + ". Fix them with --input-shape NAME=DIMS (input_shapes= in Python), e.g. "
            + f"--input-shape {symbolic[0].name}="
            + "x".join(str(d.dim_value or 1) for d in symbolic[0].type.tensor_type.shape.dim))
    if shapes:
        # Shapes recorded for the symbolic sizes go: the importer's shape
        # inference derives them again from the fixed inputs.
        del model.graph.value_info[:]
        for output in model.graph.output:
            for dim in output.type.tensor_type.shape.dim:
                dim.ClearField("dim_param")  # unknown: inferred again
    return bool(shapes)


def _spelled(value) -> str:
    return " x ".join(d.dim_param or (str(d.dim_value) if d.HasField("dim_value") else "?")
                      for d in value.type.tensor_type.shape.dim)


def _upgraded(model, opset: int, path: Path):
    from onnx import version_converter

    try:
        return version_converter.convert_version(model, IMPORTER_OPSET)
    except Exception as error:  # the converter raises its C++ assertions as RuntimeError
        text = str(error).strip().splitlines()[-1]
        # Its messages name the op's adapter (`adapt_scan_8_9`) or the op.
        named = [n for n in model.graph.node
                 if re.search(rf"(?<![a-z]){n.op_type.lower()}(?![a-z])", text.lower())]
        ops = ", ".join(dict.fromkeys(f"{n.op_type} (node {n.name or '?'})" for n in named))
        raise ModelError(f"{path}: onnx.version_converter could not upgrade "
                         f"{'op ' + ops if ops else 'the model'} from opset {opset} to "
                         f"{IMPORTER_OPSET}: {text.split(' failed: ')[-1]}") from None


def save_for_importer(model, directory: Path) -> Path:
    """Writes `model` where the importer reads it, weights in an external
    data file beside it (no 2 GB protobuf limit)."""
    import onnx

    path = directory / "model.onnx"
    onnx.save_model(model, str(path), save_as_external_data=True,
                    all_tensors_to_one_file=True, location="model.onnx.data", size_threshold=1024)
    return path
