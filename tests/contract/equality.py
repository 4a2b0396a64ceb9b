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


def assert_same_frame(got: pd.DataFrame, want: pd.DataFrame, what: str = "") -> None:
    """Same columns, same rows in the same order; integers and text exact, floats to TOLERANCE, NaN == NaN."""
    assert list(got.columns) == list(want.columns), f"{what}: columns {list(got.columns)} != {list(want.columns)}"
    assert len(got) == len(want), f"{what}: {len(got)} rows, expected {len(want)}"
    for column in want.columns:
        a, b = got[column].reset_index(drop=True), want[column].reset_index(drop=True)
        if pd.api.types.is_float_dtype(b) or pd.api.types.is_float_dtype(a):
            x, y = a.to_numpy(dtype=float), b.to_numpy(dtype=float)
            same_nan = np.isnan(x) == np.isnan(y)
            close = np.isclose(x, y, rtol=0.0, atol=TOLERANCE) | (np.isnan(x) & np.isnan(y))
            bad = np.flatnonzero(~(same_nan & close))
        elif pd.api.types.is_integer_dtype(b):
            x, y = a.to_numpy(dtype=np.int64), b.to_numpy(dtype=np.int64)
            bad = np.flatnonzero(x != y)
        else:
            x, y = a.astype(str).to_numpy(), b.astype(str).to_numpy()
            bad = np.flatnonzero(x != y)
        assert len(bad) == 0, f"{what}: column {column!r} differs at rows {bad[:5].tolist()}: {x[bad[:5]]} != {y[bad[:5]]}"


def assert_same_cohorts(got, want, what: str = "") -> None:
    """Two CohortTables: the same cohorts, sizes, customers, and cells (exact counts, money to TOLERANCE)."""
    assert (got.granularity, got.basis) == (want.granularity, want.basis), what
    assert [r.label for r in got.rows] == [r.label for r in want.rows], f"{what}: cohorts differ"
    for a, b in zip(got.rows, want.rows, strict=True):
        assert a.customers == b.customers, f"{what} {b.label}: {a.customers} customers != {b.customers}"
        assert len(a.values) == len(b.values), f"{what} {b.label}: {len(a.values)} cells != {len(b.values)}"
        assert np.allclose(a.values, b.values, rtol=0, atol=TOLERANCE), f"{what} {b.label}: {a.values} != {b.values}"
        assert np.allclose(a.percent, b.percent, rtol=0, atol=TOLERANCE), f"{what} {b.label}: {a.percent} != {b.percent}"
        assert abs(float(a.size) - float(b.size)) <= TOLERANCE, f"{what} {b.label}: size {a.size} != {b.size}"
