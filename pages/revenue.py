"""Revenue: MRR, its movements, the bridge of one period, NRR/GRR, ARPA and quick ratio."""

import streamlit as st

import retention.figures as figures
from retention.figures.plans import plan_flow_chart, plan_movements_chart, plan_totals
from retention.figures.revenue import MOVEMENTS
from retention.plan_movements import NO_PLAN, OUTSIDE, movements_by_plan, plan_flows, plan_snapshots
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

st.header(tr("MRR movements by plan"))
st.markdown(tr("MRR entering and leaving each plan. A customer who upgrades from one plan to another moves MRR out of "
               "the first plan and into the second, while for the company it is an expansion; an add-on bought on top "
               "of a plan is MRR moved into the add-on's plan. Each plan's MRR at the start plus what entered minus "
               "what left is its MRR at the end."))
data = state.dataset()
if data.subscriptions is None:
    st.info(tr("MRR movements by plan read every subscription's plan, and a database connection keeps its rows in the "
               "database: this part is not available for database connections yet. Everything above is."))
    st.stop()
as_of = state.engine().as_of_for(view.query())
snaps = state.cached(
    ("plan_snapshots", view.granularity, as_of, view.segment),
    lambda: plan_snapshots(data.subscriptions.table, view.granularity, as_of,
                           customers=state.engine().segment_customers(view.segment)))
plan_key = (view.granularity, as_of, view.segment, tuple(periods))  # what the plan tables below depend on
by_plan = state.cached(("plan_movements", *plan_key), lambda: movements_by_plan(snaps, periods))
if by_plan.empty or set(by_plan["plan"]) == {NO_PLAN}:
    st.info(tr("Your subscriptions name no plan: add a plan column (plan, plan name, product or tier) to the "
               "subscriptions file to see MRR movements by plan."))
    st.stop()
totals = state.cached(("plan_totals", *plan_key), lambda: plan_totals(by_plan))
left, right = st.columns(2)
with left:
    render.chart(lambda: plan_movements_chart(totals, currency, tr), key="plan_movements", depends_on=(view, currency))
with right:
    flows = state.cached(("plan_flows", *plan_key), lambda: plan_flows(snaps, periods[0], periods[-1]))
    render.chart(lambda: plan_flow_chart(flows, tr, currency), key="plan_flows", depends_on=(view, currency),
                 empty=tr("No customer paid at the start or the end of the range."))
st.caption(tr("The flow follows each customer's main plan (the one with most of its MRR) from the snapshot before "
              "{first} to the end of {last}; moves inside the range net out.", first=periods[0], last=periods[-1]))


def _plan_names(frame, columns):
    out = frame.copy()
    for column in columns:
        out[column] = out[column].map(lambda p: tr("No plan") if p == NO_PLAN else tr("Outside (new, back or churned)")
                                      if p == OUTSIDE else p)
    return out


st.subheader(tr("Plans over the range"))
render.table_with_exports(_plan_names(totals, ["plan"]), "mrr_movements_by_plan", key="plan_totals_table")
st.subheader(tr("Plan to plan"))
render.table_with_exports(_plan_names(flows, ["from_plan", "to_plan"]), "plan_flows", key="plan_flows_table")
# Drawn when opened (the expander reruns the page): a closed expander's table was formatted and sent on every run.
with st.expander(tr("Movements by plan per period"), key="plan_periods_open", on_change="rerun") as per_period:
    if per_period.open:
        render.table_with_exports(_plan_names(by_plan, ["plan"]), "mrr_movements_by_plan_per_period",
                                  key="plan_periods_table")
