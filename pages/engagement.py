"""Engagement: product usage retention, day-7 and week-8 retention, active users, accounts at risk."""

import pandas as pd
import streamlit as st

from retention import formatting
from retention.engine.at_risk import at_risk_accounts
from retention.engine.engagement import (
    active_users,
    build_activity,
    day_7_retention,
    day_n_curve,
    drop_off_7d,
    engagement_cohorts,
    stickiness,
    week_8_retention,
    week_n_curve,
)
from retention.figures.engagement import active_users_chart, cohort_heatmap, retention_curve
from retention.report.at_risk import with_reasons
from ui import controls, drilldown, render, state
from ui.boot import ensure_app

ensure_app()

tr = state.tr()
view = controls.sidebar()
st.title(tr("Engagement"))
events = state.extra_table("events", view)
if events is None:
    st.info(tr("Upload a usage-events export on the Data page (one row per event: user or customer, timestamp, "
               "optional event name) to see product retention."))
    st.stop()
if events.empty:
    st.info(tr("No events for the customers of this segment."))
    st.stop()

ZONES = ["UTC", "Europe/Amsterdam", "Europe/Berlin", "Europe/Paris", "Europe/Rome", "Europe/Bucharest",
         "Europe/London", "America/New_York", "America/Los_Angeles"]
left, right = st.columns(2)
interval = left.segmented_control(
    tr("Cohorts by"), ["day", "week", "month"], default="week", key="engagement_interval",
    format_func={"day": tr("Day"), "week": tr("Week"), "month": tr("Month")}.get,
) or "week"
zone = right.selectbox(tr("Time zone for days"), ZONES, key="engagement_tz")
tz = None if zone == "UTC" else zone
activity = state.cached(("activity", view.segment, tz), lambda: build_activity(events, None, tz))

language = tr.language
cards = st.columns(4)
d7 = day_7_retention(activity)
cards[0].metric(tr("Day-7 retention"), formatting.percent(d7, language), border=True,
                help=tr("Share of users active exactly 7 days after their first day. 7 % puts a product in the top "
                        "quarter (Amplitude)."))
cards[1].metric(tr("7-day drop-off"), formatting.percent(drop_off_7d(activity), language), border=True,
                help=tr("Share of users with no activity on days 7 to 13 after their first day."))
cards[2].metric(tr("Week-8 retention"), formatting.percent(week_8_retention(activity), language), border=True,
                help=tr("Share of users active in the eighth week after the week they started; 35 % is good."))
cards[3].metric(tr("Active users"), formatting.number(activity.actors, language), border=True,
                help=tr("Users (or customers, when events have no user) seen at least once."))
st.caption(tr("Data as of {date}; days in {zone}.", date=formatting.day(events["timestamp"].max(), language), zone=zone))

cohorts = state.cached(("eng_cohorts", view.segment, tz, interval), lambda: engagement_cohorts(activity, interval))
render.chart(lambda: cohort_heatmap(cohorts, interval, tr, *render.window_dates(view)), key="eng_heatmap",
             depends_on=(view, tz, interval), empty=tr(
    "No engagement cohort started in the selected range: pick a longer range, or upload usage events that cover it."))
left, right = st.columns(2)
with left:
    render.chart(lambda: retention_curve(day_n_curve(activity, 30), week_n_curve(activity, 12), tr), key="eng_curve",
                 depends_on=(view.segment, tz))
with right:
    render.chart(lambda: active_users_chart(active_users(activity), stickiness(activity), tr), key="eng_active",
                 depends_on=(view.segment, tz))

render.download_buttons(
    pd.DataFrame([{"cohort": c["cohort"], "size": c["size"], "age": i, "active": v, "percent": p}
                  for c in cohorts for i, (v, p) in enumerate(zip(c["values"], c["percent"], strict=True))]),
    f"engagement_cohorts_{interval}", key="eng_export",
)

st.header(tr("Accounts at risk"))
st.markdown(tr("Paying customers whose weekly activity over the last 4 weeks fell by more than the share you choose "
               "against the 8 weeks before, or who recently answered a survey as detractors. Biggest MRR first."))
drop = st.slider(tr("Flag a fall in usage of more than (%)"), 10, 90, 50, step=5, key="risk_drop")
surveys = state.extra_table("surveys", view)
# The engine's flags are cached per view; the "why" sentence is written in the session's language on every run.
flags = state.cached(
    ("at_risk", view.segment, view.as_of, tz, drop),
    lambda: at_risk_accounts(events, surveys, state.dataset().model(view.as_of), drop / 100.0, as_of=view.as_of, tz=tz),
)
risky = drilldown.with_names(with_reasons(flags, tr))
if risky.empty:
    st.success(tr("No account matches these rules."))
else:
    render.show_table(risky)
render.download_buttons(risky, "at_risk_accounts", key="risk_export")
