"""Linalg-on-tensors given as MLIR text (a `.mlir` file or a string), and
the checks every front end's output must pass."""

from __future__ import annotations

import re
from pathlib import Path

from mlir import ir
from mlir.dialects import func

from vtile.errors import ModelError


def parse_module(text: str, context: ir.Context, source: str) -> ir.Module:
    """Parses and verifies `text`; `source` names it in error messages."""
    try:
        module = ir.Module.parse(text, context)
        module.operation.verify()
    except ir.MLIRError as error:
        raise ModelError(_describe(error, text, source)) from None
    require_supported_shapes(module, source)
    return module


def _describe(error: ir.MLIRError, text: str, source: str) -> str:
    """"source:line:col: message: `offending line`" for the first error."""
    if not error.error_diagnostics:
        return f"{source} is not valid MLIR: {error}"
    first = error.error_diagnostics[0]
    match = re.search(r":(\d+):(\d+)", str(first.location))
    if not match:
        return f"{source} is not valid MLIR: {first.message}"
    line = int(match.group(1))
    lines = text.splitlines()
    excerpt = lines[line - 1].strip() if line <= len(lines) else ""
    return (
        f"{source}:{line}:{match.group(2)}: not valid MLIR: {first.message}: `{excerpt}`"
    )


def load_mlir_file(path: str | Path, context: ir.Context) -> ir.Module:
    path = Path(path)
    if not path.is_file():
        raise ModelError(f"no such file: {path}")
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as error:
        raise ModelError(f"cannot read {path}: {error}") from None
    return parse_module(text, context, str(path))


def entry_points(module: ir.Module) -> list[func.FuncOp]:
    """The public functions with bodies: what IREE exports."""
    return [
        op
        for op in module.body.operations
        if isinstance(op, func.FuncOp)
        and not op.is_external
        and "sym_visibility" not in op.attributes
    ]


def require_supported_shapes(module: ir.Module, source: str) -> None:
    """vtile plans tiles from static, non-empty shapes; reject others up front."""
    functions = entry_points(module)
    if not functions:
        raise ModelError(f"{source} has no public function to compile")
    for function in functions:
        ftype = ir.FunctionType(ir.TypeAttr(function.attributes["function_type"]).value)
        for kind, types in (("argument", ftype.inputs), ("result", ftype.results)):
            for index, value_type in enumerate(types):
                where = f"{source}: @{function.name.value} {kind} {index}"
                _require_supported_shape(value_type, where)
        for op in _operations(function):
            for value in op.results:
                _require_supported_shape(value.type, f"{_position(op, source)} {op.name}")


def _operations(function: ir.Operation) -> list[ir.Operation]:
    # Raising inside walk's callback would wrap the error; collect first.
    found: list[ir.Operation] = []

    def collect(op: ir.Operation) -> ir.WalkResult:
        found.append(op)
        return ir.WalkResult.ADVANCE

    function.operation.walk(collect)
    return found


def _position(op: ir.Operation, source: str) -> str:
    location = op.location
    if location.is_a_file():
        return f"{source}:{location.start_line}:{location.start_col}:"
    return f"{source}:"


def _require_supported_shape(value_type: ir.Type, where: str) -> None:
    if not isinstance(value_type, ir.ShapedType):
        return
    if not value_type.has_static_shape:
        raise ModelError(
            f"{where} has dynamic shape {value_type}; vtile needs static shapes "
            "(export the model with fixed input sizes)"
        )
    if 0 in value_type.shape:
        raise ModelError(
            f"{where} is the zero-sized {value_type}; vtile needs tensors with elements "
            "(a 0 dimension usually comes from an export with an empty example input)"
        )
