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
