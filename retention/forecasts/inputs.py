"""What a forecast reads from the engine: both cohort triangles, the monthly metrics, the model.

One place asks the engine for these, for the CLI, the page and the report, so they always ask the
same questions: the customers basis for survival, the revenue basis for money, monthly metrics over
the whole history for the MRR forecast's trailing window and ARPA.  Every cohort counts (the window
is removed): the model learns from all of history.  Committed MRR needs the subscriptions' own
spans, so it reads the snapshot model of the in-memory engine (built from the subscriptions for
any other engine that is given them); an engine over a database sends only the subscriptions with a
scheduled change (`Engine.scheduled_subscriptions`), and the segment's MRR comes from its metrics.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from retention.engine.base import Engine
from retention.engine.cohorts import CohortTable
from retention.engine.query import Query
from retention.engine.snapshots import SnapshotModel, build_model
from retention.periods import last_complete_period


@dataclass(frozen=True)
class ForecastInputs:
    customers: CohortTable
    revenue: CohortTable
    monthly: pd.DataFrame
    model: SnapshotModel
    subscriptions: pd.DataFrame | None
    rows: np.ndarray | None  # model rows of the segment (None = everyone)
    last_month: pd.Period | None = None  # with `base_mrr`: the model holds only the scheduled subscriptions
    base_mrr: float | None = None  # the segment's MRR at the end of `last_month` (see `committed_mrr`)

    @property
    def committed_options(self) -> dict[str, object]:
        """What `committed_mrr` needs besides the model when the model holds only the scheduled subscriptions."""
        return {"last": self.last_month, "base_mrr": self.base_mrr}


def forecast_query(query: Query) -> Query:
    """The query a forecast asks: the same segment, as-of date and margin over every complete period."""
    return query.history()


def forecast_inputs(engine: Engine, subscriptions: pd.DataFrame | None, query: Query) -> ForecastInputs:
    """Cohort triangles at the query's granularity and monthly metrics, for its segment and as-of date."""
    query = forecast_query(query)
    customers = engine.cohorts(query, basis="customers")
    revenue = engine.cohorts(query, basis="revenue")
    monthly = engine.metrics(query.but(granularity="month"))
    as_of = engine.as_of_for(query)
    model_of = getattr(engine, "model", None)
    if callable(model_of):
        model = model_of(as_of)
    elif subscriptions is not None:
        model = build_model(subscriptions, as_of)
    else:  # the rows stay in the database: only those committed MRR reads come back, with the segment's MRR
        scheduled = engine.scheduled_subscriptions(query)
        base = float(monthly["mrr_end"].iloc[-1]) if len(monthly) else 0.0
        return ForecastInputs(customers, revenue, monthly, build_model(scheduled, as_of), scheduled, None,
                              last_complete_period(as_of, "month"), base)
    rows = None
    subs = subscriptions
    if query.segment is not None:
        ids = engine.segment_customers(query.segment) or set()
        rows = model.customer_ids.isin(list(ids)) if len(ids) else np.zeros(len(model.customer_ids), dtype=bool)
        rows = np.asarray(rows, dtype=bool)
        subs = subscriptions[subscriptions["customer_id"].astype(str).isin(ids)]
    return ForecastInputs(customers, revenue, monthly, model, subs, rows)
