"""Feedback: NPS and CSAT over time, detractors' comments, and whether detractors really churn more."""

import streamlit as st

from retention import formatting
from retention.engine.feedback import churn_by_group, csat_overall, detractor_comments, feedback_table, nps_overall
from retention.figures.feedback import churn_by_group_chart, csat_trend, nps_trend
from retention.periods import window_bounds
from ui import controls, render, state
from ui.boot import ensure_app

ensure_app()

tr = state.tr()
view = controls.sidebar()
st.title(tr("Feedback"))
surveys = state.extra_table("surveys", view)
if surveys is None:
    st.info(tr("Upload survey answers on the Data page (customer, date, score 0–10 for NPS or 1–5 for CSAT, "
               "optional comment) to see NPS and CSAT."))
    st.stop()
if surveys.empty:
    st.info(tr("No survey answers from the customers of this segment."))
    st.stop()

language = tr.language
model = state.dataset().model(view.as_of)
table = state.cached(("feedback", view.segment, view.granularity, view.as_of),
                     lambda: feedback_table(surveys, view.granularity, model.as_of))
if view.start or view.end:
    labels = list(table["period"])
    lo = labels.index(view.start) if view.start in labels else 0
    hi = labels.index(view.end) + 1 if view.end in labels else len(labels)
    table = table.iloc[lo:hi].reset_index(drop=True)

in_window = surveys
if len(table):
    first, last = window_bounds(list(table["period"]), view.granularity)
    days = surveys["date"].dt.normalize()
    in_window = surveys[(days >= first) & (days <= last)]
    st.caption(render.md(tr("{first} to {last}: {n} answers", first=table["period"].iloc[0],
                            last=table["period"].iloc[-1], n=len(in_window))))
cards = st.columns(3)
cards[0].metric(tr("NPS"), formatting.number(nps_overall(in_window), language), border=True,
                help=tr("% promoters (9–10) minus % detractors (0–6), from −100 to 100, over all answers."))
cards[1].metric(tr("CSAT"), formatting.percent(csat_overall(in_window), language), border=True,
                help=tr("Share of 4 and 5 answers on a 1–5 scale."))
cards[2].metric(tr("Answers"), formatting.number(len(in_window), language), border=True)

left, right = st.columns(2)
with left:
    render.chart(lambda: nps_trend(table, tr), key="nps", depends_on=(view,), empty=tr(
        "No NPS answers yet: add answers on a 0–10 scale (column score, kind nps) to the survey file on the Data page."))
with right:
    render.chart(lambda: csat_trend(table, tr), key="csat", depends_on=(view,), empty=tr(
        "No CSAT answers yet: add answers on a 1–5 scale (column score, kind csat) to the survey file on the Data page."))

st.header(tr("Do detractors churn more?"))
st.markdown(tr("For each NPS group: the share of answers whose customer was paying when answering and had stopped "
               "paying at one of the next three month-ends. Answers too recent for three month-ends are left out."))
groups = state.cached(("churn_by_group", view.segment, view.as_of), lambda: churn_by_group(surveys, model))
render.chart(lambda: churn_by_group_chart(groups, tr), key="churn_groups", depends_on=(view.segment, view.as_of), empty=tr(
    "Needs NPS answers from customers who were paying when they answered and at least three month-ends of "
    "subscriptions after the answer."))

st.header(tr("What detractors say"))
comments = detractor_comments(surveys)
if comments.empty:
    st.caption(tr("No detractor left a comment."))
else:
    render.show_table(comments)
render.download_buttons(table, f"feedback_{view.granularity}", key="feedback_export")
