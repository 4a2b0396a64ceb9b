"""The one equality every engine is held to: counts exactly, money and rates to `TOLERANCE`, null = null."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

TOLERANCE = 1e-6
EXACT = ("customers_start", "customers_end", "customers_new", "customers_reactivated", "customers_churned")


def assert_same_table(actual: pd.DataFrame, expected: pd.DataFrame, *, exact: tuple[str, ...] = EXACT) -> None:
    """Same columns, same rows in the same order; numbers equal within TOLERANCE (exact for counts); NaN == NaN."""
    assert list(actual.columns) == list(expected.columns), (list(actual.columns), list(expected.columns))
    assert len(actual) == len(expected), (len(actual), len(expected))
    problems = []
    for column in expected.columns:
        got, want = actual[column].to_numpy(), expected[column].to_numpy()
        if column in exact or not (np.issubdtype(np.asarray(want).dtype, np.number)):
            same = [a == b or (_null(a) and _null(b)) for a, b in zip(got, want, strict=True)]
        else:
            same = [_close(a, b) for a, b in zip(got, want, strict=True)]
        problems += [f"{column}[{i}]: {got[i]!r} != {want[i]!r}" for i, ok in enumerate(same) if not ok]
    assert not problems, "; ".join(problems[:20])


def assert_close(actual: float | None, expected: float | None) -> None:
    assert _close(actual, expected), (actual, expected)


def _null(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT


def _close(a: object, b: object) -> bool:
    if _null(a) or _null(b):
        return _null(a) and _null(b)
    return abs(float(a) - float(b)) <= TOLERANCE * max(1.0, abs(float(b)))
