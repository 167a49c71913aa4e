"""vtile: vertical tiling fusion for edge inference, on MLIR and IREE.

`import vtile` gives MLIR contexts (from the upstream `mlir` package) that
know the `tile` and `dataflow` dialects and run the vtile passes, and
`vtile.compile(...)` takes a PyTorch, ONNX or `.mlir` model to an IREE module
that runs on numpy arrays.
"""

from vtile.compiler import CompiledModel, compile
from vtile.context import load_dialects, make_context
from vtile.dialects import dataflow, tile  # registers the op classes
from vtile.errors import (
    BudgetError,
    CompileError,
    InstallError,
    ModelError,
    OutputError,
    RunError,
    TargetError,
    UsageError,
    VtileError,
)

__all__ = [
    "BudgetError",
    "CompileError",
    "CompiledModel",
    "InstallError",
    "ModelError",
    "OutputError",
    "RunError",
    "TargetError",
    "UsageError",
    "VtileError",
    "compile",
    "dataflow",
    "load_dialects",
    "make_context",
    "tile",
]
