"""Properties of the NumPy engine's internals on random subscription tables.

The engine-level properties (identities, the oracle, granularities, windows, segments) run against
every engine in tests/contract/test_metrics_properties.py; this file keeps what only the snapshot
matrix has, on the same generated tables.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

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


@SETTINGS
@given(subs=subscription_tables(), as_of=as_of_days)
def test_coarse_snapshots_summed_from_spans_equal_the_matrix_columns(subs: pd.DataFrame, as_of) -> None:
    """Before the matrix is built a quarter or year query sums only its own columns from the spans:
    the same matrix columns and the same changes as once the full matrix exists."""
    for granularity in ("quarter", "year"):
        cold = build_model(subs, as_of)
        periods, columns = cold.matrix(granularity)
        changes = cold.changes(granularity)
        assert not cold.matrix_built or len(cold.customer_ids) == 0  # a table without paid spans has its (empty) matrix
        warm = build_model(subs, as_of)
        full = warm.mrr[:, warm.columns(warm.periods(granularity))]
        np.testing.assert_array_equal(columns, full)
        reference = Changes.from_matrix(periods, full)
        for name in ("row", "col", "prev", "cur", "first"):
            np.testing.assert_array_equal(getattr(changes, name), getattr(reference, name), err_msg=f"{granularity} {name}")


@SETTINGS
@given(subs=subscription_tables(), as_of=as_of_days, pick=st.integers(0, 2**7 - 1))
def test_monthly_churn_from_runs_equals_the_monthly_movements(subs: pd.DataFrame, as_of, pick: int) -> None:
    """Lifetime reads monthly churn off each customer's runs of active months; the counts must be the
    matrix's own (customers at the start of each month, customers churned), for any set of customers."""
    model = build_model(subs, as_of)
    n = len(model.customer_ids)
    rows = np.array([bool(pick >> (i % 7) & 1) for i in range(n)], dtype=bool)
    start, churned = model.runs().monthly_churn(len(model.months), rows)
    active = model.mrr[rows] > 0
    before = np.zeros_like(active)  # active at the month before (nobody before the first)
    before[:, 1:] = active[:, :-1]
    np.testing.assert_array_equal(start, before.sum(axis=0))
    np.testing.assert_array_equal(churned, (before & ~active).sum(axis=0))


def _renewed_by_pairs(spans: pd.DataFrame) -> np.ndarray:
    """METRICS.md §5 literally: an ending span is renewed when another span of its customer runs on its end day."""
    out = np.zeros(len(spans), dtype=bool)
    for i, span in spans.iterrows():
        if pd.isna(span["end"]):
            continue
        day = span["end"]
        others = spans[(spans["code"] == span["code"]) & (spans.index != i)]
        out[i] = bool(((others["start"] <= day) & (others["end"].isna() | (others["end"] > day))).any())
    return out


@SETTINGS
@given(subs=subscription_tables(), hours=st.lists(st.integers(0, 23), min_size=14, max_size=14))
def test_renewed_spans_equal_the_pairwise_definition(subs: pd.DataFrame, hours: list[int]) -> None:
    """Renewals are found by a binary search over spans sorted by customer and start; whole days and
    instants with a time of day must both give what comparing every pair of a customer's spans gives."""
    from retention.engine.metrics import _renewed

    for table in (subs, subs.assign(end_date=subs["end_date"] + pd.to_timedelta(hours[: len(subs)], unit="h"))):
        model = build_model(table, None)
        np.testing.assert_array_equal(_renewed(model), _renewed_by_pairs(model.spans))


