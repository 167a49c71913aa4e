"""Progress and rich tables for the CLI."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from rich.console import Console
from rich.status import Status
from rich.table import Column, Table

from vtile.bench import Comparison
from vtile.numerics import ATOL, RTOL, NumericsCheck


class Steps:
    """Announces long steps: a spinner on a terminal, plain lines in logs
    and CI. Use as a context manager; call it with each step's message."""

    def __init__(self, console: Console):
        self._console = console
        self._status: Status | None = None

    def __call__(self, message: str) -> None:
        if not self._console.is_terminal:
            self._console.print(f"… {message}", highlight=False)
        elif self._status is None:
            self._status = self._console.status(message)
            self._status.start()
        else:
            self._status.update(message)

    def __enter__(self) -> Steps:
        return self

    def __exit__(self, *exception: object) -> None:
        if self._status is not None:
            self._status.stop()


def numerics_table(rows: Sequence[tuple[str, str, NumericsCheck]], reference: str) -> Table:
    table = Table(
        "model", "target", "max abs error", "max rel error", f"within rtol {RTOL:g}, atol {ATOL:g}",
        title=f"numerics against {reference}",
    )  # fmt: skip
    for model, target, check in rows:
        table.add_row(
            model,
            target,
            f"{check.max_abs_error:.2e}",
            f"{check.max_rel_error:.2e}",
            "[green]yes" if check.passed else "[red]NO",
        )
    return table


def outputs_table(outputs: Sequence[np.ndarray]) -> Table:
    table = Table("output", "shape", "dtype", "min", "max", "mean", title="results")
    for index, output in enumerate(outputs):
        numeric = output.astype(np.float64)
        table.add_row(
            str(index),
            "x".join(map(str, output.shape)),
            str(output.dtype),
            *(f"{value:.6g}" for value in (numeric.min(), numeric.max(), numeric.mean())),
        )
    return table


def bench_table(comparisons: Sequence[Comparison]) -> Table:
    table = Table(
        "model", "target", Column("pipeline", no_wrap=True), "median ± cv",
        "local-sync median", "DEVICE_LOCAL peak", "scheduled transients", "latency ratio",
        "local-sync latency ratio", "memory ratio", "transient ratio",
        title="vtile vs IREE (ratio = vtile / IREE; < 1 is better)",
    )  # fmt: skip
    for comparison in comparisons:
        sync = comparison.sync_latency_ratio
        baseline = comparison.baseline.pipeline
        for label, measurement, ratios in (
            ("IREE default" if baseline == "none" else f"IREE ({baseline})", comparison.baseline,
             ("1.00", "-" if sync is None else "1.00", "1.00", "1.00")),
            (
                f"vtile '{comparison.candidate.pipeline}'",
                comparison.candidate,
                (f"{comparison.latency_ratio:.2f}", "-" if sync is None else f"{sync:.2f}",
                 f"{comparison.memory_ratio:.2f}", f"{comparison.transient_ratio:.2f}"),
            ),
        ):
            table.add_row(
                comparison.model,
                comparison.target,
                label,
                f"{measurement.median_ms:.3f} ms ± {measurement.latency_cv:.0%}",
                "-" if measurement.sync_median_ms is None else f"{measurement.sync_median_ms:.3f} ms",
                f"{measurement.device_local_peak_bytes:,} B",
                f"{measurement.scheduled_transient_bytes:,} B",
                *ratios,
            )
    table.caption = ("median: local-task on llvm-cpu (one worker per CPU); local-sync: the "
                     "caller's thread alone")
    if any(comparison.target == "vulkan-spirv" for comparison in comparisons):
        table.caption += (
            "; vulkan-spirv peaks are a fixed 64 MiB pool plus inputs and outputs (IREE 3.13): "
            "scheduled transients (IREE's compile statistics) are its memory measure"
        )
    return table
