"""MLIR contexts with the vtile dialects loaded and the vtile passes registered.

The dialects live in a native library (libVTileCAPI.so) linked against the
`mlir` package's own libMLIRPythonCAPI.so, so they share its single MLIR
instance. We call it through ctypes with the context's C API pointer.
"""

from __future__ import annotations

import ctypes
import enum
import functools
from importlib import resources

from mlir import ir
from mlir.passmanager import PassManager

from vtile.errors import InstallError

_LIBRARY = "libVTileCAPI.so"
_CONTEXT_CAPSULE = b"mlir.ir.Context._CAPIPtr"
_PASS_MANAGER_CAPSULE = b"mlir.passmanager.PassManager._CAPIPtr"
_OPERATION_CAPSULE = b"mlir.ir.Operation._CAPIPtr"


class _MlirContext(ctypes.Structure):
    """mlir-c's `MlirContext`: a struct holding one pointer."""

    _fields_ = [("ptr", ctypes.c_void_p)]


class _MlirOperation(ctypes.Structure):
    """mlir-c's `MlirOperation`: a struct holding one pointer."""

    _fields_ = [("ptr", ctypes.c_void_p)]


class _MlirStringRef(ctypes.Structure):
    """mlir-c's `MlirStringRef`: a pointer and a length."""

    _fields_ = [("data", ctypes.c_char_p), ("length", ctypes.c_size_t)]


class _MlirPassManager(ctypes.Structure):
    """mlir-c's `MlirPassManager`: a struct holding one pointer."""

    _fields_ = [("ptr", ctypes.c_void_p)]


@functools.cache
def _native() -> ctypes.PyDLL:
    path = resources.files("vtile") / "_native" / _LIBRARY
    if not path.is_file():
        raise InstallError(
            f"vtile's native library {_LIBRARY} is missing; "
            "reinstall vtile with `pip install .` from the repository"
        )
    # PyDLL keeps the GIL during calls: passes emit diagnostics to the
    # bindings' Python handlers, which expect to hold it.
    library = ctypes.PyDLL(str(path))
    library.vtileContextLoadDialects.argtypes = [_MlirContext]
    library.vtileContextLoadDialects.restype = None
    library.vtileRunPassManagerSafely.argtypes = [_MlirPassManager, _MlirOperation]
    library.vtileRunPassManagerSafely.restype = ctypes.c_int
    library.vtileTargetLevelCapacity.argtypes = [_MlirOperation, _MlirStringRef]
    library.vtileTargetLevelCapacity.restype = ctypes.c_int64
    library.vtileRegisterPasses.argtypes = []
    library.vtileRegisterPasses.restype = None
    library.vtileRegisterPasses()
    return library


def _capsule_pointer(capsule: object, name: bytes) -> int:
    get_pointer = ctypes.pythonapi.PyCapsule_GetPointer
    get_pointer.restype = ctypes.c_void_p
    get_pointer.argtypes = [ctypes.py_object, ctypes.c_char_p]
    return get_pointer(capsule, name)


def _capi_context(context: ir.Context) -> _MlirContext:
    return _MlirContext(_capsule_pointer(context._CAPIPtr, _CONTEXT_CAPSULE))


class PassOutcome(enum.IntEnum):
    """What `run_pass_manager_safely` saw (vtileRunPassManagerSafely's codes)."""

    SUCCEEDED = 0
    FAILED = 1  # with error diagnostics
    CRASHED = 2  # a pass aborted or faulted; recovered from


def run_pass_manager_safely(manager: PassManager, operation: ir.Operation) -> PassOutcome:
    """Runs `manager` on `operation` so that a pass that aborts (a failed
    assertion) or faults is reported instead of killing the process.
    Diagnostics go to the context's handlers, as with `manager.run`."""
    return PassOutcome(_native().vtileRunPassManagerSafely(
        _MlirPassManager(_capsule_pointer(manager._CAPIPtr, _PASS_MANAGER_CAPSULE)),
        _MlirOperation(_capsule_pointer(operation._CAPIPtr, _OPERATION_CAPSULE)),
    ))  # fmt: skip


def target_level_capacity(operation: ir.Operation, level: str) -> int | None:
    """Bytes memory level `level` of the `#tile.target` in scope at
    `operation` holds; None if no target is in scope or it lacks the level."""
    name = level.encode()
    capacity = _native().vtileTargetLevelCapacity(
        _MlirOperation(_capsule_pointer(operation._CAPIPtr, _OPERATION_CAPSULE)),
        _MlirStringRef(name, len(name)),
    )
    return None if capacity < 0 else capacity


def load_dialects(context: ir.Context) -> ir.Context:
    """Loads `tile` and `dataflow` into `context` and registers vtile's passes.

    Returns the same context, so that `load_dialects(ir.Context())` reads well.
    """
    _native().vtileContextLoadDialects(_capi_context(context))
    return context


def make_context() -> ir.Context:
    """A new `mlir.ir.Context` with every upstream dialect plus vtile's."""
    return load_dialects(ir.Context())
