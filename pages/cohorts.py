"""Cohorts: the retention triangle, the average retention curve, and customer lifetime (survival) curves."""

import pandas as pd
import streamlit as st

from retention.engine.cohorts import average_retention_curve
from retention.figures.cohorts import average_retention, cohort_heatmap
from retention.figures.selection import with_cell_targets
from retention.figures.survival import segment_name, survival_figure
from ui import controls, drilldown, render, state
from ui.boot import ensure_app

ensure_app()

tr = state.tr()
view = controls.sidebar()
engine = state.engine()
query = view.query()
st.title(tr("Cohorts"))
st.markdown(tr(
    "A cohort is the group of customers who started paying in the same period. Each row follows one cohort: the "
    "cells show how many of them (or how much revenue) are still there 1, 2, 3… periods later. Customers who leave and "
    "come back count again once they return. Newer cohorts have fewer cells because their later periods have not "
    "happened yet."
))

left, right = st.columns(2)
basis = left.segmented_control(
    tr("Basis"), ["customers", "revenue"], default="customers", key="cohort_basis",
    format_func={"customers": tr("Customers"), "revenue": tr("Revenue (MRR)")}.get,
) or "customers"
mode = right.segmented_control(
    tr("Show"), ["percent", "count"], default="percent", key="cohort_mode",
    format_func={"percent": tr("Percent of start"), "count": tr("Counts and amounts")}.get,
) or "percent"

table = state.cached(("cohorts", query, basis), lambda: engine.cohorts(query, basis=basis))
if not table.rows:
    render.no_periods_message()
    st.stop()

render.caption_for(view, state.metrics(view))
currency = state.currency()
cells = render.selectable_chart(lambda: with_cell_targets(cohort_heatmap(table, mode, currency, tr)), key="heatmap",
                               depends_on=(view, basis, mode, currency))
st.caption(tr("Click a cell to list its customers, paying at that age or not."))
for point in cells:
    data = point.get("customdata") or []
    if point.get("curve_number") == 1 and data and str(point.get("x", "")).isdigit():
        drilldown.cohort_cell(view, str(data[0]), int(point["x"]), key="cohort_drill")
        break
render.chart(lambda: average_retention(average_retention_curve(table), table, tr), key="average_curve",
             depends_on=(view, basis))
render.download_buttons(table.long(), f"cohorts_{basis}", key="cohorts_export")

st.header(tr("Customer lifetime"))
st.markdown(tr(
    "The lifetime curve shows, for a customer who just started paying, the chance of still paying after a given "
    "number of months (Kaplan–Meier estimate). Customers who are still paying count for as long as we have seen them "
    "instead of being treated as gone. The shaded band is the 95 % confidence range; the median lifetime is the month "
    "at which half of the customers have left."
))
segments = engine.segments()
by = None
if segments:
    choice = st.selectbox(tr("One curve per"), ["", *segments], key="survival_by",
                          format_func=lambda a: tr("(no split)") if a == "" else a)
    by = choice or None
curves = state.cached(("survival", query.history(), by), lambda: engine.survival(query, by=by))
if curves:
    render.chart(lambda: survival_figure(curves, tr), key="survival", depends_on=(view, by))
    medians = [
        {tr("Segment"): segment_name(c.segment, tr), tr("Customers"): c.customers, tr("Churned"): c.churned,
         tr("Median lifetime (months)"): c.median_lifetime_months}
        for c in curves
    ]
    st.dataframe(medians, hide_index=True, width="stretch")
    long = pd.concat([c.frame().assign(segment=c.segment) for c in curves], ignore_index=True)
    render.download_buttons(long, "survival", key="survival_export")
else:
    st.info(tr("No paying customer in this selection yet."))