def test_a_cold_yearly_query_does_not_build_the_monthly_matrix() -> None:
    """A yearly query on a fresh engine answers from its year-end snapshots and monthly runs, with the
    numbers a warm engine (full matrix built first) gives, hand-computed below."""
    import pytest

    from retention.engine import NumpyEngine, Query

    subs = pd.DataFrame({
        "customer_id": ["a", "a", "b", "c", "c"],
        "start_date": pd.to_datetime(["2019-01-10", "2020-01-10", "2019-06-01", "2019-02-01", "2021-03-01"]),
        "end_date": pd.to_datetime(["2020-01-10", None, "2019-09-01", "2019-12-15", "2022-01-15"]),
        "mrr": [100.0, 150.0, 40.0, 25.0, 25.0],
    })
    cold = NumpyEngine(subs)
    yearly = cold.metrics(Query(granularity="year"))
    assert not cold.model().matrix_built
    warm = NumpyEngine(subs)
    warm.metrics(Query(granularity="month"))
    assert warm.model().matrix_built
    pd.testing.assert_frame_equal(pd.DataFrame(yearly), pd.DataFrame(warm.metrics(Query(granularity="year"))))
    assert list(yearly["period"]) == ["2019", "2020", "2021"]
    assert list(yearly["customers_end"]) == [1, 1, 2]  # a; a; a and c
    # c paid in 2019 but at no year-end before 2021: new in 2021 at this granularity (§3)
    assert list(yearly["customers_new"]) == [1, 0, 1]
    assert list(yearly["mrr_expansion"]) == [0.0, 50.0, 0.0]
    # Monthly churn Jul–Dec 2019: b leaves in September (1 of 3), c in December (1 of 2):
    # mean (1/3 + 1/2) / 6 = 5/36, lifetime 36/5 = 7.2 months.
    assert yearly["customer_lifetime_months"].iloc[0] == pytest.approx(7.2)
    # Ending in 2019: b and c's first span, neither renewed; in 2020 a's first span, renewed the same day.
    assert yearly["renewal_rate"].iloc[0] == 0.0
    assert yearly["renewal_rate"].iloc[1] == 100.0
    assert np.isnan(yearly["renewal_rate"].iloc[2])


@SETTINGS
@given(subs=subscription_tables(), as_of=as_of_days, pick=st.integers(0, 2**7 - 1))
def test_first_runs_for_survival_equal_the_matrix_reading(subs: pd.DataFrame, as_of, pick: int) -> None:
    """Survival durations come from each customer's runs; reading the matrix (first active month to
    the first inactive one after it, censored at the last snapshot) must give the same rows."""
    from retention.engine.survival import lifetimes

    model = build_model(subs, as_of)
    rows = np.array([bool(pick >> (i % 7) & 1) for i in range(len(model.customer_ids))], dtype=bool)
    for chosen in (None, rows):
        active = model.mrr > 0
        index = np.arange(len(model.customer_ids))
        if chosen is not None:
            active, index = active[chosen], index[chosen]
        ever = active.any(axis=1)
        active, index = active[ever], index[ever]
        if active.size == 0:
            assert lifetimes(model, chosen).empty
            continue
        first = np.argmax(active, axis=1)
        ended = (np.cumsum(active, axis=1) > 0) & ~active
        has_end = ended.any(axis=1)
        stop = np.where(has_end, np.argmax(ended, axis=1), active.shape[1])
        life = lifetimes(model, chosen)
        np.testing.assert_array_equal(life["row"].to_numpy(), index)
        np.testing.assert_array_equal(life["customer_id"].to_numpy(), model.customer_ids[index].to_numpy())
        np.testing.assert_array_equal(life["duration"].to_numpy(), stop - first)
        np.testing.assert_array_equal(life["event"].to_numpy(), has_end.astype(np.int64))


def _cohort_cells_from_matrix(model, granularity: str, basis: str, lo: int, hi: int) -> dict[int, list[float]]:
    """METRICS.md §6 read off the matrix: cohort = first active snapshot, cells = active customers (or
    their MRR) at each later snapshot inside the window; {cohort position: cells}."""
    _, mrr = model.matrix(granularity)
    active = mrr > 0
    out: dict[int, list[float]] = {}
    for row in range(len(active)):
        if not active[row].any():
            continue
        k = int(np.argmax(active[row]))
        if not lo <= k < hi:
            continue
        cells = out.setdefault(k, [0.0] * (hi - k))
        for j in range(k, hi):
            if active[row, j]:
                cells[j - k] += 1.0 if basis == "customers" else mrr[row, j] / 1_000_000
    return out


@SETTINGS
@given(subs=subscription_tables(), as_of=as_of_days, cut=st.integers(0, 3))
def test_cohorts_from_runs_equal_the_matrix_reading(subs: pd.DataFrame, as_of, cut: int) -> None:
    """Cohort tables are summed from runs and spans; they must equal the cells read off the matrix."""
    from retention.engine.cohorts import cohort_table
    from retention.periods import label

    model = build_model(subs, as_of)
    for granularity in ("month", "quarter", "year"):
        periods = model.periods(granularity)
        hi = max(0, len(periods) - cut)
        end = label(periods[hi - 1]) if hi else None
        for basis in ("customers", "revenue"):
            if hi == 0:
                continue
            table = cohort_table(model, granularity, basis, None, end)
            want = _cohort_cells_from_matrix(model, granularity, basis, 0, hi)
            got = {list(periods).index(row.period): row.values for row in table.rows}
            assert sorted(got) == sorted(want), (granularity, basis)
            for k, cells in want.items():
                np.testing.assert_allclose(got[k], cells, rtol=0, atol=1e-9, err_msg=f"{granularity} {basis} {k}")
