"""The report's customer section: names beside ids in the HTML report and the Excel dashboard (issue 18).

Fixture tests/fixtures/churn_reasons (see tests/test_churn_reasons.py): in 2024-03 b (Beta BV, 200), a (Acme
GmbH, 100) and e (Echo SRL, 80, no record) churned; the reasons of the window 2024-01…2024-06 are payment
failed 200, pricing 150 (a 100 + c 50), missing features 150, no reason 80.
"""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pandas as pd

from retention.dataset import load_dataset
from retention.engine import Query
from retention.i18n import translator
from retention.report.customers import customers_section, movers
from retention.report.summary import excel_report, html_report

FIXTURES = Path(__file__).parent / "fixtures" / "churn_reasons"
QUERY = Query(granularity="month", as_of=pd.Timestamp("2024-06-30"))


def _data():
    return load_dataset(FIXTURES / "subscriptions.csv", FIXTURES / "customers.csv",
                        churn_reasons=FIXTURES / "churn_events.csv")


def test_movers_of_a_period_with_names_and_reasons() -> None:
    data = _data()
    frame = movers(data.engine(), QUERY, "2024-03", data.churn_reasons.table, data.subscriptions.table)
    assert frame.values.tolist() == [
        ["Beta BV", "b", "churned", 200.0, 0.0, "payment failed"],
        ["Acme GmbH", "a", "churned", 100.0, 0.0, "pricing"],
        ["Echo SRL", "e", "churned", 80.0, 0.0, ""],
    ]


def test_html_report_and_excel_dashboard_list_the_customers_by_name() -> None:
    data = _data()
    engine = data.engine()
    table = engine.metrics(QUERY.but(end="2024-03"))
    tr = translator("de")
    section, sheets = customers_section(engine, QUERY, "2024-03", tr, "USD", data.churn_reasons.table,
                                        data.subscriptions.table)
    meta = {"title": "Report", "as_of": "2024-03-31"}
    page = html_report(table, table, "month", meta, "USD", extra_sections=[section], tr=tr)
    assert "Beta BV" in page and "Acme GmbH" in page and "Echo SRL" in page
    assert "Kein Grund erfasst" in page  # e's churn without a record, in German
    workbook = openpyxl.load_workbook(io.BytesIO(excel_report(table, meta, "USD", sheets, tr=tr)))
    listed = workbook["Kunden 2024-03"]
    rows = [[c.value for c in row] for row in listed.iter_rows()]
    assert rows[0][:3] == ["Kundenname", "Kunde", "Bewegung"]
    assert rows[1][:2] == ["Beta BV", "b"] and rows[3][:2] == ["Echo SRL", "e"]
    reasons = [[c.value for c in row] for row in workbook["Kündigungsgründe"].iter_rows()]
    assert reasons[1:] == [["payment failed", 1, 200], ["pricing", 2, 150], ["missing features", 1, 150],
                           ["Kein Grund erfasst", 1, 80]]


def test_hostile_names_are_escaped_in_html_and_neutralised_in_excel(tmp_path) -> None:
    customers = "customer_id,customer_name\nb,<script>alert(1)</script>\na,=HYPERLINK(\"http://x\")\n"
    (tmp_path / "customers.csv").write_text(customers)
    data = load_dataset(FIXTURES / "subscriptions.csv", tmp_path / "customers.csv")
    section, sheets = customers_section(data.engine(), QUERY, "2024-03")
    table = data.engine().metrics(QUERY)
    page = html_report(table, table, "month", {"title": "R"}, extra_sections=[section])
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    workbook = openpyxl.load_workbook(io.BytesIO(excel_report(table, {"title": "R"}, "USD", sheets)))
    values = [c.value for row in workbook["Customers 2024-03"].iter_rows() for c in row]
    assert "'=HYPERLINK(\"http://x\")" in values
