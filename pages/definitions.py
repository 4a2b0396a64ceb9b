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
