"""Churn reasons matched to the churned customers of the movement table, broken down by reason, period,
type and segment (issue 18).  Expected values are worked out by hand from the fixture:

subscriptions (monthly MRR, end exclusive)      reasons (churn_events.csv)
a Basic 100  2024-01-01 → 2024-03-15  DE       a 2024-03-15 pricing            "too expensive for us", refund 10.50
b Pro   200  2024-01-01 → 2024-03-01  NL       b 2024-02-20 payment_failed     (cancelled before the term ended)
c Basic  50  2024-01-01 → 2024-04-10  FR       c 2024-04-10 Pricing            "switched to a competitor"
d Pro   300  2024-01-01 → (running)   IT       d 2024-03-05 support            (d never churned)
e Basic  80  2024-02-01 → 2024-03-20  RO, status unpaid, no record
f Pro   150  2024-01-01 → 2024-02-10  DE       f 2024-02-10 missing_features   "no API"

Monthly churns: 2024-02 f 150; 2024-03 a 100, b 200 (paying at Feb 29, not at Mar 31), e 80; 2024-04 c 50.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from retention.churn_reasons import by_kind, by_period, by_reason, by_segment, comments, match_reasons
from retention.dataset import load_dataset
from retention.engine import Query
from retention.figures.churn_reasons import kinds_by_period, reasons_by_period, reasons_ranked

FIXTURES = Path(__file__).parent / "fixtures" / "churn_reasons"
AS_OF = pd.Timestamp("2024-06-30")


@pytest.fixture(scope="module")
def data():
    return load_dataset(FIXTURES / "subscriptions.csv", FIXTURES / "customers.csv",
                        churn_reasons=FIXTURES / "churn_events.csv")


@pytest.fixture(scope="module")
def found(data):
    query = Query(granularity="month", as_of=AS_OF)
    return match_reasons(data.engine(), query, data.churn_reasons.table, data.subscriptions.table)


def test_every_churn_of_the_movement_table_is_listed_with_its_reason(found, data) -> None:
    churns = found.churns.set_index(["period", "customer_id"])
    assert list(churns.index) == [("2024-02", "f"), ("2024-03", "b"), ("2024-03", "a"), ("2024-03", "e"),
                                  ("2024-04", "c")]
    assert churns["mrr_churned"].tolist() == [150.0, 200.0, 100.0, 80.0, 50.0]
    assert churns["customer_name"].tolist() == ["Foxtrot AG", "Beta BV", "Acme GmbH", "Echo SRL", "Cobalt SA"]
    # "Pricing" (c) is grouped with "pricing" (a), the spelling seen first; b's record 10 days before its churn window
    assert churns["reason"].tolist() == ["missing features", "payment failed", "pricing", "", "pricing"]
    assert churns["churn_type"].tolist() == ["voluntary", "involuntary", "voluntary", "involuntary", "voluntary"]
    assert churns["churn_type_from"].tolist() == ["reason", "reason", "reason", "status", "reason"]
    assert churns.loc[("2024-03", "a"), "refund"] == pytest.approx(10.5)
    metrics = data.engine().metrics(Query(granularity="month", as_of=AS_OF)).set_index("period")
    per_period = found.churns.groupby("period")["mrr_churned"].sum()
    assert per_period.to_dict() == {p: metrics.loc[p, "mrr_churned"] for p in per_period.index}


def test_coverage_and_cancellations_without_a_churn(found) -> None:
    assert found.coverage() == {"churned": 5, "with_reason": 4, "without_reason": 1, "share_with_reason": 80.0,
                                "records_without_churn": 1}
    assert found.unmatched[["customer_id", "customer_name", "reason"]].values.tolist() == [["d", "Delta Srl", "support"]]


def test_reasons_by_churned_mrr_and_count(found) -> None:
    table = by_reason(found)
    assert table[["reason", "customers", "mrr_churned"]].values.tolist() == [
        ["payment failed", 1, 200.0], ["pricing", 2, 150.0], ["missing features", 1, 150.0], ["", 1, 80.0]]
    assert table["churned_customers_share"].tolist() == pytest.approx([20.0, 40.0, 20.0, 20.0])
    assert table["churned_mrr_share"].tolist() == pytest.approx([200 / 580 * 100, 150 / 580 * 100, 150 / 580 * 100,
                                                                 80 / 580 * 100])


def test_reasons_per_period_and_voluntary_split(found) -> None:
    assert by_period(found).values.tolist() == [
        ["2024-02", "missing features", 1, 150.0], ["2024-03", "payment failed", 1, 200.0],
        ["2024-03", "pricing", 1, 100.0], ["2024-03", "", 1, 80.0], ["2024-04", "pricing", 1, 50.0]]
    kinds = by_kind(found).set_index(["period", "churn_type"])
    assert len(kinds) == 6 * 3  # every period of the window, every type
    assert kinds.loc[("2024-03", "involuntary")].tolist() == [2, 280.0]  # b by its reason, e by its unpaid status
    assert kinds.loc[("2024-03", "voluntary")].tolist() == [1, 100.0]
    assert kinds.loc[("2024-01", "unknown")].tolist() == [0, 0.0]


def test_reasons_by_segment(found, data) -> None:
    table = by_segment(found, data.engine(), "country")
    assert table.values.tolist() == [["DE", "missing features", 1, 150.0], ["DE", "pricing", 1, 100.0],
                                     ["FR", "pricing", 1, 50.0], ["NL", "payment failed", 1, 200.0], ["RO", "", 1, 80.0]]


def test_comments_newest_first(found) -> None:
    said = comments(found)
    assert said[["customer_id", "comment"]].values.tolist() == [
        ["c", "switched to a competitor"], ["a", "too expensive for us"], ["f", "no API"]]


def test_segment_query_and_quarters(data) -> None:
    germany = match_reasons(data.engine(), Query(granularity="month", as_of=AS_OF, segment=("country", "DE")),
                            data.churn_reasons.table, data.subscriptions.table)
    assert germany.churns["customer_id"].tolist() == ["f", "a"]
    assert germany.unmatched.empty  # d is Italian
    # Quarter-end snapshots: a, b, e, f started and ended inside 2024-Q1, so only c churns (in Q2).
    quarters = match_reasons(data.engine(), Query(granularity="quarter", as_of=AS_OF), data.churn_reasons.table)
    assert quarters.churns[["period", "customer_id", "reason"]].values.tolist() == [["2024-Q2", "c", "pricing"]]


def test_without_a_reasons_file_churn_is_split_by_billing_status(data) -> None:
    found = match_reasons(data.engine(), Query(granularity="month", as_of=AS_OF), None, data.subscriptions.table)
    assert found.churns["reason"].tolist() == [""] * 5
    assert found.churns["churn_type"].tolist() == ["unknown", "unknown", "unknown", "involuntary", "unknown"]
    assert found.coverage()["without_reason"] == 5


def test_a_record_far_from_the_churn_does_not_explain_it(data) -> None:
    reasons = data.churn_reasons.table.copy()
    reasons.loc[reasons["customer_id"] == "b", "date"] = pd.Timestamp("2023-11-01")  # 121 days before March
    found = match_reasons(data.engine(), Query(granularity="month", as_of=AS_OF), reasons, data.subscriptions.table)
    b = found.churns.set_index("customer_id").loc["b"]
    assert b["reason"] == "" and b["churn_type"] == "unknown"


def test_charts_escape_reasons(found) -> None:
    hostile = found.churns.assign(reason=["<b>x</b>", "%{y}", "pricing", "", "pricing"])
    from retention.churn_reasons import ChurnReasons

    bad = ChurnReasons(found.periods, hostile, found.unmatched)
    ranked = reasons_ranked(by_reason(bad))
    assert "&lt;b&gt;x&lt;/b&gt;" in list(ranked.data[0].y) and "&#37;{y}" in list(ranked.data[0].y)
    assert "No reason recorded" in list(ranked.data[0].y)
    per_period = reasons_by_period(by_period(bad), list(bad.periods), "customers")
    assert {t.name for t in per_period.data} == {"&lt;b&gt;x&lt;/b&gt;", "&#37;{y}", "pricing", "No reason recorded"}
    kinds = kinds_by_period(by_kind(found))
    assert [list(t.y) for t in kinds.data][1][2] == 280.0  # involuntary MRR of 2024-03


def test_the_sample_cancellation_export_explains_most_churns() -> None:
    """sample_data/churn_reasons.csv (generated with the sample): every record is a churn of the movement table,
    and about five churns in six have one (retention/sample/churn_reasons.py: RECORDED = 0.84)."""
    root = Path(__file__).resolve().parent.parent / "sample_data"
    data = load_dataset(root / "subscriptions.csv", root / "customers.csv", churn_reasons=root / "churn_reasons.csv")
    assert data.churn_reasons.rows_rejected == 0
    found = match_reasons(data.engine(), Query(granularity="month").history(), data.churn_reasons.table,
                          data.subscriptions.table)
    cover = found.coverage()
    assert cover["records_without_churn"] == 0 and cover["with_reason"] == data.churn_reasons.rows_used
    assert 75 <= cover["share_with_reason"] <= 92
    assert set(found.churns.loc[found.churns["reason"] == "payment failed", "churn_type"]) == {"involuntary"}
