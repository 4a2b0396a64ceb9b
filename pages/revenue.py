"""Revenue: MRR, its movements, the bridge of one period, NRR/GRR, ARPA and quick ratio."""

import streamlit as st

import retention.figures as figures
from retention.figures.revenue import MOVEMENTS
from ui import controls, drilldown, render, state
from ui.boot import ensure_app

ensure_app()

tr = state.tr()
view = controls.sidebar()
table = state.metrics(view)
st.title(tr("Revenue"))
if table.empty:
    render.no_periods_message()
    st.stop()

render.caption_for(view, table)
currency = state.currency()
periods = list(table["period"])
chosen = st.selectbox(tr("Bridge for period"), periods, index=len(periods) - 1, key="bridge_period")
row = table.loc[table["period"] == chosen].iloc[0]
left, right = st.columns([2, 3])
with left:
    render.chart(lambda: figures.mrr_bridge(row, currency, tr), key="bridge", depends_on=(view, chosen, currency))
with right:
    moved = render.selectable_chart(lambda: figures.mrr_movements(table, currency, tr), key="movements",
                                    depends_on=(view, currency))

left, right = st.columns(2)
with left:
    paying = render.selectable_chart(lambda: figures.mrr_line(table, currency, tr), key="mrr", depends_on=(view, currency))
    render.chart(lambda: figures.arpa(table, currency, tr), key="arpa", depends_on=(view, currency))
with right:
    render.trend(lambda: figures.nrr_grr(table, tr), ["nrr", "grr"], view, table, key="nrr")
    render.chart(lambda: figures.quick_ratio(table, tr), key="quick", depends_on=(view,))

st.caption(tr("Click a bar of “MRR movements per period” or a point of the MRR line to list the customers behind it."))
curves = {i: column.removeprefix("mrr_") for i, column in enumerate(MOVEMENTS)} | {len(MOVEMENTS): None}
pick = drilldown.picked(moved, curves, len(table))
if pick is not None:
    drilldown.movers(view, str(table["period"].iloc[pick[0]]), pick[1], key="revenue_drill")
pick = drilldown.picked(paying, {0: True}, len(table))
if pick is not None:
    drilldown.paying(view, str(table["period"].iloc[pick[0]]), key="revenue_paying")

st.subheader(tr("MRR movements per period"))
columns = ["period", "mrr_start", "mrr_new", "mrr_expansion", "mrr_reactivation", "mrr_contraction", "mrr_churned",
           "mrr_end", "nrr", "grr", "gross_mrr_churn_rate", "net_mrr_churn_rate", "arpa", "quick_ratio"]
render.table_with_exports(table[columns], "mrr_movements", key="revenue_table")
