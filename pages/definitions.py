"""Definitions: every metric in plain words, and how the dashboard counts."""

import streamlit as st

from retention.glossary import METRICS
from ui import state
from ui.boot import ensure_app

ensure_app()

tr = state.tr()
st.title(tr("How metrics are defined"))
st.markdown(tr(
    "Every number on this dashboard comes from **snapshots**: for each period we look at the last day of that period "
    "and ask which customers were paying that day and how much. A period's metrics compare its snapshot with the "
    "snapshot of the period before. A customer is **paying** when the subscriptions running that day add up to more "
    "than zero monthly recurring revenue (MRR): trials and free plans do not count. Annual and quarterly plans are "
    "spread per month, so 1,200 a year is 100 MRR. When you pick quarters or years, the same rules compare "
    "quarter-end or year-end snapshots, so a yearly NRR is the classic annual net revenue retention."
))
st.markdown(tr(
    "Only complete periods are shown: the last one is the last period whose final day is on or before the data's "
    "as-of date (the latest date in your data, or the date you set in the sidebar). History before the range you "
    "pick still counts: a customer who paid before the range is not new inside it. A rate whose denominator is zero "
    "is shown as a dash, never as 0 %."
))

with st.container(border=True):
    st.subheader(tr("Why CRR can be above 100 %"))
    st.markdown(tr(
        "The customer retention rate uses the industry formula (customers at the end − new customers) ÷ customers at "
        "the start. Customers who had left and come back are counted at the end but are not new, so they are not "
        "subtracted. Example: 100 customers at the start, 5 leave, 10 new sign up and 8 former customers return: "
        "113 at the end, so CRR = (113 − 10) ÷ 100 = 103 %. The **retained rate** next to it counts only customers "
        "present at both ends: (100 − 5) ÷ 100 = 95 %."
    ))

groups: dict[str, list] = {}
for info in METRICS.values():
    groups.setdefault(info.group, []).append(info)
for group, infos in groups.items():
    st.header(tr(group))
    for info in infos:
        st.markdown(f"**{tr(info.label)}** — {tr(info.definition)}")

st.header(tr("Cohorts and customer lifetime"))
st.markdown(tr(
    "**Cohort** — the customers whose first paying snapshot falls in the same period (month, quarter or year, as "
    "picked in the sidebar). The cohort table shows, for each cohort and each age 0, 1, 2…, how many of its customers "
    "are paying at that age (customers basis) or how much MRR they pay (revenue basis), and that as a share of age 0. "
    "Customers who leave and come back count again from the period they return. Cells that lie after the last "
    "complete period do not exist yet, so the table is a triangle, not a rectangle padded with zeros."
))
st.markdown(tr(
    "**Customer lifetime curve** — from monthly snapshots, each customer's run of consecutive paying months from their "
    "first one. A run that ended inside the data counts as a churn at that month; a customer still paying is counted "
    "as 'still here after so many months' (censored), not as lost. The Kaplan–Meier estimate turns these runs into the "
    "chance of still paying after t months, with a 95 % confidence band. The **median lifetime** is the first month at "
    "which that chance is 50 % or less; it stays empty while more than half of customers are still paying."
))
st.markdown(tr(
    "**Segments** — the same metrics computed only over the customers whose attribute (plan, country, industry…) has "
    "a given value. Rates of small segments jump around: segments with fewer than 30 customers at the start are "
    "marked, and the segment comparison also shows rates pooled over the whole selected range."
))

st.header(tr("Forecasts"))
st.markdown(tr(
    "**Projected retention** — the shifted-beta-geometric model of Fader & Hardie (2007). Each customer has their own "
    "chance of leaving at every renewal; across customers these chances follow a beta distribution with parameters α "
    "and β, fitted by maximum likelihood to the cohort table (customers basis). Because the customers most likely to "
    "leave go first, retention improves with age. A cohort with at least 10 churns and 2 periods of history gets its "
    "own fit; others use the fit of all cohorts pooled. A cohort is projected from its last observed share. The "
    "**range** (90 %) comes from refitting the model on 200 data sets simulated from the fit (parametric bootstrap)."
))
st.markdown(tr(
    "**LTV (model)** — gross margin expected per customer: what the cohort's customers have paid so far (MRR × months "
    "× gross margin) plus what the ones still paying are expected to pay, at the cohort's current ARPA, each period "
    "weighted by the projected chance of still paying and discounted at the yearly rate you choose, counting at most "
    "10 years after the customer started. For a new customer it is the same sum from month 0 at today's ARPA. The "
    "page shows **not enough data** instead of a number when fewer than 10 customers have left, when the cohorts are "
    "under 2 periods old, or when the model expects more than half of customers to still pay after 10 years. "
    "**Simple LTV** is the usual ARPA × gross margin ÷ average monthly logo churn of the last six months, shown "
    "beside it for comparison. **Residual value** is the margin still expected from a cohort's paying customers; "
    "**DERL** (discounted expected residual lifetime) is the expected number of further payments of a paying "
    "customer, discounted."
))
st.markdown(tr(
    "**Backtest** — every cohort is cut at an age, the model is fitted only to what came before, and its prediction "
    "for each later age is compared with what happened. The error is in percentage points of the cohort's starting "
    "customers, averaged with each cohort weighted by its size, next to the error of assuming nobody else leaves. "
    "**Bias** is the average signed error: above 0 the model was too optimistic."
))
st.markdown(tr(
    "**MRR forecast** — each month ahead adds the average new, expansion, reactivation, contraction and churned MRR "
    "of the last months you choose (3 by default). **Linear** keeps these as amounts; **compounding** turns "
    "expansion, contraction and churn into rates of the MRR at the start of each month. Scenarios move the churn "
    "rate by points or scale new and expansion MRR. The shaded range is ± 1.28 standard deviations of the monthly net "
    "change over the last 12 months × √months ahead (a rough 80 % range). **Committed MRR** applies the snapshot rule "
    "to the month-ends ahead using only what the data already schedules (future end dates, future starts and trial "
    "ends), assuming subscriptions without an end date keep running; subscriptions marked as not renewing without "
    "an end date are listed as MRR at risk."
))

st.header(tr("Product engagement"))
st.markdown(tr(
    "An **active user** is a user with at least one event that day (or a customer, when events carry no user). Days "
    "are calendar days in UTC unless you pick a time zone; weeks start on Monday. An **engagement cohort** is everyone "
    "first seen on the same day, week or month; each cell is how many of them came back in a later period. "
    "**Day-7 retention** is the share of users active exactly 7 days after their first day (7 % puts a product in the "
    "top quarter, says Amplitude). **7-day drop-off** is the share with no activity on days 7 to 13. **Week-8 "
    "retention** is the share active in the eighth week after their first week (35 % is good). Users first seen too "
    "recently are left out until their day or week has passed. **Stickiness** is the average daily active users of a "
    "month divided by that month's active users: high means people come back most days."
))
st.header(tr("Feedback"))
st.markdown(tr(
    "**NPS** (Net Promoter Score) is the percentage of promoters (answers 9–10) minus the percentage of detractors "
    "(0–6), from −100 to 100; every answer counts. **CSAT** is the share of 4 and 5 answers on a 1–5 scale. **Churn by "
    "NPS group** follows each answer's customer, paying when answering, through the next three month-ends and counts "
    "whether they stopped paying; answers too recent for three month-ends are left out. **Accounts at risk** are "
    "paying customers whose weekly activity over the last 4 weeks fell by more than the share you choose against the "
    "8 weeks before, or who recently answered as detractors."
))
