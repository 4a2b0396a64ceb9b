"""Churn reasons and the report's customer list on every engine (issue 18): the same hand-worked churns.

Fixture tests/fixtures/churn_reasons (worked in tests/test_churn_reasons.py).  The database engines keep no
row-level subscriptions in Python, so the billing-status split is not asked of them: e's churn (unpaid, no
record) is "unknown" without the subscriptions table and "involuntary" with it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from retention.churn_reasons import by_reason, match_reasons
from retention.dataset import load_dataset
from retention.engine import Query
from retention.report.customers import movers

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "churn_reasons"
Q = Query(granularity="month", as_of=pd.Timestamp("2024-06-30"))


@pytest.fixture(scope="module")
def data():
    return load_dataset(FIXTURES / "subscriptions.csv", FIXTURES / "customers.csv",
                        churn_reasons=FIXTURES / "churn_events.csv")


def test_churns_matched_to_reasons(engine_factory, data) -> None:
    engine = engine_factory(data.subscriptions.table, data.customers_table)
    found = match_reasons(engine, Q, data.churn_reasons.table)
    churns = found.churns.sort_values(["period", "mrr_churned"], ascending=[True, False])
    assert churns[["period", "customer_id", "customer_name", "mrr_churned", "reason", "churn_type"]].values.tolist() == [
        ["2024-02", "f", "Foxtrot AG", 150.0, "missing features", "voluntary"],
        ["2024-03", "b", "Beta BV", 200.0, "payment failed", "involuntary"],
        ["2024-03", "a", "Acme GmbH", 100.0, "pricing", "voluntary"],
        ["2024-03", "e", "Echo SRL", 80.0, "", "unknown"],
        ["2024-04", "c", "Cobalt SA", 50.0, "pricing", "voluntary"],
    ]
    assert by_reason(found)[["reason", "customers", "mrr_churned"]].values.tolist() == [
        ["payment failed", 1, 200.0], ["pricing", 2, 150.0], ["missing features", 1, 150.0], ["", 1, 80.0]]
    assert found.unmatched["customer_id"].tolist() == ["d"]
    germany = match_reasons(engine, Q.but(segment=("country", "DE")), data.churn_reasons.table)
    assert sorted(germany.churns["customer_id"]) == ["a", "f"]


def test_report_movers_with_names(engine_factory, data) -> None:
    engine = engine_factory(data.subscriptions.table, data.customers_table)
    frame = movers(engine, Q, "2024-03", data.churn_reasons.table)
    assert frame.values.tolist() == [["Beta BV", "b", "churned", 200.0, 0.0, "payment failed"],
                                     ["Acme GmbH", "a", "churned", 100.0, 0.0, "pricing"],
                                     ["Echo SRL", "e", "churned", 80.0, 0.0, ""]]
