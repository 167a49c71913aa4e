"""A model ready for the pipeline: its linalg module, the signature of its
entry function, sample inputs, and the framework's own evaluation of it
(the numerics reference)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
from mlir import ir

from vtile.errors import ModelError, UsageError
from vtile.frontends.mlir_text import entry_points, load_mlir_file
from vtile.frontends.onnx_prepare import InputShapes


class Reference(Protocol):
    """The framework's own evaluation of a model; `name` says which
    framework (once called: an ONNX model's may fall back to another)."""

    name: str

    def __call__(self, inputs: Sequence[np.ndarray]) -> list[np.ndarray]: ...


@dataclass(frozen=True)
class NamedReference:
    name: str
    evaluate: Callable[[Sequence[np.ndarray]], list[np.ndarray]]

    def __call__(self, inputs: Sequence[np.ndarray]) -> list[np.ndarray]:
        return self.evaluate(inputs)


_DTYPES = {
    "f16": np.float16, "f32": np.float32, "f64": np.float64, "i1": np.bool_,
    "i8": np.int8, "i16": np.int16, "i32": np.int32, "i64": np.int64,
}  # fmt: skip


@dataclass(frozen=True)
class TensorSpec:
    shape: tuple[int, ...]
    dtype: np.dtype

    def __str__(self) -> str:
        return "x".join(map(str, self.shape)) + f"x{np.dtype(self.dtype).name}"


@dataclass
class Model:
    name: str
    module: ir.Module  # linalg on tensors, static shapes
    function: str  # the entry point IREE exports
    inputs: list[TensorSpec]
    sample_inputs: list[np.ndarray]
    reference: Reference | None  # None for .mlir input: no framework to ask


def load_model(
    source: object,
    context: ir.Context,
    example_inputs: Sequence[object] | None = None,
    input_shapes: InputShapes | None = None,
    progress: Callable[[str], None] | None = None,
) -> Model:
    """`source` is a torch.nn.Module (with `example_inputs`), a `.mlir` or
    `.onnx` path, or `path/to/file.py:factory` returning (model, inputs).
    `input_shapes` fix an ONNX model's symbolic input dimensions
    (`["data=1x3x224x224"]`, or `{"data": (1, 3, 224, 224)}`); `progress`
    hears of long steps (an ONNX opset upgrade)."""
    if input_shapes and not str(source).endswith(".onnx"):
        raise UsageError("input shapes fix an ONNX model's symbolic dimensions; "
                         f"{source} has static shapes")
    if isinstance(source, (str, Path)):
        text = str(source)
        if text.endswith(".mlir"):
            return _from_module(Path(text).stem, load_mlir_file(text, context), None, None)
        if text.endswith(".onnx"):
            return _from_onnx(Path(text), context, input_shapes, progress)
        if ".py:" in text:
            from vtile.frontends.pytorch import load_factory

            model, inputs = load_factory(text)
            return _from_torch(model, inputs, context, text)
        raise ModelError(
            f"don't know how to read '{text}': expected a .mlir or .onnx file "
            "or path/to/file.py:factory"
        )
    import torch

    if isinstance(source, torch.nn.Module):
        if example_inputs is None:
            raise UsageError("a PyTorch model needs example_inputs (their shapes are compiled in)")
        inputs = tuple(torch.as_tensor(x) for x in example_inputs)
        return _from_torch(source, inputs, context, type(source).__name__)
    raise UsageError(f"cannot compile a {type(source).__name__}; pass a torch.nn.Module or a path")


def _from_torch(model, inputs, context: ir.Context, name: str) -> Model:
    import torch

    from vtile.frontends.pytorch import import_pytorch

    module = import_pytorch(model, inputs, context, name)

    def reference(arrays: Sequence[np.ndarray]) -> list[np.ndarray]:
        with torch.no_grad():
            outputs = model.eval()(*(torch.from_numpy(np.asarray(a)) for a in arrays))
        if isinstance(outputs, torch.Tensor):
            outputs = (outputs,)
        return [output.numpy() for output in outputs]

    return _from_module(name, module, [x.numpy() for x in inputs],
                        NamedReference("PyTorch", reference))


def _from_onnx(path: Path, context: ir.Context, input_shapes: InputShapes | None,
               progress: Callable[[str], None] | None) -> Model:
    from vtile.frontends.onnx import OnnxReference, import_onnx

    module = import_onnx(path, context, input_shapes, progress)
    return _from_module(path.stem, module, None, OnnxReference(path))


def _from_module(
    name: str,
    module: ir.Module,
    sample_inputs: list[np.ndarray] | None,
    reference: Reference | None,
) -> Model:
    function = _entry_point(module, name)
    ftype = ir.FunctionType(ir.TypeAttr(function.attributes["function_type"]).value)
    specs = [_tensor_spec(t, name) for t in ftype.inputs]
    if sample_inputs is None:
        sample_inputs = random_inputs(specs)
    return Model(name, module, function.name.value, specs, sample_inputs, reference)


def _entry_point(module: ir.Module, name: str):
    functions = entry_points(module)
    if len(functions) == 1:
        return functions[0]
    for function in functions:
        if function.name.value == "main":
            return function
    names = ", ".join("@" + f.name.value for f in functions)
    raise ModelError(f"{name} has several public functions ({names}) and none is @main")


def _tensor_spec(value_type: ir.Type, name: str) -> TensorSpec:
    element = str(value_type.element_type) if isinstance(value_type, ir.RankedTensorType) else ""
    if element not in _DTYPES:
        raise ModelError(f"{name}: inputs of type {value_type} are not supported")
    return TensorSpec(tuple(value_type.shape), np.dtype(_DTYPES[element]))


def random_inputs(specs: Sequence[TensorSpec], seed: int = 0) -> list[np.ndarray]:
    """Seeded inputs: standard normal floats; zeros for integers, which are
    usually indices and must stay in range."""
    rng = np.random.default_rng(seed)
    return [
        rng.standard_normal(spec.shape).astype(spec.dtype)
        if np.issubdtype(spec.dtype, np.floating)
        else np.zeros(spec.shape, spec.dtype)
        for spec in specs
    ]
