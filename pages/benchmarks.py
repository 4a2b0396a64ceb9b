"""Benchmarks: every industry line with its source, and the user's own targets."""

import pandas as pd
import streamlit as st

from retention.benchmarks import benchmarks_frame
from retention.glossary import METRICS
from retention.targets import TargetFileError, make_target, parse_targets, targets_frame, targets_to_csv
from ui import render, state
from ui.boot import ensure_app

ensure_app()

tr = state.tr()
st.title(tr("Benchmarks and targets"))
st.markdown(tr(
    "The dashed lines on the charts are published industry figures. Each is drawn only on charts of the period it was "
    "published for, or converted with the formula shown on hover (for example a monthly churn rate compounded to a "
    "year); a figure is never silently moved between monthly and annual. Benchmarks that depend on company size use "
    "your own ARPA to pick the band that fits. Your own targets show as dotted lines beside them."
))

st.header(tr("Industry benchmarks"))
table = benchmarks_frame()
shown = pd.DataFrame({
    tr("Metric"): [tr(METRICS[m].label) if m in METRICS else m for m in table["metric"]],
    tr("Benchmark"): table["label"].map(tr),
    tr("Value (%)"): table["value"],
    tr("Per"): table["period_basis"],
    tr("Applies to"): table["segment"],
    tr("Source"): table["citation"],
    tr("Link"): table["link"],
})
st.dataframe(shown, hide_index=True, width="stretch",
             column_config={tr("Link"): st.column_config.LinkColumn(tr("Link"))})
render.download_buttons(table.drop(columns=["citation"]), "benchmarks", key="benchmarks")

st.header(tr("Your targets"))
targets = state.targets()
metric_names = [name for name, info in METRICS.items() if info.kind == "percent"]
with st.form("add_target", clear_on_submit=True, border=True):
    cols = st.columns([3, 1, 1, 3])
    metric = cols[0].selectbox(tr("Metric"), metric_names, format_func=lambda m: tr(METRICS[m].label))
    value = cols[1].number_input(tr("Value (%)"), min_value=-100.0, max_value=1000.0, value=95.0, step=0.5)
    basis = cols[2].selectbox(tr("Per"), ["month", "quarter", "year"],
                              format_func=lambda b: {"month": tr("Month"), "quarter": tr("Quarter"), "year": tr("Year")}[b])
    label = cols[3].text_input(tr("Label (optional)"), max_chars=80)
    if st.form_submit_button(tr("Add target"), type="primary"):
        try:
            targets.append(make_target(metric, value, basis, label))
        except TargetFileError as exc:
            st.error(render.md(exc.message(tr)))

if targets:
    frame = targets_frame(targets)
    st.dataframe(frame.assign(metric=frame["metric"].map(lambda m: tr(METRICS[m].label) if m in METRICS else m)),
                 hide_index=True, width="stretch")
    left, right = st.columns(2)
    left.download_button(tr("Download targets (CSV)"), targets_to_csv(targets), file_name="targets.csv",
                         mime="text/csv", on_click="ignore", key="targets_csv")
    if right.button(tr("Remove all targets"), key="clear_targets"):
        targets.clear()
        st.rerun()
else:
    st.caption(tr("No targets yet. Add one above or import a CSV with the columns metric, value, period_basis, label."))

uploaded = st.file_uploader(tr("Import targets (CSV)"), type=["csv"], key="targets_upload")
if uploaded is not None and st.button(tr("Import"), key="targets_import"):
    try:
        imported = parse_targets(uploaded.getvalue())
    except TargetFileError as exc:
        st.error(render.md(tr("targets.csv") + ", " + exc.message(tr)))
    else:
        targets.extend(imported)
        st.success(tr("{n} targets imported.", n=len(imported)))
