"""Benchmarks: every industry line with its source, and the user's own targets."""

import pandas as pd
import streamlit as st

from retention import columns, formatting
from retention.benchmarks import benchmarks_frame
from retention.glossary import METRICS
from retention.periods import GRANULARITY_NAMES
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
language = tr.language
bases = {"month": tr("monthly"), "quarter": tr("quarterly"), "year": tr("annual"), "week-8": tr("at week 8"),
         "day-7": tr("on day 7")}


def _value(row: pd.Series) -> str:
    text = formatting.percent(row["value"], language, digits=1)
    if pd.notna(row["low"]) and pd.notna(row["high"]):
        text += " (" + tr("range {low} – {high} %", low=formatting.number(row["low"], language, 1),
                          high=formatting.number(row["high"], language, 1)) + ")"
    return text


shown = pd.DataFrame({
    tr("Metric"): [columns.describe(m, tr).label for m in table["metric"]],
    tr("Benchmark"): table["label"].map(tr),
    tr("Value"): [_value(row) for _, row in table.iterrows()],
    tr("Per"): table["period_basis"].map(bases),
    tr("Applies to"): table["segment"].map(tr),
    tr("Source"): [tr(source) + ", " + (str(year) if pd.notna(year) else tr("n.d."))
                   for source, year in zip(table["source"], table["year"], strict=True)],
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
                              format_func=lambda b: tr(GRANULARITY_NAMES[b]))
    label = cols[3].text_input(tr("Label (optional)"), max_chars=80)
    if st.form_submit_button(tr("Add target"), type="primary"):
        try:
            targets.append(make_target(metric, value, basis, label))
        except TargetFileError as exc:
            st.error(render.md(exc.message(tr)))

if targets:
    frame = targets_frame(targets)
    render.show_table(frame.assign(metric=frame["metric"].map(lambda m: columns.describe(m, tr).label),
                                   period_basis=frame["period_basis"].map(lambda b: bases.get(b, b))))
    left, right = st.columns(2)
    left.download_button(tr("Download targets (CSV)"), lambda kept=list(targets): targets_to_csv(kept), file_name="targets.csv",
                         mime="text/csv", on_click="ignore", key="targets_csv")
    if right.button(tr("Remove all targets"), key="clear_targets"):
        targets.clear()
        st.rerun()
else:
    st.caption(tr("No targets yet. Add one above or import a CSV with the columns metric, value, period_basis, label."))

render.uploader_help()
uploaded = st.file_uploader(tr("Import targets (CSV)"), type=["csv"], key="targets_upload")
if uploaded is not None and st.button(tr("Import"), key="targets_import"):
    try:
        imported = parse_targets(uploaded.getvalue())
    except TargetFileError as exc:
        st.error(render.md(tr("targets.csv") + ", " + exc.message(tr)))
    else:
        targets.extend(imported)
        st.success(tr("{n} targets imported.", n=len(imported)))
