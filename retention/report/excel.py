"""The Excel dashboard: one workbook with KPI block, per-period metrics, movements and native charts.

A report, not a raw export: the sheets and headers follow the reader's language and every number
carries an Excel number format.  Cells go through `retention.exports` (formula neutralisation,
sheet names), the same path as every per-table download.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import TYPE_CHECKING

import pandas as pd

from retention.exports import WORKBOOK_OPTIONS, excel_cells, neutralise, sheet_name, write_table
from retention.glossary import KPI_CARDS, METRICS
from retention.i18n import ENGLISH, N_, Translator
from retention.palette import COLORS

if TYPE_CHECKING:  # XlsxWriter is imported when a workbook is written
    from xlsxwriter.workbook import Workbook
    from xlsxwriter.worksheet import Worksheet

META_LABELS = {
    "title": N_("Title"),
    "as_of": N_("Data as of"),
    "period": N_("Period"),
    "granularity": N_("Granularity"),
    "filters": N_("Filters"),
    "segment": N_("Segment"),
    "currency": N_("Currency"),
    "gross_margin": N_("Gross margin"),
    "source": N_("Data source"),
    "generated": N_("Generated"),
}
_KIND_FORMATS = {"count": "#,##0", "percent": '0.0"%"', "money": "#,##0", "ratio": "0.00", "months": "0.0"}
_MOVEMENT_SIGNS = {"mrr_new": 1, "mrr_expansion": 1, "mrr_reactivation": 1, "mrr_contraction": -1, "mrr_churned": -1}


def meta_text(value: object) -> str:
    """A filter dict as `plan = Pro; country = NL`, anything else as text; empty means none."""
    if isinstance(value, Mapping):
        return "; ".join(f"{k} = {v}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return "; ".join(str(v) for v in value)
    return "" if value is None else str(value)


def meta_rows(meta: Mapping[str, object], tr: Translator = ENGLISH) -> list[tuple[str, str]]:
    """(label, text) pairs for a report's details block: known keys translated, others kept."""
    rows = []
    for key, value in meta.items():
        if key == "title":
            continue
        text = meta_text(value)
        if key in ("filters", "segment") and not text:
            text = tr("none (all customers)")
        rows.append((tr(META_LABELS[key]) if key in META_LABELS else str(key), text))
    return rows


def metric_header(name: str, tr: Translator = ENGLISH, currency: str = "") -> str:
    """The translated header of a metric column; money columns name their currency."""
    if name == "period":
        return tr("Period")
    info = METRICS.get(name)
    if info is None:
        return str(name)
    label = tr(info.label)
    return f"{label} ({currency})" if info.kind == "money" and currency else label


def _metric_formats(workbook: Workbook, columns: list[str]) -> dict[str, object]:
    made: dict[str, object] = {}
    out = {}
    for column in columns:
        info = METRICS.get(column)
        if info is None:
            continue
        pattern = _KIND_FORMATS[info.kind]
        if pattern not in made:
            made[pattern] = workbook.add_format({"num_format": pattern})
        out[column] = made[pattern]
    return out


def _kpi_block(
    workbook: Workbook, ws: Worksheet, metrics: pd.DataFrame, first_row: int, tr: Translator, currency: str
) -> int:
    """KPI table of the last period against the one before; returns the next free row."""
    bold = workbook.add_format({"bold": True, "bg_color": "#f1f5f9", "bottom": 1})
    names = [n for n in KPI_CARDS + ["customers_end"] if n in metrics.columns]
    last = metrics.iloc[-1]
    prev = metrics.iloc[-2] if len(metrics) > 1 else None
    ws.write_row(first_row, 0, [tr("Metric"), str(last["period"]), str(prev["period"]) if prev is not None else "", tr("Change")], bold)
    formats = _metric_formats(workbook, names)
    for i, name in enumerate(names, start=first_row + 1):
        value = excel_cells(pd.Series([last[name]], dtype=float))[0]
        before = excel_cells(pd.Series([prev[name]], dtype=float))[0] if prev is not None else None
        change = value - before if value is not None and before is not None else None
        ws.write_string(i, 0, metric_header(name, tr, currency))
        for col, v in ((1, value), (2, before), (3, change)):
            if v is None:
                ws.write_blank(i, col, None)
            else:
                ws.write_number(i, col, v, formats[name])
    return first_row + len(names) + 2


