"""Overview: this company's retention at a glance."""

import streamlit as st

import retention.figures as figures
from retention.engine.kpis import kpi_summary
from retention.glossary import KPI_CARDS
from ui import controls, drilldown, render, state
from ui.boot import ensure_app

ensure_app()

tr = state.tr()
view = controls.sidebar()
table = state.metrics(view)
st.title(tr("Overview"))
if table.empty:
    render.no_periods_message()
    st.stop()

period = table["period"].iloc[-1]
render.caption_for(view, table)
render.kpi_cards(kpi_summary(state.history(view), period, KPI_CARDS), state.currency())
render.ltv_note(view, period)

left, right = st.columns(2)
with left:
    render.trend(lambda: figures.retention_rates(table, tr), ["crr"], view, table, key="crr")
    movers = render.selectable_chart(lambda: figures.customer_movements(table, tr), key="customers", depends_on=(view,))
with right:
    render.trend(lambda: figures.logo_churn(table, tr), ["logo_churn_rate"], view, table, key="logo_churn")
    render.trend(lambda: figures.nrr_grr(table, tr), ["nrr", "grr"], view, table, key="nrr_grr")

st.caption(tr("Click a bar of “Customers gained and lost” to list the customers behind it."))
pick = drilldown.picked(movers, {0: "new", 1: "reactivation", 2: "churned", 3: None}, len(table))
if pick is not None:
    index, movement = pick
    drilldown.movers(view, str(table["period"].iloc[index]), movement, key="overview_drill")

st.subheader(tr("All metrics per period"))
render.table_with_exports(table, "metrics", key="overview_metrics")

with st.container(border=True):
    st.subheader(tr("Share this view"))
    st.caption(tr("The address in your browser keeps the period, range and segment: bookmark it or send it. "
                  "It never contains your data. The report and workbook below say which data and filters they show."))
    render.report_downloads(view, table, key="overview_report")
