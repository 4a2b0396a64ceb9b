"""Per-session inputs of the Forecast page: cohort triangles, monthly metrics, segment subscriptions.

Cached in the session like every other result (`state.cached`), keyed by what they depend on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import pandas as pd
import streamlit as st

from retention.engine.cohorts import CohortTable, cohort_table
from retention.engine.metrics import Query, compute_metrics
from ui import state

T = TypeVar("T")


def cohort_tables(view: state.View) -> tuple[CohortTable, CohortTable]:
    """Customers and revenue triangles of every cohort (the whole history: the model learns from all of it)."""
    data = state.dataset()
    model = data.model(view.as_of)
    rows = state.rows_for(view)
    return tuple(  # type: ignore[return-value]
        state.cached(("forecast_cohorts", view.granularity, basis, view.segment, view.as_of),
                     lambda basis=basis: cohort_table(model, view.granularity, basis, rows=rows))
        for basis in ("customers", "revenue")
    )


def monthly(view: state.View) -> pd.DataFrame:
    """Month metrics over the whole history for the view's segment, as-of date and margin."""
    data = state.dataset()
    return state.cached(
        ("forecast_monthly", view.segment, view.as_of, view.gross_margin),
        lambda: compute_metrics(data.model(view.as_of), Query(granularity="month", segment=view.segment,
                                                              gross_margin=view.gross_margin), data.customers_table),
    )


def subscriptions(view: state.View) -> pd.DataFrame:
    """The subscriptions of the view's segment (all when no segment)."""
    table = state.dataset().subscriptions.table
    ids = state.segment_customers(view)
    return table if ids is None else table[table["customer_id"].astype(str).isin(ids)]


def cached_with_status(key: tuple, compute: Callable[[], T], label: str) -> T:
    """A cached result; computing it (about a second) shows a status box while it runs."""
    results = st.session_state.setdefault("results", {})
    if key not in results:
        box = st.empty()
        with box.status(label):
            results[key] = compute()
        box.empty()  # the box only says what is running; once done, the results speak
    return results[key]


def report_parts(view: state.View, tr, currency: str):
    """A function returning (report sections, Excel sheets) of the forecast, built once when first asked for.

    Report downloads are built when clicked, so the forecast is computed then, not on every page run.
    """
    from retention.forecasts.bundle import forecast_all
    from retention.forecasts.projection import LtvSettings
    from retention.forecasts.report import forecast_section, forecast_sheets

    data = state.dataset()
    model = data.model(view.as_of)
    customers, revenue = cohort_tables(view)
    table = monthly(view)
    subs = subscriptions(view)
    rows = state.rows_for(view)
    memo: dict[str, object] = {}

    def parts():
        if "parts" not in memo:
            horizon = {"month": 24, "quarter": 8, "year": 5}[view.granularity]
            bundle = forecast_all(customers, revenue, table, model, subs, horizon=horizon,
                                  settings=LtvSettings(view.gross_margin), rows=rows)
            memo["parts"] = ([forecast_section(bundle, customers, currency, tr)], forecast_sheets(bundle, tr))
        return memo["parts"]

    return parts
