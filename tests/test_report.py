"""The HTML report: KPIs, escaped user text, plotly.js embedded once, nothing loaded from outside."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from retention.benchmarks import benchmarks_for
from retention.figures.benchmark_lines import add_benchmarks
from retention.report import ReportSection, ReportTable, benchmark_sources_section, build_html_report, kpi_cards

HOSTILE = "<script>alert(1)</script>"


def history() -> pd.DataFrame:
    return pd.DataFrame({
        "period": ["2024-01", "2024-02"],
        "crr": [90.0, 92.5], "logo_churn_rate": [3.0, 2.0], "nrr": [101.0, 99.5], "grr": [93.0, np.nan],
        "mrr_end": [10_000.0, 12_345.0], "arpa": [100.0, 110.0], "ltv": [3000.0, 3300.0], "quick_ratio": [2.0, 4.5],
    })


@pytest.fixture(scope="module")
def report() -> str:
    table = history()
    fig = go.Figure(go.Scatter(x=table["period"], y=table["nrr"], name=HOSTILE))
    fig.update_layout(title=f"NRR for segment {HOSTILE}")
    lines = benchmarks_for("nrr", "year")
    add_benchmarks(fig, lines)
    segments = pd.DataFrame({"segment": [HOSTILE, "Pro"], "customers": [3, 4], "crr": [91.25, np.nan]})
    sections = [
        ReportSection("Revenue retention", "How much revenue stays.", [fig, go.Figure(go.Bar(x=["a"], y=[1]))],
                      [ReportTable(segments, caption=f"By segment {HOSTILE}")]),
        benchmark_sources_section(lines),
    ]
    return build_html_report(
        f"Board pack {HOSTILE}", kpi_cards(table), sections, [("CRR", f"(E − N) / S {HOSTILE}")],
        {"as_of": "2024-02-29", "period": "2024-01 – 2024-02", "filters": {"plan": HOSTILE}},
    )


def test_kpis_and_meta_are_in_the_report(report):
    assert "Key figures" in report
    # CRR 92.5 % in 2024-02, +2.5 pts against 90.0 %
    assert "92.5%" in report and "+2.5 pts vs previous period" in report
    # logo churn fell from 3.0 to 2.0: −1 pt is good news (lower is better)
    assert re.search(r'class="delta good">-1\.0 pts', report)
    assert "$12,345" in report  # MRR card
    assert "Data as of</dt><dd>2024-02-29" in report and "Period</dt><dd>2024-01 – 2024-02" in report
    assert "Median NRR, private B2B SaaS" in report and "SaaS Capital B2B SaaS retention benchmarks, 2023" in report


def test_user_text_is_escaped_everywhere(report):
    assert HOSTILE not in report
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert f"<title>Board pack {escaped}</title>" in report
    assert f"<td>{escaped}</td>" in report  # table cell
    assert f"plan = {escaped}" in report  # filter value
    assert f"By segment {escaped}" in report and f"(E − N) / S {escaped}" in report
    assert "\\u003cscript\\u003ealert(1)" in report  # figure JSON: plotly escapes it inside the script tag
    assert '<td class="num">91.2%</td>' in report or '<td class="num">91.3%</td>' in report
    assert '<td class="num">—</td>' in report  # null stays a dash, never 0


def test_report_is_self_contained(report):
    assert report.count("* plotly.js v") == 1  # embedded once, inline
    assert report.count('class="plotly-graph-div"') == 2
    assert not re.search(r"<script[^>]*\bsrc\s*=", report, re.IGNORECASE)
    assert not re.search(r"<link\b", report, re.IGNORECASE)
    assert not re.search(r"<img\b|<iframe\b", report, re.IGNORECASE)
    assert 'src="http' not in report and "@import" not in report and "url(http" not in report
    assert "cdn.plot.ly/plotly" not in report


def test_report_without_figures_has_no_plotly():
    html = build_html_report("Plain", [{"label": "CRR", "value": "90%"}], [ReportSection("T", tables=[history()])], [], {})
    assert "plotly.js" not in html and "CRR" in html and "<th>Period</th>" in html
