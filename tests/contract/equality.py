"""The one equality every engine is held to (tolerances set here, once, as Ibis' backend suite does).

Counts must be equal exactly; money and rates to 1e-6; NaN (null) equals only NaN.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

TOLERANCE = 1e-6


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
