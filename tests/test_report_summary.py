"""The one-click summary report and the benchmark overlay on trend charts."""

from __future__ import annotations

import io
import re

import openpyxl
import pandas as pd

from retention.engine.metrics import Query, compute_metrics
from retention.engine.snapshots import build_model
from retention.figures.overview import retention_rates
from retention.figures.trends import chart_lines, with_benchmarks
from retention.report.summary import excel_report, html_report
from retention.targets import make_target


def _subs() -> pd.DataFrame:
    # Two customers at 100 MRR from January; b leaves at the end of February; c joins in March at 50.
    return pd.DataFrame({
        "customer_id": ["a", "b", "c"],
        "start_date": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-03-01"]),
        "end_date": pd.to_datetime([None, "2024-03-01", None]),
        "mrr": [100.0, 100.0, 50.0],
    })


def _history() -> pd.DataFrame:
    return compute_metrics(build_model(_subs(), pd.Timestamp("2024-03-31")), Query(granularity="month"))


def test_overlay_draws_at_most_two_industry_lines_and_every_target() -> None:
    table = _history()
    fig, lines = with_benchmarks(
        retention_rates(table), ["crr"], "month", 100.0, [make_target("crr", 97, "month", "Board goal")]
    )
    kinds = [line.kind for line in lines]
    assert kinds.count("benchmark") == len(chart_lines("crr", "month", 100.0)) <= 2
    assert kinds.count("target") == 1
    assert any("Board goal" in (trace.name or "") for trace in fig.data)


def test_html_report_shows_the_kpis_of_the_last_period_and_the_filters() -> None:
    history = _history()
    # March: S = 2 (a, b), b churned, c new -> E = 2, CRR = (2 - 1) / 2 = 50 %; MRR = 150.
    html = html_report(history, history, "month", {"as_of": "2024-03-31", "segment": "plan = <b>Pro</b>"})
    assert "50.0%" in html
    assert "$150" in html
    assert "2024-03-31" in html
    assert "plan = &lt;b&gt;Pro&lt;/b&gt;" in html and "<b>Pro</b>" not in html
    assert not re.search(r"<(script|img|iframe)[^>]+src=", html)
    assert not re.search(r"<link[^>]+href=[\"']?https?:", html)


def test_excel_dashboard_has_the_metrics_and_charts() -> None:
    history = _history()
    workbook = openpyxl.load_workbook(io.BytesIO(excel_report(history, {"as_of": "2024-03-31"})))
    charts = sum(len(ws._charts) for ws in workbook.worksheets)
    assert charts >= 3
