"""Rendering helpers: KPI cards, charts, tables with their exports.

User values (customer names, attribute values, file names) only ever reach the page through
Streamlit elements that render text, or through `md()`, which escapes Markdown/HTML first.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from retention import escaping, formatting
from retention.engine.kpis import Kpi
from retention.exports import to_csv_bytes, to_xlsx_bytes
from retention.glossary import METRICS
from retention.i18n import N_
from retention.report import sections as report_sections
from ui import state


def md(text: object) -> str:
    """Escape a user value for use inside Markdown (no HTML, no links, no formatting): `retention.escaping.markdown`."""
    return escaping.markdown(text)


def format_value(name: str, value: float | None, currency: str = "USD") -> str:
    """A metric's value in the session's language, written for its kind (92.5 %, $1,200…)."""
    return report_sections.format_value(name, value, state.tr().language, currency)


def _delta_text(kpi: Kpi, currency: str) -> str | None:
    delta = kpi.delta
    if delta is None:
        return None
    tr = state.tr()
    language = tr.language
    kind = METRICS[kpi.name].kind
    if kind == "percent":
        text = formatting.number(delta, language, digits=1) + " " + tr("pp")
    elif kind == "money":
        text = formatting.money(delta, currency, language)
    elif kind in ("ratio", "months"):
        text = formatting.number(delta, language, digits=2)
    else:
        text = formatting.number(delta, language)
    return formatting.signed(text, delta)


def kpi_cards(kpis: list[Kpi], currency: str = "USD", per_row: int = 4) -> None:
    tr = state.tr()
    for start in range(0, len(kpis), per_row):
        columns = st.columns(per_row)
        for column, kpi in zip(columns, kpis[start:start + per_row], strict=False):
            info = METRICS[kpi.name]
            better = kpi.higher_is_better
            column.metric(
                tr(info.card_label),
                format_value(kpi.name, kpi.value, currency),
                delta=_delta_text(kpi, currency),
                delta_color="normal" if better is not False else "inverse",
                help=tr(info.definition) + "\n\n" + tr("Change against the previous period."),
                border=True,
            )


def chart(fig: go.Figure, key: str | None = None) -> None:
    st.plotly_chart(fig, width="stretch", key=key, config={"displaylogo": False})


COLUMN_LABELS = {
    "period": N_("Period"), "segment": N_("Segment"), "periods": N_("Periods"), "customer_id": N_("Customer"),
    "mrr": N_("MRR"), "recent_weekly_events": N_("Events per week, last 4 weeks"),
    "previous_weekly_events": N_("Events per week, 8 weeks before"), "usage_change": N_("Usage change (%)"),
    "usage_falling": N_("Usage falling"), "last_nps": N_("Last NPS answer"), "last_nps_date": N_("Answered on"),
    "detractor": N_("Detractor"), "reasons": N_("Why"), "date": N_("Date"), "score": N_("Score"),
    "comment": N_("Comment"), "mrr_share": N_("Share of MRR (%)"), "small": N_("Small segment"),
    "crr_avg": N_("CRR, range average"), "logo_churn_rate_avg": N_("Logo churn, range average"),
    "nrr_avg": N_("NRR, range average"), "grr_avg": N_("GRR, range average"),
}


def localized_table(table: pd.DataFrame) -> pd.DataFrame:
    """Column headers in the user's language (values stay numbers so sorting works); exports keep the English names."""
    tr = state.tr()
    names = {c: tr(METRICS[c].label) for c in table.columns if c in METRICS}
    names |= {c: tr(label) for c, label in COLUMN_LABELS.items() if c in table.columns}
    return table.rename(columns=names)


# Decimals shown per kind of value: a table of rates with four decimals reads as noise.
_DECIMALS = {"percent": "%.1f", "money": "%.2f", "ratio": "%.2f", "months": "%.1f", "count": "%d"}
_COLUMN_FORMATS = {"mrr": "%.2f", "recent_weekly_events": "%.2f", "previous_weekly_events": "%.2f", "usage_change": "%.1f",
                   "mrr_share": "%.1f", "crr_avg": "%.1f", "logo_churn_rate_avg": "%.1f", "nrr_avg": "%.1f", "grr_avg": "%.1f"}


