"""Errors a user can cause, one class per kind, each with the exit code the
CLI ends with (`vtile --help` and docs/errors.md list them). The CLI prints the
message as one line; the Python API raises the class."""


class VtileError(Exception):
    """A problem with the user's input or installation, with a clear message."""

    exit_code = 1


class UsageError(VtileError):
    """Options or input arrays that do not fit together."""

    exit_code = 2


class ModelError(VtileError):
    """The model cannot be read, or uses something vtile does not take."""

    exit_code = 3


class BudgetError(VtileError):
    """No fusion plan fits the memory budget."""

    exit_code = 4


class TargetError(VtileError):
    """The target is unknown, or its device is not on this machine."""

    exit_code = 5


class OutputError(VtileError):
    """An output file cannot be written."""

    exit_code = 6


class CompileError(VtileError):
    """A compiler stage (vtile's or IREE's) failed on a valid model."""

    exit_code = 7


class RunError(VtileError):
    """The compiled module failed to run or to be measured."""

    exit_code = 8


class InstallError(VtileError):
    """vtile or IREE is not installed right."""

    exit_code = 9


# (code, meaning) for help texts, in code order; 1 is `vtile run`'s
# numerics mismatch, 2 also covers argparse's own usage errors.
EXIT_CODES = (
    (1, "vtile run: the outputs differ from the framework's"),
    *((kind.exit_code, kind.__doc__[0].lower() + kind.__doc__[1:].rstrip(".")) for kind in (
        UsageError, ModelError, BudgetError, TargetError, OutputError, CompileError, RunError,
        InstallError,
    )),
)  # fmt: skip
