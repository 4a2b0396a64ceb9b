"""The customers behind a number, pinned to hand-worked members for every engine.

Fixture: tests/fixtures/metrics/subscriptions.csv (worked out month by month in the docstring of
tests/test_metrics_hand.py) with tests/fixtures/drilldown/customers.csv, the same plans and countries
plus a `Company` column (E has none; D's is a formula, which must stay text).  Month-end MRR:

    month    A   B   C   D   E   F   G   H   I
    2019-01 100  50   .   .   .  10   .   .   .
    2019-02 100  80 100   .   .  10  50   .   .
    2019-03 100  80 100   .   .   .  50   . 100
    2019-04 100  50 100  60   .   .  50   . 100
    2019-05 100  50   .  60  20   .  50   . 100
    2019-06 100  50  40  60  20   .   .   . 100   (unchanged to 2020-01)
    2020-02 100  50  40  60  20   .   .  70 100
    2020-03   .  50  40  60  20   .   .  70 110   (unchanged to 2020-12)

Engines are made by `engine_factory` (every name of `ENGINES` in tests/contract/conftest.py).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from retention.dataset import load_dataset
from retention.engine import Engine, Query
from retention.engine.customers import name_column

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SUBSCRIPTIONS = FIXTURES / "metrics" / "subscriptions.csv"
NAMED = FIXTURES / "drilldown" / "customers.csv"
UNNAMED = FIXTURES / "metrics" / "customers.csv"
Q = Query(as_of=pd.Timestamp("2020-12-31"))


@pytest.fixture
def engine_factory(engine_name, make_engine, warehouse_engines) -> Callable[..., Engine]:
    def make(customers: Path | None = NAMED) -> Engine:
        data = load_dataset(SUBSCRIPTIONS, customers)
        if engine_name == "numpy":
            return data.engine()
        key = ("drill-down", engine_name, customers)  # one warehouse engine per fixture pair and session
        if key not in warehouse_engines:
            warehouse_engines[key] = make_engine(engine_name, data.subscriptions.table, data.customers_table)
        return warehouse_engines[key]

    return make


@pytest.fixture
def engine(engine_factory) -> Engine:
    return engine_factory()


def rows(drill, *columns: str) -> list[tuple]:
    return [tuple(r) for r in drill.frame[list(columns)].itertuples(index=False)]


def test_movers_of_a_period_with_names(engine):
    drill = engine.movement_customers(Q, period="2019-03")
    # I starts at 100 (new), F's 10 ends on 03-15 (churned); largest move first.
    assert rows(drill, "customer_id", "customer_name", "mrr_before", "mrr_after", "movement") == [
        ("I", "Iris GmbH", 0.0, 100.0, "new"), ("F", "Fjord SAS", 10.0, 0.0, "churned"),
    ]
    contraction = engine.movement_customers(Q, period="2019-04", movement="contraction")
    assert rows(contraction, "customer_id", "mrr_before", "mrr_after") == [("B", 80.0, 50.0)]
    assert rows(engine.movement_customers(Q, period="2019-06", movement="reactivation"), "customer_id", "mrr_after") == [("C", 40.0)]


def test_cohort_cell_members_active_or_not(engine):
    start = engine.cohort_customers(Q, cohort="2019-01", age=0)
    assert rows(start, "customer_id", "mrr_before", "mrr_after", "paying") == [
        ("A", 100.0, 100.0, True), ("B", 50.0, 50.0, True), ("F", 10.0, 10.0, True),
    ]
    assert start.period == "2019-01" and start.cohort == "2019-01" and start.age == 0
    two = engine.cohort_customers(Q, cohort="2019-01", age=2)
    # B expanded to 80 in February; F left on 03-15, still listed as a member, inactive.
    assert two.period == "2019-03"
    assert rows(two, "customer_id", "mrr_before", "mrr_after", "paying", "movement") == [
        ("A", 100.0, 100.0, True, ""), ("B", 50.0, 80.0, True, ""), ("F", 10.0, 0.0, False, "churned"),
    ]
    feb = engine.cohort_customers(Q, cohort="2019-02", age=4)  # 2019-06: C is back at 40, G ended 06-01
    assert rows(feb, "customer_id", "mrr_after", "paying", "movement") == [
        ("C", 40.0, True, "reactivation"), ("G", 0.0, False, "churned"),
    ]


def test_cohort_members_match_the_heatmap_cells(engine):
    for granularity in ("month", "quarter"):
        query = Q.but(granularity=granularity)
        for row in engine.cohorts(query).rows:
            for age, cell in enumerate(row.values):
                drill = engine.cohort_customers(query, cohort=row.label, age=age)
                assert int(drill.frame["paying"].sum()) == cell, (granularity, row.label, age)
                assert len(drill.frame) == row.customers


def test_quarterly_cohort_uses_quarter_end_snapshots(engine):
    # F paid only in January and February: never at a quarter end, so in no quarterly cohort.
    drill = engine.cohort_customers(Q.but(granularity="quarter"), cohort="2019-Q1", age=1)
    assert drill.period == "2019-Q2"
    assert rows(drill, "customer_id", "mrr_after", "paying") == [
        ("A", 100.0, True), ("I", 100.0, True), ("B", 50.0, True), ("C", 40.0, True), ("G", 0.0, False),
    ]


def test_cohort_cell_after_the_window_is_an_error(engine):
    with pytest.raises(ValueError, match="no age 1"):
        engine.cohort_customers(Q, cohort="2020-12", age=1)
    with pytest.raises(ValueError, match="no age 2"):
        engine.cohort_customers(Q.but(end="2019-03"), cohort="2019-02", age=2)
    with pytest.raises(ValueError, match="not a complete period"):
        engine.cohort_customers(Q, cohort="2031-01", age=0)


def test_cohort_members_keep_the_segment(engine):
    drill = engine.cohort_customers(Q.but(segment=("country", "FR")), cohort="2019-01", age=0)
    assert rows(drill, "customer_id") == [("B",), ("F",)]


def test_segment_members(engine):
    drill = engine.segment_members(Q, segment=("plan", "Pro"), period="2019-05")
    # Pro: A, C, F, G, I.  F left in March; C's annual plan ended 05-10 (churned in May).
    assert rows(drill, "customer_id", "customer_name", "mrr_before", "mrr_after", "movement", "paying") == [
        ("A", "Acme GmbH", 100.0, 100.0, "", True), ("I", "Iris GmbH", 100.0, 100.0, "", True),
        ("G", "Gamma GmbH", 50.0, 50.0, "", True), ("C", "Cobalt SAS", 100.0, 0.0, "churned", False),
    ]
    last = engine.segment_members(Q.but(end="2019-12"), segment=("plan", "Basic"))
    assert last.period == "2019-12" and last.segment == ("plan", "Basic")
    assert rows(last, "customer_id", "mrr_after") == [("D", 60.0), ("B", 50.0), ("E", 20.0)]


def test_customer_history(engine):
    story = engine.customer("C", as_of=Q.as_of)
    assert story.name == "Cobalt SAS"
    assert story.attributes["plan"] == "Pro" and story.attributes["country"] == "FR"
    assert list(story.spans["subscription_id"]) == ["c1", "c2"]
    assert [tuple(r) for r in story.movements.itertuples(index=False)] == [
        ("2019-02", "new", 0.0, 100.0), ("2019-05", "churned", 100.0, 0.0), ("2019-06", "reactivation", 0.0, 40.0),
    ]
    assert list(story.mrr["period"][:5]) == ["2019-02", "2019-03", "2019-04", "2019-05", "2019-06"]
    assert list(story.mrr["mrr"][:5]) == [100.0, 100.0, 100.0, 0.0, 40.0]
    assert story.mrr["period"].iloc[-1] == "2020-12" and story.active
    i = engine.customer("I", as_of=Q.as_of)  # annual renewal at a higher price: one expansion
    assert [tuple(r) for r in i.movements.itertuples(index=False)] == [
        ("2019-03", "new", 0.0, 100.0), ("2020-03", "expansion", 100.0, 110.0),
    ]
    assert engine.customer("E").name == ""
    assert not engine.customer("A", as_of=Q.as_of).active and engine.customer("A").active  # data ends 2020-03-01: A still pays in Feb
    with pytest.raises(ValueError, match="no customer 'Z'"):
        engine.customer("Z")


def test_find_customers_by_id_or_name(engine):
    assert list(engine.find_customers("gmbh")["customer_id"]) == ["A", "G", "I"]
    assert list(engine.find_customers("c")["customer_id"]) == ["C", "A"]  # exact id first, then "Acme"
    assert list(engine.find_customers("SAS")["customer_name"]) == ["Cobalt SAS", "Fjord SAS"]
    assert engine.find_customers("nobody").empty


def test_no_name_column_means_blank_names(engine_factory):
    engine = engine_factory(UNNAMED)
    assert engine.customer_names().empty
    drill = engine.movement_customers(Q, period="2019-03")
    assert list(drill.frame["customer_name"]) == ["", ""]
    assert engine_factory(None).customer("A").name == ""


@pytest.mark.parametrize(("header", "found"), [
    ("customer_name", True), ("Customer Name", True), ("company", True), ("Company Name", True),
    ("E-mail", True), ("email", True), ("plan", False),
])
def test_name_column_headers(header, found):
    frame = pd.DataFrame({"customer_id": ["A"], header: ["x"]})
    assert (name_column(frame) == header) is found


def test_a_company_name_beats_an_email():
    frame = pd.DataFrame({"customer_id": ["A"], "email": ["a@x.io"], "company": ["Acme"]})
    assert name_column(frame) == "company"
