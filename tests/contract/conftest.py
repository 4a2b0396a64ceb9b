"""One fixture runs every contract test against every engine (the Ibis habit: one suite, many backends).

`engine_factory(subscriptions, customers=None)` builds an engine of the parametrized kind over
canonical tables (as the importer makes them) and returns it; tests then ask it `Query`s.  A new
engine joins the whole suite by adding one entry to `ENGINES`.  Tolerances live in `equality.py`.

The warehouse engines (`retention.warehouse.IbisEngine` on DuckDB, PostgreSQL and Spark) run on real
servers started once per test session (fixtures `postgres_url` and `spark_session` in
tests/conftest.py): a throwaway PostgreSQL cluster and one local Spark session; a server that cannot
start fails the run.  `make_engine` builds any engine by name.  The hand-computed tests (test_metrics_hand.py,
test_cohorts.py, test_customers.py) run on every engine of `HAND_ENGINES`, through `engine_factory`
and `engine_name`; the property tests (test_metrics_properties.py) build a fresh engine per
Hypothesis example, hundreds per test, so they keep to the NumPy reference and the warehouse engines
meet random data in test_parity.py instead.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pandas as pd
import pytest

from retention.engine import Engine, NumpyEngine

EngineFactory = Callable[..., Engine]
ALL_ENGINES = ["numpy", "duckdb", "postgres", "spark"]
_names = itertools.count()


HAND_ENGINES = ["numpy", "duckdb", "postgres"]
"""Engines every hand-computed contract test runs on.  Spark answers the same expressions (test_parity.py
runs it on random data) but compiles each query for seconds; running the hand-worked suite on it too
would add minutes to every CI run."""


@pytest.fixture(scope="session")
def warehouse_engines() -> dict[tuple, Engine]:
    """Warehouse engines already built this session, by engine and table contents (see `engine_factory`)."""
    return {}


def _content(frame: pd.DataFrame | None) -> tuple:
    if frame is None:
        return ()
    return tuple(frame.columns), len(frame), int(pd.util.hash_pandas_object(frame, index=True).sum())


@pytest.fixture(params=HAND_ENGINES)
def engine_factory(request: pytest.FixtureRequest, make_engine, warehouse_engines) -> EngineFactory:
    """Builds the parametrized engine over canonical subscriptions (and customers).

    A warehouse engine over tables with the same contents is built once per session and reused: the
    hand-computed tests ask the same fixture file many questions (one test per period), and an engine
    answers from what it computed for the same granularity, segment and as-of date, so each question
    costs one compiled query instead of an upload and several.  NumPy engines are always fresh.
    """
    name = request.param

    def make(subscriptions: pd.DataFrame, customers: pd.DataFrame | None = None) -> Engine:
        if name == "numpy":
            return make_engine(name, subscriptions, customers)
        key = (name, _content(subscriptions), _content(customers))
        if key not in warehouse_engines:
            warehouse_engines[key] = make_engine(name, subscriptions, customers)
        return warehouse_engines[key]

    return make


@pytest.fixture(scope="session")
def backends(request) -> Callable[[str], object]:
    """One Ibis connection per backend for the whole session, opened on first use."""
    opened: dict[str, object] = {}

    def get(name: str):
        if name not in opened:
            import ibis

            if name == "duckdb":
                opened[name] = ibis.duckdb.connect()
            elif name == "postgres":
                from retention.warehouse.sources import connect

                opened[name] = connect(request.getfixturevalue("postgres_url"))
            elif name == "spark":
                opened[name] = ibis.pyspark.connect(request.getfixturevalue("spark_session"))
            else:
                raise AssertionError(name)
        return opened[name]

    yield get
    for con in opened.values():
        if con.name != "pyspark":
            con.disconnect()


@pytest.fixture(scope="session")
def make_engine(backends) -> Callable[..., Engine]:
    """make_engine(name, subscriptions, customers=None, today=None): an engine of that kind over the frames."""

    def make(name: str, subscriptions: pd.DataFrame, customers: pd.DataFrame | None = None,
             today: pd.Timestamp | None = None) -> Engine:
        if name == "numpy":
            return NumpyEngine(subscriptions, customers)
        from retention.warehouse import IbisEngine
        from retention.warehouse.sources import canonical_customers, canonical_subscriptions, upload

        con = backends(name)
        n = next(_names)
        subs = upload(con, f"subscriptions_{n}", canonical_subscriptions(subscriptions))
        custs = None if customers is None else upload(con, f"customers_{n}", canonical_customers(customers))
        return IbisEngine(subs, custs, today=today)

    return make


@pytest.fixture(params=HAND_ENGINES)
def engine_name(request) -> str:
    """The engine a drill-down test (test_customers.py) runs on; test_parity.py parametrizes its own pairs
    over ALL_ENGINES."""
    return request.param
