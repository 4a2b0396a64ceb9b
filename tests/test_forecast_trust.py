"""The simple LTV keeps its METRICS.md value but says what it rests on, and when not to quote it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

from retention.forecasts.trust import simple_ltv_support


def monthly(churned: list[int], lifetime: float | None = 20.0, ltv: float | None = 2000.0) -> pd.DataFrame:
    n = len(churned)
    return pd.DataFrame({
        "period": [f"2024-{m:02d}" for m in range(1, n + 1)],
        "customers_churned": churned,
        "customer_lifetime_months": [lifetime] * n,
        "ltv": [ltv] * n,
    })


def test_counts_the_churns_of_the_six_months_behind_the_number():
    table = monthly([5, 0, 1, 0, 0, 0, 0, 1])
    last = simple_ltv_support(table)
    assert last.months == ["2024-03", "2024-04", "2024-05", "2024-06", "2024-07", "2024-08"]
    assert last.churned == 2 and last.reason == "too_few_churns" and not last.trusted
    # A quarter reads the six months to its last month: Q1 2024 → January to March (5 + 0 + 1).
    q1 = simple_ltv_support(table, "2024-Q1")
    assert q1.churned == 6 and q1.months == ["2024-01", "2024-02", "2024-03"]


def test_enough_churn_is_trusted_unless_the_lifetime_runs_past_ten_years():
    assert simple_ltv_support(monthly([2, 2, 2, 2, 2, 2])).trusted
    long = simple_ltv_support(monthly([2, 2, 2, 2, 2, 2], lifetime=192 * 12))
    assert long.reason == "long_lifetime" and not long.trusted
    # No churn at all: METRICS.md makes the LTV null, and there is nothing to warn about.
    none = simple_ltv_support(monthly([0] * 6, lifetime=None, ltv=None))
    assert none.ltv is None and none.reason is None


def test_overview_says_what_the_ltv_card_rests_on():
    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=120)
    at.run()
    assert not at.exception
    note = next(c.value for c in at.caption if c.value.startswith("LTV = ARPA"))
    assert "customers who left in the six months to 2026-10" in note
    from retention import Query
    from ui.state import load_sample

    history = load_sample().engine().metrics(Query(granularity="month"))
    assert f"from {int(history['customers_churned'].tail(6).sum())} customers" in note
