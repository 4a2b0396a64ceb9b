"""Every engine through one fixture: `engine_factory` builds the NumPy reference, or the Ibis engine on
DuckDB, PostgreSQL or Spark, from the same canonical frames.

The servers are real and started once per test session (fixtures `postgres_url` and `spark_session`
in tests/conftest.py): a throwaway PostgreSQL cluster (initdb in a temporary directory, a free port)
and one local Spark session.  They start only when a test asks for that engine, and a server that cannot start fails the
run: nothing here is mocked or skipped.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pandas as pd
import pytest

from retention.engine import Engine
from retention.engine.numpy_engine import NumpyEngine

ENGINES = ["numpy", "duckdb", "postgres", "spark"]
"""The reference first; a new backend joins the whole contract suite by adding its name here."""

_names = itertools.count()


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
        if hasattr(con, "disconnect") and con.name != "pyspark":
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


@pytest.fixture(params=ENGINES)
def engine_name(request) -> str:
    """The engine a contract test runs on: every test using it runs once per name of ENGINES."""
    return request.param


@pytest.fixture
def engine_factory(engine_name, make_engine) -> Callable[..., Engine]:
    """engine_factory(subscriptions, customers=None): this test's engine over canonical frames."""

    def make(subscriptions: pd.DataFrame, customers: pd.DataFrame | None = None) -> Engine:
        return make_engine(engine_name, subscriptions, customers)

    make.engine = engine_name  # type: ignore[attr-defined]
    return make