def number_formats(table: pd.DataFrame) -> dict[str, object]:
    """`column_config` that rounds floats and drops midnight from dates, for display only (exports keep full precision)."""
    shown = localized_table(table)
    config: dict[str, object] = {}
    for original, label in zip(table.columns, shown.columns, strict=True):
        if pd.api.types.is_datetime64_any_dtype(table[original]):
            config[label] = st.column_config.DateColumn(format="YYYY-MM-DD")
            continue
        if not pd.api.types.is_float_dtype(table[original]):
            continue
        fmt = _DECIMALS[METRICS[original].kind] if original in METRICS else _COLUMN_FORMATS.get(original)
        if fmt:
            config[label] = st.column_config.NumberColumn(format=fmt)
    return config


def show_table(table: pd.DataFrame) -> None:
    st.dataframe(localized_table(table), hide_index=True, width="stretch", column_config=number_formats(table))


def download_buttons(table: pd.DataFrame, name: str, key: str) -> None:
    """CSV (stable English column names) and Excel downloads of a table, formula cells neutralised."""
    tr = state.tr()
    left, right = st.columns(2)
    left.download_button(
        tr("Download CSV"), to_csv_bytes(table), file_name=f"{name}.csv", mime="text/csv", key=f"{key}_csv",
        on_click="ignore", icon=":material/download:",
    )
    right.download_button(
        tr("Download Excel"), to_xlsx_bytes({name[:31]: table}), file_name=f"{name}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"{key}_xlsx",
        on_click="ignore", icon=":material/table_view:",
    )


def table_with_exports(table: pd.DataFrame, name: str, key: str) -> None:
    show_table(table)
    download_buttons(table, name, key)


def no_periods_message() -> None:
    tr = state.tr()
    st.info(tr("No complete period in the selected range. Pick a longer range or a later 'Data as of' date "
               "in the sidebar settings, or load data that covers at least one full month on the Data page."))


def caption_for(view: state.View, table: pd.DataFrame) -> None:
    """One line saying what the numbers cover: periods, segment, as-of date."""
    tr = state.tr()
    first, last = table["period"].iloc[0], table["period"].iloc[-1]
    span = first if first == last else tr("{first} to {last}", first=first, last=last)
    segment = tr("All customers") if view.segment is None else f"{view.segment[0]} = {view.segment[1]}"
    as_of = formatting.day(state.dataset().model(view.as_of).as_of, state.tr().language)
    source = tr("sample data") if state.data_source() == "sample" else tr("your data")
    st.caption(md(" · ".join([span, segment, tr("data as of {date}", date=as_of), source])))


def trend(fig: go.Figure, metrics: list[str], view: state.View, table: pd.DataFrame, key: str) -> None:
    """A trend chart with the benchmarks and targets that fit it."""
    from retention.figures.trends import with_benchmarks

    arpa_values = table["arpa"].dropna() if "arpa" in table else pd.Series(dtype=float)
    arpa = float(arpa_values.iloc[-1]) if len(arpa_values) else None
    fig, _ = with_benchmarks(fig, metrics, view.granularity, arpa, state.targets(), state.tr())
    chart(fig, key=key)


def report_downloads(view: state.View, table: pd.DataFrame, key: str) -> None:
    """One-click exports of the whole dashboard: HTML report and Excel workbook, built when clicked."""
    from retention.report.summary import excel_report, html_report

    tr = state.tr()
    history = state.history(view)
    meta = state.report_meta(view, table)
    currency = state.currency()
    stamp = str(meta["as_of"])
    left, right = st.columns(2)
    left.download_button(
        tr("Download report (HTML)"),
        lambda: html_report(history, table, view.granularity, meta, currency, state.targets(), tr=tr).encode("utf-8"),
        file_name=f"retention-report-{stamp}.html", mime="text/html", key=f"{key}_html", on_click="ignore",
        icon=":material/summarize:", help=tr("A self-contained file with the KPIs, charts against benchmarks, "
                                             "tables and definitions. Works offline; charts stay interactive."),
    )
    right.download_button(
        tr("Download Excel dashboard"),
        lambda: excel_report(table, meta, currency, tr=tr),
        file_name=f"retention-dashboard-{stamp}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"{key}_xlsx",
        on_click="ignore", icon=":material/table_view:",
        help=tr("One sheet per table, a summary with the filters used, and native Excel charts."),
    )
