"""Linalg-on-tensors given as MLIR text (a `.mlir` file or a string), and
the checks every front end's output must pass."""

from __future__ import annotations

import re
from pathlib import Path

from mlir import ir
from mlir.dialects import func

from vtile.errors import VtileError


def parse_module(text: str, context: ir.Context, source: str) -> ir.Module:
    """Parses and verifies `text`; `source` names it in error messages."""
    try:
        module = ir.Module.parse(text, context)
        module.operation.verify()
    except ir.MLIRError as error:
        raise VtileError(_describe(error, text, source)) from None
    require_static_entry_points(module, source)
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
        raise VtileError(f"no such file: {path}")
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as error:
        raise VtileError(f"cannot read {path}: {error}") from None
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


def require_static_entry_points(module: ir.Module, source: str) -> None:
    """vtile plans tiles from static shapes; reject dynamic ones up front."""
    functions = entry_points(module)
    if not functions:
        raise VtileError(f"{source} has no public function to compile")
    for function in functions:
        ftype = ir.FunctionType(ir.TypeAttr(function.attributes["function_type"]).value)
        for kind, types in (("argument", ftype.inputs), ("result", ftype.results)):
            for index, value_type in enumerate(types):
                if isinstance(value_type, ir.ShapedType) and not value_type.has_static_shape:
                    raise VtileError(
                        f"{source}: @{function.name.value} {kind} {index} has dynamic "
                        f"shape {value_type}; vtile needs static shapes "
                        "(export the model with fixed input sizes)"
                    )
