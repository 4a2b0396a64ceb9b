"""One fixture runs every contract test against every engine (the Ibis habit: one suite, many backends).

`engine_factory(subscriptions, customers=None)` builds an engine of the parametrized kind over
canonical tables (as the importer makes them) and returns it; tests then ask it `Query`s.  A new
engine joins the whole suite by adding one entry to `ENGINES`.  Tolerances live in `equality.py`.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pytest

from retention.engine import Engine, NumpyEngine

EngineFactory = Callable[..., Engine]


def _numpy(subscriptions: pd.DataFrame, customers: pd.DataFrame | None = None) -> Engine:
    return NumpyEngine(subscriptions, customers)


ENGINES: dict[str, Callable[[pytest.FixtureRequest], EngineFactory]] = {
    "numpy": lambda request: _numpy,
}
"""Engine name -> a function of the pytest request returning that engine's factory (warehouse engines
use the request to reach their session-scoped servers)."""


@pytest.fixture(params=list(ENGINES))
def engine_factory(request: pytest.FixtureRequest) -> EngineFactory:
    """Builds the parametrized engine over canonical subscriptions (and customers)."""
    return ENGINES[request.param](request)
