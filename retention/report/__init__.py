"""The shareable HTML report: KPI cards, trend charts against benchmarks, tables and definitions
in one self-contained file (works offline, charts stay interactive, prints cleanly)."""

from retention.report.html import ReportSection, ReportTable, build_html_report, figure_html, table_html
from retention.report.sections import benchmark_sources_section, format_value, kpi_cards

__all__ = [
    "ReportSection", "ReportTable", "benchmark_sources_section", "build_html_report", "figure_html", "format_value",
    "kpi_cards", "table_html",
]
