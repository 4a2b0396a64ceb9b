"""Drill-down: from a clicked bar, point or heatmap cell to the customers behind it, and on to one customer.

Charts drawn with `selectable` report the clicked point (Plotly selection events through
`st.plotly_chart(on_select="rerun")`); each page turns the point into an engine question (a
period's movers, a cohort cell, a segment) and `customer_list` shows the answer: sortable, with
names beside the ids, exportable, and a button to the customer view.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import plotly.graph_objects as go
import streamlit as st

from retention import formatting
from retention.engine import DrillDown
from retention.figures.spec import relayout
from retention.i18n import N_
from ui import render, state

CUSTOMER_PAGE = "pages/customer.py"
MOVEMENT_NAMES: dict[str, str] = {
    "new": N_("New"), "reactivation": N_("Reactivation"), "expansion": N_("Expansion"),
    "contraction": N_("Contraction"), "churned": N_("Churned"), "": N_("Unchanged"),
}
"""What each movement code of the engine is called on screen."""


def selectable(fig: go.Figure, key: str) -> list[dict[str, Any]]:
    """Draw a chart whose bars, points or cells can be clicked; returns the selected points.

    Hover switches to "closest": with Plotly's unified x hover a click selects every trace at that
    period, and the list could not tell the churned bar from the new one the user clicked.
    """
    if fig.layout.hovermode != "closest":  # a cached figure (maybe shared, see `ui.sample`) has it already
        relayout(fig, {"hovermode": "closest"})
    event = st.plotly_chart(fig, width="stretch", key=key, config={"displaylogo": False},
                            on_select="rerun", selection_mode="points")
    try:
        return list(event.selection.points)
    except (AttributeError, KeyError, TypeError):
        return []


def picked(points: list[dict[str, Any]], curves: Mapping[int, Any], length: int) -> tuple[int, Any] | None:
    """(row of the chart's table, what the clicked trace stands for) of the first point on a drillable trace."""
    for point in points:
        curve = point.get("curve_number")
        index = point.get("point_index", point.get("point_number"))
        if curve in curves and isinstance(index, int) and 0 <= index < length:
            return index, curves[curve]
    return None


def movement_name(code: str) -> str:
    return state.tr()(MOVEMENT_NAMES.get(code, code))


def with_names(frame):
    """`frame` with the customers' names beside their ids, when the data names them (else unchanged)."""
    names = state.engine().customer_names()
    if frame.empty or not len(names) or not names.astype(str).str.len().gt(0).any():
        return frame
    return state.engine().named(frame)


def open_customer(customer_id: str) -> None:
    """Show one customer on the customer view page."""
    st.session_state["customer_id"] = str(customer_id)
    st.switch_page(CUSTOMER_PAGE)


def customer_list(drill: DrillDown, heading: str, key: str, export_name: str) -> None:
    """The customers of `drill`: a sortable table with names, CSV/Excel exports, and a way to one customer."""
    tr = state.tr()
    language = tr.language
    currency = state.currency()
    frame = drill.frame.copy()
    frame["movement"] = frame["movement"].map(movement_name)
    if not frame["customer_name"].astype(str).str.len().gt(0).any():
        frame = frame.drop(columns="customer_name")
    with st.container(border=True, key=f"{key}_box"):
        st.subheader(render.md(heading))
        if frame.empty:
            st.info(tr("No customer behind this number."))
            return
        paying = frame["paying"] if "paying" in frame else frame["mrr_after"] > 0
        st.caption(tr(
            "{n} customers · MRR before {before} · MRR after {after} · {paying} paying at the end",
            n=formatting.number(len(frame), language), paying=formatting.number(int(paying.sum()), language),
            before=formatting.money(float(frame["mrr_before"].sum()), currency, language),
            after=formatting.money(float(frame["mrr_after"].sum()), currency, language),
        ))
        shown, config = render.styled(frame, currency)
        event = st.dataframe(shown, hide_index=True, width="stretch", column_config=config, key=f"{key}_rows",
                             on_select="rerun", selection_mode="single-row")
        render.download_buttons(frame, export_name, key=f"{key}_export", currency=currency)
        rows = list(getattr(getattr(event, "selection", None), "rows", []) or [])
        if rows and rows[0] < len(frame):
            record = frame.iloc[rows[0]]
            who = str(record["customer_id"])
            if "customer_name" in frame and str(record["customer_name"]):
                who = f"{record['customer_name']} ({who})"
            if st.button(render.md(tr("Open customer view: {customer}", customer=who)), key=f"{key}_open",
                         icon=":material/person:", type="primary"):
                open_customer(str(record["customer_id"]))
        else:
            st.caption(tr("Click a row to open that customer's whole story. Click a column header to sort."))


def movers(view: state.View, period: str, movement: str | None, key: str) -> None:
    """A period's customers whose MRR moved (one movement, or all)."""
    tr = state.tr()
    query = view.query()
    drill = state.cached(("movers", query, period, movement),
                         lambda: state.engine().movement_customers(query, period=period, movement=movement))
    if movement is None:
        heading = tr("Customers whose MRR moved in {period}", period=period)
    else:
        heading = tr("{movement} in {period}", movement=movement_name(movement), period=period)
    customer_list(drill, heading, key, f"customers_{period}_{movement or 'all'}")


def paying(view: state.View, period: str, key: str) -> None:
    """Everyone paying at the end of a period (or just before), for charts of MRR or customer totals."""
    tr = state.tr()
    query = view.query()
    drill = state.cached(("paying", query, period),
                         lambda: state.engine().segment_members(query, segment=view.segment, period=period))
    customer_list(drill, tr("Customers paying at the end of {period} or of the period before", period=period), key,
                  f"customers_{period}")


def cohort_cell(view: state.View, cohort: str, age: int, key: str) -> None:
    """A cohort cell's members, paying at that age or not."""
    tr = state.tr()
    query = view.query()
    try:
        drill = state.cached(("cohort_members", query, cohort, age),
                             lambda: state.engine().cohort_customers(query, cohort=cohort, age=age))
    except ValueError:
        return
    heading = tr("Cohort {cohort} at age {age} ({period})", cohort=cohort, age=age, period=drill.period)
    customer_list(drill, heading, key, f"cohort_{cohort}_age_{age}")


def segment(view: state.View, attribute: str, value: str, key: str) -> None:
    """One segment's customers at the end of the window's last period."""
    tr = state.tr()
    query = view.query().but(segment=None)
    try:
        drill = state.cached(("segment_members", query, attribute, value),
                             lambda: state.engine().segment_members(query, segment=(attribute, value)))
    except ValueError:
        return
    shown_value = tr(value) if value == "(no value)" else value
    heading = tr("{attribute} = {value}: customers in {period}", attribute=attribute, value=shown_value, period=drill.period)
    customer_list(drill, heading, key, f"segment_{attribute}_{value}")
