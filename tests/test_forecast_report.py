"""The forecast in the HTML report and the Excel dashboard: present, dashed, escaped, with its numbers."""

from __future__ import annotations

import io

import openpyxl
import pytest

from retention import Query
from retention.forecasts.bundle import forecast_all
from retention.forecasts.inputs import forecast_inputs
from retention.forecasts.report import forecast_section, forecast_sheets, key_numbers
from retention.i18n import Translator
from retention.report.summary import excel_report, html_report
from ui.state import load_sample


@pytest.fixture(scope="module")
def parts():
    data = load_sample()
    inputs = forecast_inputs(data.engine(), data.subscriptions.table, Query(granularity="month"))
    bundle = forecast_all(inputs.customers, inputs.revenue, inputs.monthly, inputs.model, inputs.subscriptions,
                          horizon=24, bootstrap=50)
    return bundle, inputs.customers, inputs.monthly


def test_html_report_has_the_forecast_chapter(parts):
    bundle, customers, monthly = parts
    section = forecast_section(bundle, customers, "USD")
    html = html_report(monthly, monthly.tail(12), "month", {"as_of": "2026-10-31"}, "USD", extra_sections=[section])
    assert "<h2>Forecast</h2>" in html
    assert '"dash":"dash"' in html.replace(" ", "")  # projections are dashed, never drawn like history
    ltv = bundle.retention.new_customer_ltv
    assert f"${ltv.value:,.0f} (90 % range ${ltv.low:,.0f} to ${ltv.high:,.0f})" in html
    last = monthly.iloc[-1]  # the sample data's last complete month (regenerated with the sample, so read, not pinned)
    assert f"MRR forecast: linear (amounts), from ${last['mrr_end']:,.0f} at the end of {last['period']}" in html


def test_key_numbers_say_why_there_is_no_number(parts):
    bundle, customers, monthly = parts
    frame = key_numbers(bundle, "EUR", Translator("de"))
    assert len(frame) == 4 and frame["value"].str.len().gt(0).all()


def test_excel_dashboard_has_forecast_sheets(parts):
    bundle, customers, monthly = parts
    book = openpyxl.load_workbook(io.BytesIO(excel_report(monthly.tail(12), {"as_of": "2026-10-31"}, "USD",
                                                           forecast_sheets(bundle))))
    assert {"Forecast cohorts", "MRR forecast", "Committed MRR"} <= set(book.sheetnames)
    sheet = book["MRR forecast"]
    assert sheet["A1"].value == "period" and sheet["A2"].value == "2026-11"
    assert sheet.cell(2, 8).value == pytest.approx(bundle.mrr.frame["mrr_end"].iloc[0])
