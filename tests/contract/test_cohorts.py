"""Cohort triangles (METRICS.md §6), hand-computed, asked of every engine.

Fixture tests/fixtures/cohorts/subscriptions.csv, read at month-end snapshots Jan–Jun 2024
(end_date is exclusive, a span counts on the last day d when start <= d < end):

    customer  spans                                        MRR at Jan Feb Mar Apr May Jun
    a         2024-01-01 → open, 100                            100 100 100 100 100 100
    b         2024-01-15 → 2024-03-01, 200                      200 200   0   0   0   0
    c         2024-01-10 → 2024-02-15, 50; 2024-04-01 → , 80     50   0   0  80  80  80  (reactivates)
    d         2024-02-01 → , 100; 2024-04-01 → 2024-05-01, 50     0 100 100 150 100 100
    e         2024-02-20 → 2024-06-15, 40                         0  40  40  40  40   0
    f         2024-03-31 → 2024-04-30, 60                         0   0  60   0   0   0
    g         free span (MRR 0) from Jan; 2024-05-10 → , 30       0   0   0   0  30  30  (free is not active)
    h         2024-06-10 → , 70                                   0   0   0   0   0  70

Monthly cohorts (first active month-end): Jan = {a, b, c}, Feb = {d, e}, Mar = {f}, Apr = none,
May = {g}, Jun = {h}.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from retention.dataset import load_dataset
from retention.engine import Query

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "cohorts"
AS_OF = "2024-06-30"


@pytest.fixture
def engine(engine_factory):
    data = load_dataset(FIXTURES / "subscriptions.csv", FIXTURES / "customers.csv")
    return engine_factory(data.subscriptions.table, data.customers_table)


def cohorts(engine, granularity="month", basis="customers", *, start=None, end=None, segment=None, as_of=AS_OF):
    query = Query(granularity=granularity, start=start, end=end, segment=segment,
                  as_of=None if as_of is None else pd.Timestamp(as_of))
    return engine.cohorts(query, basis=basis)


def _rows(table):
    return {r.label: (r.size, r.values) for r in table.rows}


def test_monthly_customer_cohorts_with_reactivation_and_ragged_edge(engine):
    table = cohorts(engine, "month", "customers")
    # Jan {a,b,c}: Jan 3; Feb a,b = 2; Mar a = 1; Apr a + c (back) = 2; May 2; Jun 2  -> 6 cells (Jan..Jun)
    # Feb {d,e}: Feb..May 2; Jun d only = 1                                             -> 5 cells
    # Mar {f}: Mar 1, then 0 (a 0 cell inside the window is a real 0)                    -> 4 cells
    # Apr: nobody started, no row.  May {g}: 1, 1.  Jun {h}: 1 (one cell: the ragged edge)
    assert _rows(table) == {
        "2024-01": (3, [3, 2, 1, 2, 2, 2]),
        "2024-02": (2, [2, 2, 2, 2, 1]),
        "2024-03": (1, [1, 0, 0, 0]),
        "2024-05": (1, [1, 1]),
        "2024-06": (1, [1]),
    }
    jan = table.rows[0]
    # percent = cell / age-0 cell × 100: 2/3 = 66.67, 1/3 = 33.33
    assert jan.percent == pytest.approx([100, 200 / 3, 100 / 3, 200 / 3, 200 / 3, 200 / 3])
    assert [r.customers for r in table.rows] == [3, 2, 1, 1, 1]


def test_cohort_sizes_equal_new_customers(engine):
    table = cohorts(engine, "month")
    metrics = engine.metrics(Query(granularity="month", as_of=pd.Timestamp(AS_OF)))
    new = dict(zip(metrics["period"], metrics["customers_new"], strict=True))
    assert {r.label: r.size for r in table.rows} == {p: n for p, n in new.items() if n}


def test_monthly_revenue_cohorts_in_currency_units(engine):
    table = cohorts(engine, "month", "revenue")
    # Jan {a,b,c}: Jan 100+200+50 = 350; Feb 100+200 = 300; Mar 100; Apr 100+80 = 180; May 180; Jun 180
    # Feb {d,e}: Feb 100+40 = 140; Mar 140; Apr 150+40 = 190 (d expands); May 100+40 = 140; Jun 100
    # Mar {f}: 60, 0, 0, 0.  May {g}: 30, 30.  Jun {h}: 70
    assert _rows(table) == {
        "2024-01": (350.0, [350.0, 300.0, 100.0, 180.0, 180.0, 180.0]),
        "2024-02": (140.0, [140.0, 140.0, 190.0, 140.0, 100.0]),
        "2024-03": (60.0, [60.0, 0.0, 0.0, 0.0]),
        "2024-05": (30.0, [30.0, 30.0]),
        "2024-06": (70.0, [70.0]),
    }
    feb = table.rows[1]
    # 190 / 140 × 100 = 135.714…: expansion lifts revenue retention above 100 %
    assert feb.percent == pytest.approx([100, 100, 190 / 140 * 100, 100, 100 / 140 * 100])
    assert table.rows[0].customers == 3  # the revenue basis still knows how many customers a cohort has


def test_quarter_cohorts_use_quarter_end_snapshots(engine):
    # Q1 snapshot Mar 31: active a, d, e, f (b left 03-01, c is away)  -> cohort Q1 = {a, d, e, f}
    # Q2 snapshot Jun 30: active a, c, d, g, h; of Q1's: a, d          -> Q1 cells [4, 2]
    # c was never active at a quarter-end before Jun 30, so its cohort is Q2 = {c, g, h}
    table = cohorts(engine, "quarter", "customers")
    assert _rows(table) == {"2024-Q1": (4, [4, 2]), "2024-Q2": (3, [3])}
    revenue = cohorts(engine, "quarter", "revenue")
    # Q1: a 100 + d 100 + e 40 + f 60 = 300; at Q2: a 100 + d 100 = 200.  Q2: c 80 + g 30 + h 70 = 180
    assert _rows(revenue) == {"2024-Q1": (300.0, [300.0, 200.0]), "2024-Q2": (180.0, [180.0])}
    assert revenue.rows[0].percent == pytest.approx([100, 200 / 300 * 100])


def test_no_complete_year_gives_no_rows(engine):
    assert cohorts(engine, "year").rows == []  # as of 2024-06-30, 2024 is not complete


def test_window_picks_cohorts_and_ends_the_triangle(engine):
    table = cohorts(engine, "month", start="2024-02", end="2024-04")
    # Jan is before the window (its customers, including c coming back in Apr, stay out);
    # cells stop at Apr: Feb [Feb, Mar, Apr] = [2, 2, 2], Mar [Mar, Apr] = [1, 0]; Apr has no one new
    assert _rows(table) == {"2024-02": (2, [2, 2, 2]), "2024-03": (1, [1, 0])}


def test_default_as_of_drops_the_incomplete_month(engine):
    # Latest date in the data is 2024-06-15 (e's end), so June is not complete: May is the edge
    table = cohorts(engine, "month", as_of=None)
    assert _rows(table)["2024-01"] == (3, [3, 2, 1, 2, 2])
    assert "2024-06" not in _rows(table)


def test_rows_mask_limits_customers(engine):
    # Team = {c, f, g}: Jan {c}: 1, 0, 0, 1, 1, 1; Mar {f}: 1, 0, 0, 0; May {g}: 1, 1
    assert _rows(cohorts(engine, "month", segment=("plan", "Team"))) == {
        "2024-01": (1, [1, 0, 0, 1, 1, 1]),
        "2024-03": (1, [1, 0, 0, 0]),
        "2024-05": (1, [1, 1]),
    }


def test_bad_basis_and_period_are_value_errors(engine):
    with pytest.raises(ValueError, match="basis"):
        cohorts(engine, "month", "logos")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="period"):
        cohorts(engine, "week")  # type: ignore[arg-type]


def test_lifetimes_are_first_runs_with_churn_events(engine):
    # Month-end activity Jan–Jun (see the table above): a runs all six months (censored); b Jan–Feb then
    # stops (2, churned); c Jan only, its comeback in Apr does not extend the first run (1, churned);
    # d Feb–Jun (5, censored); e Feb–May (4, churned); f Mar only (1, churned); g May–Jun (2, censored);
    # h Jun (1, censored).
    frame = engine.lifetimes(Query(as_of=pd.Timestamp(AS_OF))).frame.set_index("customer_id")
    got = {c: (int(r.duration), int(r.event)) for c, r in frame.iterrows()}
    assert got == {"a": (6, 0), "b": (2, 1), "c": (1, 1), "d": (5, 0), "e": (4, 1), "f": (1, 1), "g": (2, 0), "h": (1, 0)}
    by_plan = engine.lifetimes(Query(as_of=pd.Timestamp(AS_OF)), by="plan").frame.set_index("customer_id")
    assert set(by_plan.loc[["c", "f", "g"], "segment"]) == {"Team"}


def test_movement_customers_of_one_month(engine):
    # March → April: c comes back with 80 (reactivation), f leaves with 60 (churned), d grows 100 → 150
    # (expansion); largest move first.
    drill = engine.movement_customers(Query(as_of=pd.Timestamp(AS_OF)), period="2024-04")
    rows = [tuple(r) for r in drill.frame[["customer_id", "mrr_before", "mrr_after", "movement"]].itertuples(index=False)]
    assert rows == [("c", 0.0, 80.0, "reactivation"), ("f", 60.0, 0.0, "churned"), ("d", 100.0, 150.0, "expansion")]
    churned = engine.movement_customers(Query(as_of=pd.Timestamp(AS_OF)), period="2024-04", movement="churned")
    assert churned.frame["customer_id"].tolist() == ["f"]
    team = engine.movement_customers(Query(as_of=pd.Timestamp(AS_OF), segment=("plan", "Team")), period="2024-04")
    assert team.frame["customer_id"].tolist() == ["c", "f"]
