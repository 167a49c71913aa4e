"""Comparing compiled outputs with the framework's own (fp32)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# fp32 with a different summation order: 1e-5 relative, plus an absolute
# floor for outputs near zero, where relative error is meaningless.
RTOL = 1e-5
ATOL = 1e-5


@dataclass(frozen=True)
class NumericsCheck:
    max_abs_error: float
    max_rel_error: float  # over elements whose reference is above ATOL
    passed: bool  # every element within ATOL + RTOL * |reference|


def check_outputs(
    actual: Sequence[np.ndarray],
    expected: Sequence[np.ndarray],
    rtol: float = RTOL,
    atol: float = ATOL,
) -> NumericsCheck:
    if len(actual) != len(expected):
        return NumericsCheck(float("inf"), float("inf"), False)
    max_abs, max_rel, passed = 0.0, 0.0, True
    for got, want in zip(actual, expected):
        want = np.asarray(want)
        if got.shape != want.shape:
            return NumericsCheck(float("inf"), float("inf"), False)
        error = np.abs(got.astype(np.float64) - want.astype(np.float64))
        magnitude = np.abs(want.astype(np.float64))
        max_abs = max(max_abs, float(error.max(initial=0.0)))
        large = magnitude > atol
        max_rel = max(max_rel, float((error[large] / magnitude[large]).max(initial=0.0)))
        passed = passed and bool(np.all(error <= atol + rtol * magnitude))
    return NumericsCheck(max_abs, max_rel, passed)
