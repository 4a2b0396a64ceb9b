"""Churn reasons: why the churned customers of the movement table left, by MRR and by count."""

import pandas as pd
import streamlit as st

from retention import formatting
from retention.churn_reasons import LAG_DAYS, LEAD_DAYS, by_kind, by_period, by_reason, by_segment, comments, match_reasons
from retention.figures.churn_reasons import KIND_NAMES, NO_REASON_LABEL, kinds_by_period, reasons_by_period, reasons_ranked
from ui import controls, render, state
from ui.boot import ensure_app

ensure_app()

tr = state.tr()
view = controls.sidebar()
table = state.metrics(view)
st.title(tr("Churn reasons"))
if table.empty:
    render.no_periods_message()
    st.stop()

render.caption_for(view, table)
data = state.dataset()
currency = state.currency()
language = tr.language
periods = list(table["period"])
loaded = data.churn_reasons
if loaded is None:
    st.info(tr("No churn reasons loaded. Upload a cancellations export on the Data page (customer id, date, reason, "
               "optionally a comment and a refund) to see why customers left. Until then, churn is split by the "
               "billing status of the subscriptions that ended (unpaid or past due is involuntary)."))
found = state.cached(
    ("churn_reasons", view.query(), tuple(periods)),
    lambda: match_reasons(state.engine(), view.query(), loaded.table if loaded is not None else None,
                          data.subscriptions.table if data.subscriptions is not None else None, periods))
with st.expander(tr("How reasons are matched to churned customers")):
    st.markdown(tr("A churned customer paid at the previous snapshot and not at this one (as in the MRR movements). "
                   "Its reason is the customer's cancellation record dated from {lead} days before that period to "
                   "{lag} days after it: billing tools date a cancellation when it is asked for, often before the paid "
                   "term ends. Churn is involuntary when the record or the status of the subscription that ended says "
                   "a payment failed (failed or declined payment, unpaid, past due, dunning), voluntary when a record "
                   "says otherwise, and unknown without a record.", lead=LEAD_DAYS, lag=LAG_DAYS))

cover = found.coverage()
kinds = by_kind(found)
involuntary = float(kinds.loc[kinds["churn_type"] == "involuntary", "mrr_churned"].sum())
churned_mrr = float(found.churns["mrr_churned"].sum())
cards = st.columns(4)
cards[0].metric(tr("Churned customers"), formatting.number(cover["churned"], language), border=True)
cards[1].metric(tr("With a reason"), formatting.percent(cover["share_with_reason"], language), border=True,
                help=tr("{n} of {total} churned customers have a cancellation record; {missing} have none.",
                        n=cover["with_reason"], total=cover["churned"], missing=cover["without_reason"]))
cards[2].metric(tr("Involuntary churned MRR"), formatting.money(involuntary, currency, language), border=True,
                help=tr("Churned MRR of customers whose payment failed, of {total} churned MRR in all.",
                        total=formatting.money(churned_mrr, currency, language)))
cards[3].metric(tr("Cancellations without a churn"), formatting.number(cover["records_without_churn"], language),
                border=True, help=tr("Cancellation records dated in the range whose customer did not churn in it: "
                                     "still in a paid term, or back before the period ended."))
if cover["churned"] == 0:
    st.info(tr("No customer churned in the selected range."))
    st.stop()

measure = st.segmented_control(
    tr("Measure"), ["mrr", "customers"], default="mrr", key="churn_reasons_measure",
    format_func={"mrr": tr("Churned MRR"), "customers": tr("Churned customers")}.get) or "mrr"
reasons = by_reason(found)
per_period = by_period(found)
left, right = st.columns(2)
with left:
    render.chart(lambda: reasons_ranked(reasons, measure, tr, currency), key="churn_reasons_ranked",
                 depends_on=(view, measure, currency))
with right:
    render.chart(lambda: kinds_by_period(kinds, measure, tr, currency), key="churn_kinds",
                 depends_on=(view, measure, currency))
render.chart(lambda: reasons_by_period(per_period, periods, measure, tr, currency), key="churn_reasons_periods",
             depends_on=(view, measure, currency))


def shown(frame: pd.DataFrame) -> pd.DataFrame:
    """Reasons and kinds as the reader reads them ("No reason recorded", "Voluntary")."""
    out = frame.copy()
    if "reason" in out:
        out["reason"] = out["reason"].map(lambda r: tr(NO_REASON_LABEL) if r == "" else r)
    if "churn_type" in out:
        out["churn_type"] = out["churn_type"].map(lambda k: tr(KIND_NAMES[k]) if k in KIND_NAMES else k)
    if "churn_type_from" in out:
        out["churn_type_from"] = out["churn_type_from"].map({"reason": tr("cancellation record"), "status": tr("billing status"),
                                                             "": ""})
    return out


st.subheader(tr("Reasons"))
render.table_with_exports(shown(reasons), "churn_reasons", key="churn_reasons_table")

st.subheader(tr("Reasons per period"))
render.table_with_exports(shown(per_period), "churn_reasons_per_period", key="churn_reasons_period_table")

st.subheader(tr("Voluntary and involuntary churn per period"))
render.table_with_exports(shown(kinds), "churn_types_per_period", key="churn_kinds_table")

attributes = list(state.engine().segments())
if attributes:
    st.subheader(tr("Reasons by segment"))
    attribute = st.selectbox(tr("Segment by"), attributes, key="churn_reasons_attribute")
    segments = state.cached(("churn_reasons_segment", view.query(), tuple(periods), attribute),
                            lambda: by_segment(found, state.engine(), attribute))
    render.table_with_exports(shown(segments), f"churn_reasons_by_{attribute}", key="churn_reasons_segment_table")

st.subheader(tr("What churned customers said"))
said = comments(found)
if said.empty:
    st.caption(tr("No churned customer of the range left a comment."))
else:
    render.table_with_exports(shown(said), "churn_comments", key="churn_comments_table")

st.subheader(tr("Churned customers"))
st.caption(tr("Every churned customer of the range with its reason; sort by a column, or export the list."))
render.table_with_exports(shown(found.churns), "churned_customers_reasons", key="churned_reasons_table")
if len(found.unmatched):
    with st.expander(tr("Cancellations without a churn in the range ({n})", n=len(found.unmatched))):
        render.table_with_exports(shown(found.unmatched), "cancellations_without_churn", key="unmatched_reasons_table")
