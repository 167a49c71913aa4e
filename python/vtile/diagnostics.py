"""Collecting MLIR diagnostics (remarks, warnings, errors) as Python data."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

from mlir import ir


@dataclass(frozen=True)
class Diagnostic:
    severity: str  # "error", "warning", "note" or "remark"
    message: str
    location: str


_SEVERITIES = {
    ir.DiagnosticSeverity.ERROR: "error",
    ir.DiagnosticSeverity.WARNING: "warning",
    ir.DiagnosticSeverity.NOTE: "note",
    ir.DiagnosticSeverity.REMARK: "remark",
}


@contextlib.contextmanager
def collect_diagnostics(context: ir.Context) -> Iterator[list[Diagnostic]]:
    """Within the block, diagnostics emitted in `context` are appended to the
    yielded list instead of being printed."""
    collected: list[Diagnostic] = []

    def handle(diagnostic: ir.Diagnostic) -> bool:
        collected.append(
            Diagnostic(
                _SEVERITIES[diagnostic.severity],
                diagnostic.message,
                str(diagnostic.location),
            )
        )
        return True

    handler = context.attach_diagnostic_handler(handle)
    try:
        yield collected
    finally:
        handler.detach()