def _add_charts(
    workbook: Workbook, summary: Worksheet, metrics_sheet: str, movements_sheet: str, metrics: pd.DataFrame,
    anchor_row: int, tr: Translator, currency: str,
) -> None:
    n = len(metrics)
    columns = list(metrics.columns)

    def ref(sheet: str, column: int) -> list[object]:
        return [sheet, 1, column, n, column]

    categories = ref(metrics_sheet, columns.index("period"))
    if "mrr_end" in columns:
        line = workbook.add_chart({"type": "line"})
        line.add_series({
            "name": tr("MRR"), "categories": categories, "values": ref(metrics_sheet, columns.index("mrr_end")),
            "line": {"color": COLORS["primary"], "width": 2.5}, "marker": {"type": "circle", "size": 4},
        })
        line.set_title({"name": tr("MRR at the end of each period")})
        line.set_y_axis({"name": currency, "num_format": "#,##0", "major_gridlines": {"visible": True, "line": {"color": "#e2e8f0"}}})
        line.set_legend({"none": True})
        line.set_size({"width": 620, "height": 320})
        summary.insert_chart(anchor_row, 0, line)
    movement_columns = [c for c in _MOVEMENT_SIGNS if c in columns]
    if movement_columns:
        stacked = workbook.add_chart({"type": "column", "subtype": "stacked"})
        for i, column in enumerate(movement_columns, start=1):
            stacked.add_series({
                "name": tr(METRICS[column].label), "categories": [movements_sheet, 1, 0, n, 0],
                "values": [movements_sheet, 1, i, n, i], "fill": {"color": COLORS[column]}, "gap": 60,
            })
        stacked.set_title({"name": tr("MRR movements per period")})
        stacked.set_y_axis({"name": currency, "num_format": "#,##0"})
        stacked.set_legend({"position": "bottom"})
        stacked.set_size({"width": 620, "height": 320})
        summary.insert_chart(anchor_row, 9, stacked)
    rate_columns = [c for c in ("crr", "nrr", "grr", "logo_churn_rate") if c in columns]
    if rate_columns:
        rates = workbook.add_chart({"type": "line"})
        palette = [COLORS["primary"], COLORS["secondary"], COLORS["mrr_reactivation"], COLORS["bad"]]
        for column, color in zip(rate_columns, palette, strict=False):
            rates.add_series({
                "name": tr(METRICS[column].label), "categories": categories,
                "values": ref(metrics_sheet, columns.index(column)), "line": {"color": color, "width": 2},
            })
        rates.set_title({"name": tr("Retention rates")})
        rates.set_y_axis({"name": "%", "num_format": '0"%"'})
        rates.set_legend({"position": "bottom"})
        rates.set_size({"width": 620, "height": 320})
        summary.insert_chart(anchor_row + 17, 0, rates)


def movements_frame(metrics: pd.DataFrame) -> pd.DataFrame:
    """MRR movements with losses negative (what a stacked chart draws below zero) and the net change."""
    out = pd.DataFrame({"period": metrics["period"]})
    for column, sign in _MOVEMENT_SIGNS.items():
        if column in metrics.columns:
            out[column] = sign * metrics[column].astype(float)
    out["mrr_net_change"] = out.drop(columns="period").sum(axis=1, min_count=1)
    return out


def excel_dashboard(
    metrics: pd.DataFrame, extra_tables: Mapping[str, pd.DataFrame], meta: Mapping[str, object],
    tr: Translator = ENGLISH, currency: str | None = None,
) -> bytes:
    """A workbook people open in Excel: a summary with KPIs, filters and as-of date and native
    charts (MRR line, MRR movements stacked columns, retention rate lines), the metrics table,
    the signed MRR movements, one sheet per extra table, and the definitions."""
    currency = currency or str(meta.get("currency") or "")
    buffer = io.BytesIO()
    import xlsxwriter

    workbook = xlsxwriter.Workbook(buffer, WORKBOOK_OPTIONS)
    workbook.set_properties({"title": str(meta.get("title") or tr("Retention dashboard")), "comments": "retention dashboard export"})
    taken: set[str] = set()
    summary = workbook.add_worksheet(sheet_name(tr("Summary"), taken))
    metrics_name = sheet_name(tr("Metrics"), taken)
    metrics_ws = workbook.add_worksheet(metrics_name)
    movements_name = sheet_name(tr("MRR movements"), taken)
    movements_ws = workbook.add_worksheet(movements_name)

    columns = [c for c in metrics.columns]
    write_table(workbook, metrics_ws, metrics, headers=[metric_header(c, tr, currency) for c in columns],
                formats=_metric_formats(workbook, columns))
    movements = movements_frame(metrics) if "period" in metrics.columns else pd.DataFrame()
    money = workbook.add_format({"num_format": "#,##0"})
    write_table(
        workbook, movements_ws, movements,
        headers=[metric_header(c, tr, currency) if c != "mrr_net_change" else tr("Net change") for c in movements.columns],
        formats={c: money for c in movements.columns if c != "period"},
    )
    for name, frame in extra_tables.items():
        write_table(workbook, workbook.add_worksheet(sheet_name(name, taken)), frame)

    definitions = workbook.add_worksheet(sheet_name(tr("Definitions"), taken))
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    write_table(workbook, definitions, pd.DataFrame({
        "metric": [tr(m.label) for m in METRICS.values()], "definition": [tr(m.definition) for m in METRICS.values()],
    }), headers=[tr("Metric"), tr("Definition")])
    definitions.set_column(0, 0, 32, wrap)
    definitions.set_column(1, 1, 100, wrap)

    title_format = workbook.add_format({"bold": True, "font_size": 18, "font_color": "#0f172a"})
    label_format = workbook.add_format({"bold": True, "font_color": "#475569"})
    summary.write_string(0, 0, str(neutralise(str(meta.get("title") or tr("Retention dashboard")))), title_format)
    row = 2
    for label, text in meta_rows(meta, tr):
        summary.write_string(row, 0, str(neutralise(label)), label_format)
        summary.write_string(row, 1, str(neutralise(text)))
        row += 1
    summary.set_column(0, 0, 34)
    summary.set_column(1, 3, 16)
    row += 1
    if len(metrics) and "period" in metrics.columns:
        row = _kpi_block(workbook, summary, metrics, row, tr, currency)
        _add_charts(workbook, summary, metrics_name, movements_name, metrics, row, tr, currency)
    else:
        summary.write_string(row, 0, tr("No complete period in the selected window."))
    summary.activate()
    workbook.close()
    return buffer.getvalue()
