"""Per-session inputs of the Forecast page and the forecast chapter of the report.

Everything comes from the session's engine (`state.engine()`) through `forecast_inputs`, cached in
the session like every other result (`state.cached`), keyed by the query it answers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import streamlit as st

from retention.forecasts.inputs import ForecastInputs, forecast_inputs, forecast_query
from ui import state

T = TypeVar("T")


def inputs(view: state.View) -> ForecastInputs:
    """Both cohort triangles, monthly metrics, model and segment subscriptions for the view (whole history)."""
    query = forecast_query(view.query())
    loaded = state.dataset().subscriptions  # None for a database connection: the rows stay in the database
    return state.cached(("forecast_inputs", query),
                        lambda: forecast_inputs(state.engine(), loaded.table if loaded is not None else None, query))


def cached_with_status(key: tuple, compute: Callable[[], T], label: str) -> T:
    """A cached result; computing it (about a second) shows a status box while it runs."""
    def with_status() -> T:
        box = st.empty()
        with box.status(label):
            value = compute()
        box.empty()  # the box only says what is running; once done, the results speak
        return value

    return state.cached(key, with_status)


def report_parts(view: state.View, tr, currency: str):
    """A function returning (report sections, Excel sheets) of the forecast, built once when first asked for.

    Report downloads are built when clicked, so the forecast, and its inputs unless the session already holds them
    (the Forecast page's), are computed then, not on every page run (they were a tenth of the Overview's first run).
    Streamlit calls a download's function in a worker thread without the session (`st.session_state` there is a
    process-wide stand-in), so everything the function needs is taken here, during the page run.
    """
    from retention.forecasts.bundle import forecast_all
    from retention.forecasts.projection import LtvSettings
    from retention.forecasts.report import forecast_section, forecast_sheets

    query = forecast_query(view.query())
    engine = state.engine()
    loaded = state.dataset().subscriptions  # None for a database connection: the rows stay in the database
    known = state.peek(("forecast_inputs", query))
    memo: dict[str, object] = {}

    def parts():
        if "parts" not in memo:
            data = known if known is not None else forecast_inputs(
                engine, loaded.table if loaded is not None else None, query)
            horizon = {"month": 24, "quarter": 8, "year": 5}[view.granularity]
            bundle = forecast_all(data.customers, data.revenue, data.monthly, data.model, data.subscriptions,
                                  horizon=horizon, settings=LtvSettings(view.gross_margin), rows=data.rows,
                                  last_month=data.last_month, base_mrr=data.base_mrr)
            memo["parts"] = ([forecast_section(bundle, data.customers, currency, tr)], forecast_sheets(bundle, tr))
        return memo["parts"]

    return parts
