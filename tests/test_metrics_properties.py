"""Properties of the NumPy engine's internals on random subscription tables.

The engine-level properties (identities, the oracle, granularities, windows, segments) run against
every engine in tests/contract/test_metrics_properties.py; this file keeps what only the snapshot
matrix has, on the same generated tables.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given

from retention.engine import build_model
from retention.engine.snapshots import Changes
from tests.contract.test_metrics_properties import SETTINGS, as_of_days, subscription_tables


@SETTINGS
@given(subs=subscription_tables(), as_of=as_of_days)
def test_monthly_changes_read_while_building_equal_the_matrix_differences(subs: pd.DataFrame, as_of) -> None:
    """`build_model` reads the monthly changes from its difference array; they must be the matrix's own changes."""
    model = build_model(subs, as_of)
    cached = model.changes("month")
    fresh = Changes.from_matrix(model.periods("month"), model.mrr)
    for name in ("row", "col", "prev", "cur", "first"):
        np.testing.assert_array_equal(getattr(cached, name), getattr(fresh, name), err_msg=name)
