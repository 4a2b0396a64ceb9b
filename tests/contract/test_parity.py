"""Every engine gives the NumPy reference's numbers: metrics, cohorts, lifetimes, drill-downs, segments.

Three data sets: two seeded random ones (`random_data.py`: reactivations, several subscriptions per
customer, trials, free spans, same-day start and end, open ends, segments with blanks and missing
customers) and the hand-computed fixture tests/fixtures/metrics/ (pinned value by value in
tests/test_metrics_hand.py).  Equality is `equality.py`'s: counts exact, money and rates to 1e-6.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from retention.engine import Query
from retention.engine.numpy_engine import NumpyEngine
from retention.importing import load_customers, load_subscriptions
from tests.contract.equality import assert_same_cohorts, assert_same_frame
from tests.contract.random_data import dataset

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "metrics"
DATASETS = ["seed-7", "seed-23", "hand"]
RUNS = [(engine, data) for engine in ("numpy", "duckdb", "postgres", "spark") for data in DATASETS
        if engine != "spark" or data == "hand"]
"""(engine, data set) pairs.  Spark runs the hand-computed set only: on the shared 2-core CI machine one
Spark metrics query on a random set takes minutes, and the SQL it runs is the one DuckDB and PostgreSQL
run on every set."""


def _frames(name: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    if name == "hand":
        subs = load_subscriptions((FIXTURES / "subscriptions.csv").read_bytes(), "subscriptions.csv").table
        custs = load_customers((FIXTURES / "customers.csv").read_bytes(), "customers.csv").table
        return subs, custs
    seed = int(name.split("-")[1])
    return dataset(seed, 150 if seed == 7 else 90)


@pytest.fixture(scope="module")
def pairs(make_engine):
    """(engine, reference) per (engine name, data set), built once per module so caches are shared."""
    built: dict[tuple[str, str], tuple] = {}
    frames: dict[str, tuple[pd.DataFrame, pd.DataFrame]] = {}

    def get(engine: str, data: str):
        if data not in frames:
            frames[data] = _frames(data)
        if (engine, data) not in built:
            subs, custs = frames[data]
            built[(engine, data)] = (make_engine(engine, subs, custs), NumpyEngine(subs, custs))
        return built[(engine, data)]

    return get


def _queries(reference: NumpyEngine) -> list[Query]:
    months = reference.period_labels(Query())
    middle = months[len(months) // 3], months[2 * len(months) // 3]
    return [
        Query(granularity="month"),
        Query(granularity="quarter"),
        Query(granularity="year"),
        Query(granularity="month", start=middle[0], end=middle[1], gross_margin=80.0),
        Query(granularity="month", segment=("plan", "Pro")),
        Query(granularity="quarter", segment=("country", "(no value)")),
        Query(granularity="month", as_of=pd.Timestamp("2020-06-15")),
    ]


@pytest.mark.parametrize(("engine_name", "data"), RUNS)
def test_metrics(engine_name, pairs, data):
    engine, reference = pairs(engine_name, data)
    assert engine.default_as_of() == reference.default_as_of()
    for query in _queries(reference):
        assert engine.period_labels(query) == reference.period_labels(query), query
        got, want = engine.metrics(query), reference.metrics(query)
        assert len(want) > 0, query
        assert_same_frame(got, want, f"{engine_name} {data} {query}")
        assert got.as_of == want.as_of


@pytest.mark.parametrize(("engine_name", "data"), RUNS)
def test_cohorts(engine_name, pairs, data):
    engine, reference = pairs(engine_name, data)
    months = reference.period_labels(Query())
    for query in (Query(), Query(granularity="quarter"), Query(start=months[3], end=months[-4], segment=("plan", "Pro"))):
        for basis in ("customers", "revenue"):
            assert_same_cohorts(engine.cohorts(query, basis=basis), reference.cohorts(query, basis=basis),
                                f"{engine_name} {data} {query} {basis}")


@pytest.mark.parametrize(("engine_name", "data"), RUNS)
def test_lifetimes_and_survival(engine_name, pairs, data):
    engine, reference = pairs(engine_name, data)
    for query, by in ((Query(), "plan"), (Query(segment=("country", "FR"), as_of=pd.Timestamp("2020-09-30")), None)):
        got = engine.lifetimes(query, by=by).frame
        want = reference.lifetimes(query, by=by).frame.sort_values("customer_id").reset_index(drop=True)
        assert_same_frame(got.sort_values("customer_id").reset_index(drop=True), want, f"{engine_name} {data} lifetimes")
    curves, expected = engine.survival(Query(), by="plan"), reference.survival(Query(), by="plan")
    assert [c.segment for c in curves] == [c.segment for c in expected]
    assert [c.median_lifetime_months for c in curves] == [c.median_lifetime_months for c in expected]


@pytest.mark.parametrize(("engine_name", "data"), RUNS)
def test_movement_customers(engine_name, pairs, data):
    engine, reference = pairs(engine_name, data)
    months = reference.period_labels(Query())
    for period in (months[1], months[len(months) // 2], months[-1]):
        got = engine.movement_customers(Query(), period=period).frame
        want = reference.movement_customers(Query(), period=period).frame
        assert_same_frame(got, want, f"{engine_name} {data} {period}")
    quarters = reference.period_labels(Query(granularity="quarter"))
    query = Query(granularity="quarter", segment=("plan", "Pro"))
    got = engine.movement_customers(query, period=quarters[2], movement="churned").frame
    assert_same_frame(got, reference.movement_customers(query, period=quarters[2], movement="churned").frame, "churned")


@pytest.mark.parametrize(("engine_name", "data"), [(e, "seed-7") for e in ("numpy", "duckdb", "postgres")])
def test_segments(engine_name, pairs, data):
    engine, reference = pairs(engine_name, data)
    assert engine.segments() == reference.segments()
    assert engine.segment_values("country") == reference.segment_values("country")
    for segment in (("country", "(no value)"), ("plan", "Basic")):
        assert engine.segment_customers(segment) == reference.segment_customers(segment)
    query = Query(granularity="quarter")
    assert_same_frame(engine.compare_segments(query, "country"), reference.compare_segments(query, "country"), "compare")
    cell = reference.cohorts(query).rows[1]
    got = engine.cohort_customers(query, cohort=cell.label, age=2).frame
    want = reference.cohort_customers(query, cohort=cell.label, age=2).frame
    assert_same_frame(got, want, "cohort cell")
    assert_same_frame(engine.segment_members(query, segment=("plan", "Pro")).frame,
                      reference.segment_members(query, segment=("plan", "Pro")).frame, "segment members")


@pytest.mark.parametrize("engine_name", ["numpy", "duckdb"])
def test_committed_mrr_from_scheduled_subscriptions(engine_name, make_engine):
    """The hand-worked committed MRR of tests/contract/scheduled.py (also in tests/test_forecast_models.py), asked of each engine through
    `forecast_inputs`: a warehouse engine sends only the subscriptions with a scheduled change."""
    from retention.forecasts.committed import committed_mrr
    from retention.forecasts.inputs import forecast_inputs
    from tests.contract.scheduled import scheduled_subscriptions

    subs = scheduled_subscriptions()
    customers = pd.DataFrame({"customer_id": list("abcde"), "plan": ["x", "y", "x", "y", "x"]})
    engine = make_engine(engine_name, subs, customers)
    query = Query(as_of=pd.Timestamp("2024-03-31"))
    inputs = forecast_inputs(engine, subs if engine_name == "numpy" else None, query)
    if engine_name != "numpy":
        assert sorted(set(inputs.subscriptions["customer_id"])) == ["a", "b", "c", "d"]  # e has nothing scheduled
    result = committed_mrr(inputs.model, inputs.subscriptions, 3, inputs.rows, **inputs.committed_options)
    frame = result.frame.set_index("period")
    # March MRR: a 100 + b 50 + c 30 + e 40 = 220.  May: a ends (churn 100), c adds 20; June: d starts (new 70).
    assert frame["mrr_end"].tolist() == pytest.approx([220, 140, 210])
    assert frame.loc["2024-05", "mrr_churned"] == 100 and frame.loc["2024-05", "mrr_expansion"] == 20
    assert frame.loc["2024-06", "mrr_new"] == 70
    assert result.at_risk_mrr == 50 and result.at_risk_subscriptions == 1
    # plan x = a, c, e: March 100 + 30 + 40 = 170; April the same; May 170 - 100 + 20 = 90; June the same (d is y)
    inputs = forecast_inputs(engine, subs if engine_name == "numpy" else None, query.but(segment=("plan", "x")))
    x = committed_mrr(inputs.model, inputs.subscriptions, 3, inputs.rows, **inputs.committed_options)
    assert x.frame["mrr_end"].tolist() == pytest.approx([170, 90, 90]) and x.at_risk_subscriptions == 0
