"""Customer: one customer's whole story, found by id or name or reached from a drill-down list."""

import pandas as pd
import streamlit as st

from retention import columns, formatting
from retention.engine.at_risk import at_risk_accounts
from retention.engine.customers import events_per_week
from retention.figures.customer import mrr_history, subscription_timeline, weekly_events
from retention.report.at_risk import with_reasons
from ui import controls, drilldown, render, state
from ui.boot import ensure_app

ensure_app()

tr = state.tr()
view = controls.sidebar()
engine = state.engine()
data = state.dataset()
language = tr.language
currency = state.currency()
st.title(tr("Customer"))

search = st.text_input(tr("Find a customer by id or name"), key="customer_search",
                       placeholder=tr("Type part of an id, a company name or an e-mail"))
# Each search reads every customer's id and name (0.05 s at 20,000 customers): answered once per text and data set.
found = state.cached(("find_customers", search, 200), lambda: engine.find_customers(search, limit=200))
chosen = st.session_state.get("customer_id")
if chosen is not None and not search.strip() and chosen not in set(found["customer_id"]):
    found = pd.concat([state.cached(("find_customers", chosen, 1), lambda: engine.find_customers(chosen, limit=1)), found],
                      ignore_index=True)
if found.empty:
    st.info(tr("No customer matches this search."))
    st.stop()
ids = list(found["customer_id"])
names = dict(zip(found["customer_id"], found["customer_name"], strict=True))
index = ids.index(chosen) if chosen in ids else 0
picked = st.selectbox(tr("Customer"), ids, index=index, key=f"customer_pick_{chosen}",
                      format_func=lambda c: f"{names[c]} ({c})" if names.get(c) else c)
st.session_state["customer_id"] = picked

story = state.cached(("customer", picked, view.as_of), lambda: engine.customer(picked, as_of=view.as_of))
as_of = engine.as_of_for(view.query())
st.header(render.md(f"{story.name} · {story.customer_id}" if story.name else story.customer_id))

current = float(story.mrr["mrr"].iloc[-1]) if len(story.mrr) else 0.0
paid_months = int((story.mrr["mrr"] > 0).sum()) if len(story.mrr) else 0
first = story.mrr["period"].iloc[0] if len(story.mrr) else "—"
cards = st.columns(4)
cards[0].metric(tr("Status"), tr("Paying") if story.active else tr("Not paying"), border=True)
cards[1].metric(tr("MRR now"), formatting.money(current, currency, language), border=True)
cards[2].metric(tr("First paying month"), first, border=True)
cards[3].metric(tr("Months paid"), formatting.number(paid_months, language), border=True,
                help=tr("Month-end snapshots at which this customer paid, up to the data's as-of date."))

if story.attributes:
    st.subheader(tr("Attributes"))
    day = formatting.cell_formatter("date", language)
    st.dataframe(  # the app's own columns (sign-up date, name) in the reader's language, a day as a date
        pd.DataFrame({tr("Attribute"): [columns.header(str(name), tr) for name in story.attributes],
                      tr("Value"): ["" if pd.isna(v) else day(v) if isinstance(v, pd.Timestamp) else str(v)
                                    for v in story.attributes.values()]}),
        hide_index=True, width="stretch",
    )

st.subheader(tr("Subscriptions and MRR"))
if story.spans.empty:
    st.info(tr("This customer has no subscription in the data."))
else:
    left, right = st.columns(2)
    with left:
        render.chart(lambda: subscription_timeline(story.spans, as_of, currency, tr), key="customer_timeline",
                     depends_on=(picked, view.as_of, as_of, currency))
    with right:
        if len(story.mrr):
            render.chart(lambda: mrr_history(story.mrr, story.movements, currency, tr), key="customer_mrr",
                         depends_on=(picked, view.as_of, currency))
        else:
            st.info(tr("No paid month yet: trials and free plans earn no MRR."))
    spans = story.spans.drop(columns=["customer_id"], errors="ignore")
    render.show_table(spans.dropna(axis=1, how="all"))

st.subheader(tr("Movements"))
if story.movements.empty:
    st.caption(tr("No MRR movement up to the data's as-of date."))
else:
    moves = story.movements.assign(movement=story.movements["movement"].map(drilldown.movement_name))
    render.show_table(moves)
    render.download_buttons(moves, f"customer_{story.customer_id}_movements", key="customer_moves_export")

events = data.events.table if data.events is not None else None
own_events = events[events["customer_id"].astype(str) == story.customer_id] if events is not None else None
st.subheader(tr("Product activity"))
if own_events is None:
    st.caption(tr("Load a usage events file on the Data page to see this customer's activity."))
elif own_events.empty:
    st.caption(tr("No event from this customer."))
else:
    render.chart(lambda: weekly_events(events_per_week(own_events), tr), key="customer_events",
                 depends_on=(story.customer_id,))

surveys = data.surveys.table if data.surveys is not None else None
st.subheader(tr("Survey answers"))
if surveys is None:
    st.caption(tr("Load a survey file on the Data page to see this customer's answers."))
else:
    answers = surveys[surveys["customer_id"].astype(str) == story.customer_id]
    if answers.empty:
        st.caption(tr("No survey answer from this customer."))
    else:
        render.show_table(answers.drop(columns=["customer_id"]).sort_values("date", ascending=False))

st.subheader(tr("Churn reasons"))
if data.churn_reasons is None:
    st.caption(tr("Load a churn reasons file on the Data page to see why this customer cancelled."))
else:
    records = data.churn_reasons.table
    records = records[records["customer_id"].astype(str) == story.customer_id]
    if records.empty:
        st.caption(tr("No cancellation record for this customer."))
    else:
        from retention.figures.churn_reasons import KIND_NAMES

        shown = records.drop(columns=["customer_id"]).rename(columns={"kind": "churn_type"})
        shown = shown.assign(churn_type=shown["churn_type"].astype(str).map(lambda k: tr(KIND_NAMES.get(k, k))))
        render.show_table(shown.sort_values("date", ascending=False))

st.subheader(tr("At-risk signals"))
if own_events is None and surveys is None:
    st.caption(tr("At-risk signals need usage events or survey answers."))
else:
    flags = state.cached(
        ("at_risk", None, view.as_of, None, 50),
        lambda: at_risk_accounts(events, surveys, data.model(view.as_of), 0.5, as_of=view.as_of),
    )
    mine = with_reasons(flags[flags["customer_id"].astype(str) == story.customer_id], tr)
    if mine.empty:
        st.success(tr("No at-risk signal: usage has not fallen by half and no recent detractor answer."))
    else:
        st.warning(render.md(str(mine["reasons"].iloc[0])))
