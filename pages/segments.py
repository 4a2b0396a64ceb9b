"""Segments: every headline metric side by side across the values of one customer attribute."""

import streamlit as st

from retention import columns, formatting
from retention.engine.base import SMALL_SEGMENT
from retention.figures.segments import segment_bars, segment_rates
from retention.figures.trends import chart_lines
from retention.glossary import METRICS
from ui import controls, drilldown, render, state
from ui.boot import ensure_app

ensure_app()

tr = state.tr()
view = controls.sidebar()
engine = state.engine()
st.title(tr("Segments"))
segments = engine.segments()
if not segments:
    st.info(tr("Segments need customer attributes: upload a customers file with columns such as plan, country or "
               "industry on the Data page (or a Stripe export with metadata columns)."))
    st.stop()

attribute = st.selectbox(tr("Compare by"), list(segments), key="compare_by")
query = view.query().but(segment=None)
frame = state.cached(("segments", query, attribute), lambda: engine.compare_segments(query, attribute))
if frame.empty:
    render.no_periods_message()
    st.stop()

period = frame["period"].iloc[0]
st.caption(render.md(tr("{attribute}: last period {period}; averages pooled over the selected range. "
                        "Segments marked * have fewer than {n} customers at the start of the last period, "
                        "too few for a stable rate.", attribute=attribute, period=period, n=SMALL_SEGMENT)))
currency = state.currency()
no_start = tr("No segment had paying customers at the start of the period: pick a longer range, or load a "
              "subscriptions file that reaches further back.")
no_end = tr("No segment has paying customers at the end of the period: check the end dates in the subscriptions file.")
left, right = st.columns(2)
points = []
with left:
    points += render.selectable_chart(lambda: segment_rates(frame, tr=tr), key="seg_rates",
                                      depends_on=(view, attribute), empty=no_start)
    points += render.selectable_chart(lambda: segment_bars(frame, "arpa", currency, tr), key="seg_arpa",
                                      depends_on=(view, attribute, currency), empty=no_end)
with right:
    points += render.selectable_chart(lambda: segment_bars(frame, "logo_churn_rate_avg", currency, tr), key="seg_churn",
                                      depends_on=(view, attribute), empty=no_start)
    points += render.selectable_chart(lambda: segment_bars(frame, "mrr_end", currency, tr), key="seg_mrr",
                                      depends_on=(view, attribute, currency), empty=no_end)
st.caption(tr("Click a bar to list that segment's customers."))
pick = drilldown.picked(points, {i: True for i in range(8)}, len(frame))
if pick is not None:
    drilldown.segment(view, attribute, str(frame["segment"].iloc[pick[0]]), key="segment_drill")

st.subheader(tr("Benchmark that fits each segment"))
st.caption(tr("Monthly logo churn benchmarks depend on price: each segment is compared with the band of its own ARPA."))
fits = []
for record in frame.itertuples(index=False):
    lines = chart_lines("logo_churn_rate", view.granularity, record.arpa, tr, limit=3)
    fits.append({
        tr("Segment"): record.segment,
        tr(METRICS["arpa"].label): render.format_value("arpa", record.arpa, currency),
        columns.describe("logo_churn_rate_avg", tr).label: render.format_value("logo_churn_rate", record.logo_churn_rate_avg),
        tr("Benchmark"): "; ".join(f"{line.name}: {formatting.percent(line.value, tr.language)}" for line in lines) or "—",
    })
st.dataframe(fits, hide_index=True, width="stretch")

st.subheader(tr("All numbers"))
render.table_with_exports(frame, f"segments_{attribute}", key="segments_table")
