"""Ready-made report content: KPI cards from a metrics table and the list of benchmark sources."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from retention import formatting
from retention.benchmarks.selection import BenchmarkLine, per_basis
from retention.engine.kpis import kpi_summary
from retention.glossary import KPI_CARDS, METRICS
from retention.i18n import ENGLISH, Translator
from retention.report.html import ReportSection, ReportTable


def format_value(name: str, value: float | None, language: str = "en", currency: str = "USD") -> str:
    """A metric's value written for its kind: 92.5 %, $1,200, 2.40, 14.2 (months) or 1,234."""
    kind = METRICS[name].kind if name in METRICS else "count"
    if kind == "percent":
        return formatting.percent(value, language)
    if kind == "money":
        return formatting.money(value, currency, language)
    if kind == "ratio":
        return formatting.ratio(value, language)
    if kind == "months":
        return formatting.months(value, language)
    return formatting.number(value, language)


def signed_change(name: str, delta: float, tr: Translator = ENGLISH, currency: str = "USD") -> str:
    """A metric's change against the previous period, signed and written for its kind: +2.5 pts, −$1,200, +0.40.

    Rates change by percentage points, never by percent; the KPI cards of the app and of every report
    write it the same way through this one function.
    """
    kind = METRICS[name].kind if name in METRICS else "count"
    if kind == "percent":
        return formatting.signed(formatting.number(delta, tr.language, 1), delta) + " " + tr("pts")
    return formatting.signed(format_value(name, delta, tr.language, currency), delta)


def _delta_text(name: str, delta: float, currency: str, tr: Translator) -> str:
    return tr("{delta} vs previous period", delta=signed_change(name, delta, tr, currency))


def kpi_cards(
    history: pd.DataFrame, period: str | None = None, names: Iterable[str] = KPI_CARDS, tr: Translator = ENGLISH,
    currency: str = "USD",
) -> list[dict[str, object]]:
    """KPI dicts for `build_html_report`: the value in `period` (default: the last one) and its change."""
    if period is None:
        period = str(history["period"].iloc[-1]) if len(history) else ""
    cards: list[dict[str, object]] = []
    for kpi in kpi_summary(history, period, [n for n in names if n in history.columns]):
        info = METRICS[kpi.name]
        card: dict[str, object] = {
            "name": kpi.name, "label": tr(info.card_label), "value": format_value(kpi.name, kpi.value, tr.language, currency),
            "note": period,
        }
        if kpi.delta is not None:
            card["delta"] = _delta_text(kpi.name, kpi.delta, currency, tr)
            if info.higher_is_better is not None and kpi.delta != 0:
                card["good"] = (kpi.delta > 0) == info.higher_is_better
        cards.append(card)
    return cards


def benchmark_sources_section(lines: Iterable[BenchmarkLine], tr: Translator = ENGLISH) -> ReportSection:
    """A table of every benchmark shown in the report, with value, basis, conversion and source."""
    unique = {line.id: line for line in lines if line.kind == "benchmark"}.values()
    frame = pd.DataFrame(
        {
            "benchmark": [line.name for line in unique],
            "metric": [tr(METRICS[line.metric].label) if line.metric in METRICS else line.metric for line in unique],
            "published": [f"{line.source_value:g} % {per_basis(line.source_basis, tr)}" for line in unique],
            "conversion": [line.formula or "" for line in unique],
            "applies_to": [line.segment for line in unique],
            "source": [line.citation for line in unique],
            "link": [line.link for line in unique],
        }
    )
    headers = {
        "benchmark": tr("Benchmark"), "metric": tr("Metric"), "published": tr("Published value"),
        "conversion": tr("Conversion"), "applies_to": tr("Applies to"), "source": tr("Source"), "link": tr("Link"),
    }
    return ReportSection(
        tr("Benchmark sources"),
        tr("Industry figures drawn on the charts, as their sources published them. A value shown on another period "
           "basis was converted with the formula named here."),
        tables=[ReportTable(frame, headers=headers)],
    )
