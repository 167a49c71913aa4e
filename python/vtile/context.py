"""MLIR contexts with the vtile dialects loaded and the vtile passes registered.

The dialects live in a native library (libVTileCAPI.so) linked against the
`mlir` package's own libMLIRPythonCAPI.so, so they share its single MLIR
instance. We call it through ctypes with the context's C API pointer.
"""

from __future__ import annotations

import ctypes
import functools
from importlib import resources

from mlir import ir

from vtile.errors import InstallError

_LIBRARY = "libVTileCAPI.so"
_CONTEXT_CAPSULE = b"mlir.ir.Context._CAPIPtr"


class _MlirContext(ctypes.Structure):
    """mlir-c's `MlirContext`: a struct holding one pointer."""

    _fields_ = [("ptr", ctypes.c_void_p)]


@functools.cache
def _native() -> ctypes.CDLL:
    path = resources.files("vtile") / "_native" / _LIBRARY
    if not path.is_file():
        raise InstallError(
            f"vtile's native library {_LIBRARY} is missing; "
            "reinstall vtile with `pip install .` from the repository"
        )
    library = ctypes.CDLL(str(path))
    library.vtileContextLoadDialects.argtypes = [_MlirContext]
    library.vtileContextLoadDialects.restype = None
    library.vtileRegisterPasses.argtypes = []
    library.vtileRegisterPasses.restype = None
    library.vtileRegisterPasses()
    return library


def _capi_context(context: ir.Context) -> _MlirContext:
    get_pointer = ctypes.pythonapi.PyCapsule_GetPointer
    get_pointer.restype = ctypes.c_void_p
    get_pointer.argtypes = [ctypes.py_object, ctypes.c_char_p]
    return _MlirContext(get_pointer(context._CAPIPtr, _CONTEXT_CAPSULE))


def load_dialects(context: ir.Context) -> ir.Context:
    """Loads `tile` and `dataflow` into `context` and registers vtile's passes.

    Returns the same context, so that `load_dialects(ir.Context())` reads well.
    """
    _native().vtileContextLoadDialects(_capi_context(context))
    return context


def make_context() -> ir.Context:
    """A new `mlir.ir.Context` with every upstream dialect plus vtile's."""
    return load_dialects(ir.Context())
