"""The investor-ready summary: the dashboard's KPIs, trends against benchmarks and definitions
in one HTML file, and the same numbers as an Excel dashboard.

Built from the metrics tables the app shows, so the report and the screen never disagree.
Pages add their own sections (cohorts, survival, engagement…) through `extra_sections`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

import retention.figures as figures
from retention.figures.trends import with_benchmarks
from retention.glossary import METRICS
from retention.i18n import ENGLISH, Translator
from retention.report.excel import excel_dashboard
from retention.report.html import ReportSection, ReportTable, build_html_report
from retention.report.sections import benchmark_sources_section, kpi_cards
from retention.targets import Target

MOVEMENT_COLUMNS = [
    "period", "mrr_start", "mrr_new", "mrr_expansion", "mrr_reactivation", "mrr_contraction", "mrr_churned", "mrr_end",
]


def _last_arpa(table: pd.DataFrame) -> float | None:
    values = table["arpa"].dropna()
    return float(values.iloc[-1]) if len(values) else None


def dashboard_sections(
    table: pd.DataFrame, granularity: str, currency: str = "USD", targets: Iterable[Target] = (),
    tr: Translator = ENGLISH, notes: Sequence[tuple[pd.Timestamp, str]] = (),
) -> tuple[list[ReportSection], list]:
    """Customer and revenue sections with their charts; returns (sections, benchmark lines used).

    `notes` (day, text) of the dataset are drawn on every trend chart with benchmarks.
    """
    from retention.figures.notes import add_notes

    targets = list(targets)
    arpa = _last_arpa(table)
    used: list = []
    labels = [str(p) for p in table["period"]]

    def bench(fig, metrics):
        fig, lines = with_benchmarks(fig, metrics, granularity, arpa, targets, tr)
        used.extend(lines)
        return add_notes(fig, notes, labels, granularity)

    customers = ReportSection(
        tr("Customer retention"),
        tr("Paying customers kept, gained and lost per period, against industry benchmarks."),
        figures=[
            bench(figures.retention_rates(table, tr), ["crr"]),
            bench(figures.logo_churn(table, tr), ["logo_churn_rate"]),
            figures.customer_movements(table, tr),
        ],
    )
    revenue = ReportSection(
        tr("Revenue"),
        tr("Monthly recurring revenue, where it came from and where it went, and how much of it existing customers kept."),
        figures=[
            figures.mrr_line(table, currency, tr),
            figures.mrr_movements(table, currency, tr),
            bench(figures.nrr_grr(table, tr), ["nrr", "grr"]),
            figures.arpa(table, currency, tr),
        ],
        tables=[ReportTable(table[MOVEMENT_COLUMNS], tr("MRR movements per period ({currency})", currency=currency))],
    )
    return [customers, revenue], used


def definitions(tr: Translator = ENGLISH) -> list[tuple[str, str]]:
    return [(tr(info.label), tr(info.definition)) for info in METRICS.values()]


def html_report(
    history: pd.DataFrame, table: pd.DataFrame, granularity: str, meta: Mapping[str, object],
    currency: str = "USD", targets: Iterable[Target] = (), extra_sections: Sequence[ReportSection] = (),
    tr: Translator = ENGLISH, notes: Sequence[tuple[pd.Timestamp, str]] = (),
) -> str:
    """The whole summary report as one self-contained HTML string (with the dataset's notes, if any)."""
    period = str(table["period"].iloc[-1]) if len(table) else None
    kpis = kpi_cards(history, period, tr=tr, currency=currency) if period else []
    sections, lines = dashboard_sections(table, granularity, currency, targets, tr, notes)
    sections += list(extra_sections)
    if notes:
        listed = pd.DataFrame({tr("Date"): [pd.Timestamp(d).date().isoformat() for d, _ in notes], tr("Note"): [t for _, t in notes]})
        sections.append(ReportSection(tr("Notes"), tr("Dated notes kept with this dataset, drawn on the trend charts."),
                                      tables=[ReportTable(listed)]))
    sections.append(ReportSection(tr("All metrics per period"), tables=[ReportTable(table)]))
    if lines:
        sections.append(benchmark_sources_section(lines, tr))
    title = str(meta.get("title") or tr("Retention report"))
    return build_html_report(title, kpis, sections, definitions(tr), meta, tr=tr, currency=currency)


def excel_report(
    table: pd.DataFrame, meta: Mapping[str, object], currency: str = "USD",
    extra_tables: Mapping[str, pd.DataFrame] | None = None, tr: Translator = ENGLISH,
) -> bytes:
    return excel_dashboard(table, dict(extra_tables or {}), meta, tr=tr, currency=currency)
