"""A self-contained HTML report: one file that opens offline, keeps its charts interactive and
prints cleanly, for a founder to send to investors.

Everything the file needs is inside it: the stylesheet, plotly.js (embedded once, no CDN) and
every figure's data.  No web fonts, images, or links to scripts or styles elsewhere.  Every piece
of text that comes from the user's data (segment values, table cells, titles, filters) is
HTML-escaped here, in one place; plotly escapes the figure JSON it writes into script tags.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from retention import formatting
from retention.glossary import METRICS
from retention.i18n import ENGLISH, Translator
from retention.report.excel import meta_rows
from retention.report.style import CSS

PLOT_CONFIG = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["sendDataToCloud", "lasso2d", "select2d"]}
MAX_TABLE_ROWS = 500


@dataclass
class ReportTable:
    """A table with an optional caption; `headers` maps column names to the words shown."""

    frame: pd.DataFrame
    caption: str = ""
    headers: Mapping[str, str] | None = None


@dataclass
class ReportSection:
    """One chapter of the report: a title, a short intro, charts, then tables."""

    title: str
    intro: str = ""
    figures: Sequence[go.Figure] = field(default_factory=list)
    tables: Sequence[ReportTable | pd.DataFrame] = field(default_factory=list)


def esc(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _escape_series(series: pd.Series) -> pd.Series:
    """Vectorised HTML escaping of a column of text."""
    return (
        series.astype(str).str.replace("&", "&amp;", regex=False).str.replace("<", "&lt;", regex=False)
        .str.replace(">", "&gt;", regex=False).str.replace('"', "&quot;", regex=False).str.replace("'", "&#x27;", regex=False)
    )


def _format_column(series: pd.Series, name: str, language: str, currency: str) -> tuple[pd.Series, bool]:
    """Display text of one column and whether it is numeric (right-aligned)."""
    if pd.api.types.is_bool_dtype(series.dtype) or not pd.api.types.is_numeric_dtype(series.dtype):
        text = series.astype(object).where(series.notna(), formatting.MISSING)
        if pd.api.types.is_datetime64_any_dtype(series.dtype):
            text = series.dt.strftime("%Y-%m-%d").where(series.notna(), formatting.MISSING)
        return _escape_series(text), False
    info = METRICS.get(name)
    kind = info.kind if info else None
    values = series.astype(float)
    if kind == "percent":
        text = values.map(lambda v: formatting.percent(v, language))
    elif kind == "money":
        text = values.map(lambda v: formatting.money(v, currency, language))
    elif kind == "ratio":
        text = values.map(lambda v: formatting.ratio(v, language))
    elif kind == "months":
        text = values.map(lambda v: formatting.months(v, language))
    else:
        whole = bool(((values.dropna() % 1) == 0).all())
        text = values.map(lambda v: formatting.number(v, language, digits=0 if whole else 1))
    return _escape_series(text), True


def _default_header(column: object, tr: Translator) -> str:
    if column == "period":
        return tr("Period")
    return tr(METRICS[column].label) if column in METRICS else str(column)


def table_html(table: ReportTable | pd.DataFrame, tr: Translator = ENGLISH, currency: str = "USD") -> str:
    """An escaped HTML table; metric columns formatted by their kind in the reader's locale."""
    table = table if isinstance(table, ReportTable) else ReportTable(table)
    frame = table.frame.head(MAX_TABLE_ROWS)
    headers = table.headers or {}
    head = "".join(
        f"<th>{esc(headers.get(c) or _default_header(c, tr))}</th>" for c in frame.columns
    )
    body = ""
    if len(frame):
        rows = pd.Series("", index=frame.index)
        for column_position, column in enumerate(frame.columns):
            text, numeric = _format_column(frame.iloc[:, column_position], str(column), tr.language, currency)
            rows = rows + ('<td class="num">' if numeric else "<td>") + text + "</td>"
        body = "\n".join(("<tr>" + rows + "</tr>").tolist())
    more = ""
    if len(table.frame) > MAX_TABLE_ROWS:
        note = tr("First {n} of {total} rows; the full table is in the CSV export.", n=MAX_TABLE_ROWS, total=len(table.frame))
        more = f'<p class="caption">{esc(note)}</p>'
    caption = f'<h3>{esc(table.caption)}</h3>' if table.caption else ""
    return (f'{caption}<div class="table-wrap"><table class="data"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>{more}")


def _kpi_html(kpi: Mapping[str, object]) -> str:
    good = kpi.get("good")
    tone = " good" if good is True else " bad" if good is False else ""
    delta = f'<div class="delta{tone}">{esc(kpi["delta"])}</div>' if kpi.get("delta") else ""
    note = f'<div class="note">{esc(kpi["note"])}</div>' if kpi.get("note") else ""
    return (f'<div class="card"><div class="label">{esc(kpi.get("label", ""))}</div>'
            f'<div class="value">{esc(kpi.get("value", ""))}</div>{delta}{note}</div>')


def figure_html(fig: go.Figure, div_id: str) -> str:
    """A figure's div and plotting script, without plotly.js (the report embeds it once)."""
    return '<div class="chart">' + fig.to_html(
        full_html=False, include_plotlyjs=False, include_mathjax=False, div_id=div_id, config=PLOT_CONFIG,
        default_width="100%",
    ) + "</div>"


def build_html_report(
    title: str, kpis: Iterable[Mapping[str, object]], sections: Iterable[ReportSection],
    definitions: Iterable[tuple[str, str]], meta: Mapping[str, object], tr: Translator = ENGLISH,
    currency: str | None = None,
) -> str:
    """The whole report as one HTML string.

    `kpis`: dicts with `label`, `value` (formatted text) and optionally `delta` (text), `good`
    (True/False/None colours the delta) and `note`.  `meta`: as-of date, period, filters… (see
    `retention.report.excel.META_LABELS`); shown under the title so every reader knows what the
    numbers cover.
    """
    currency = currency or str(meta.get("currency") or "USD")
    sections = list(sections)
    figures = sum(len(s.figures) for s in sections)
    parts: list[str] = []
    details = "".join(f"<dt>{esc(label)}</dt><dd>{esc(text)}</dd>" for label, text in meta_rows(meta, tr))
    parts.append(f'<header class="report"><h1>{esc(title)}</h1><dl class="meta">{details}</dl></header>')
    cards = "".join(_kpi_html(k) for k in kpis)
    if cards:
        parts.append(f'<section class="kpis"><h2>{esc(tr("Key figures"))}</h2><div class="grid">{cards}</div></section>')
    n = 0
    for section in sections:
        chunk = [f"<section><h2>{esc(section.title)}</h2>"]
        if section.intro:
            chunk.append(f'<p class="intro">{esc(section.intro)}</p>')
        for fig in section.figures:
            n += 1
            chunk.append(figure_html(fig, f"figure-{n}"))
        chunk.extend(table_html(t, tr, currency) for t in section.tables)
        chunk.append("</section>")
        parts.append("".join(chunk))
    terms = "".join(f"<dt>{esc(term)}</dt><dd>{esc(text)}</dd>" for term, text in definitions)
    if terms:
        parts.append(f'<section><h2>{esc(tr("Definitions"))}</h2><dl class="definitions">{terms}</dl></section>')
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    parts.append(f"<footer>{esc(tr('Generated on {when} by the retention dashboard.', when=generated))}</footer>")
    plotly_js = f"<script>{get_plotlyjs()}</script>" if figures else ""
    return (
        f'<!DOCTYPE html>\n<html lang="{esc(tr.language)}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n{plotly_js}\n</head>\n"
        f"<body>\n<main>\n" + "\n".join(parts) + "\n</main>\n</body>\n</html>\n"
    )
