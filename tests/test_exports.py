"""CSV/XLSX exports neutralise formula injection but keep numbers numeric; the Excel dashboard has native charts."""

from __future__ import annotations

import io

import numpy as np
import openpyxl
import pandas as pd

from retention.engine.metrics import METRIC_NAMES
from retention.exports import sheet_name, to_csv_bytes, to_xlsx_bytes
from retention.report.excel import excel_dashboard, movements_frame

HOSTILE = ["=cmd|' /C calc'!A0", "+1", "@SUM(1)", "-2"]


def hostile_table() -> pd.DataFrame:
    return pd.DataFrame({
        "segment": [*HOSTILE, "Pro"],
        "customers": [10, 20, 30, 40, 50],
        "crr": [91.5, np.nan, -2.0, 100.0, 88.25],
        "mixed": ["=1+1", 7, 2.5, None, "ok"],
    })


def test_csv_neutralises_text_keeps_numbers():
    text = to_csv_bytes(hostile_table()).decode("utf-8")
    frame = pd.read_csv(io.StringIO(text))
    assert list(frame.columns) == ["segment", "customers", "crr", "mixed"]  # stable English names
    assert frame["segment"].tolist() == ["'=cmd|' /C calc'!A0", "'+1", "'@SUM(1)", "'-2", "Pro"]
    assert frame["customers"].tolist() == [10, 20, 30, 40, 50]
    assert frame["crr"].iloc[2] == -2.0  # a negative number is a number, not a formula
    assert not any(line.startswith(("=", "+", "@")) for line in text.splitlines())


def test_xlsx_neutralises_text_keeps_numbers():
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes({"Segments": hostile_table()})))
    ws = book["Segments"]
    assert [c.value for c in ws[1]] == ["segment", "customers", "crr", "mixed"]
    texts = [ws.cell(row=r, column=1) for r in range(2, 7)]
    assert [c.value for c in texts] == ["'=cmd|' /C calc'!A0", "'+1", "'@SUM(1)", "'-2", "Pro"]
    assert all(c.data_type == "s" for c in texts)  # text, never a formula ("f")
    numbers = [ws.cell(row=r, column=2) for r in range(2, 7)]
    assert [c.value for c in numbers] == [10, 20, 30, 40, 50] and all(c.data_type == "n" for c in numbers)
    assert ws.cell(row=3, column=3).value is None  # NaN is a blank, not 0 or "nan"
    assert ws.cell(row=4, column=3).value == -2 and ws.cell(row=4, column=3).data_type == "n"
    mixed = [ws.cell(row=r, column=4) for r in range(2, 7)]
    assert [c.value for c in mixed] == ["'=1+1", 7, 2.5, None, "ok"]
    assert mixed[1].data_type == "n" and mixed[0].data_type == "s"
    assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)


def test_sheet_names_are_valid_and_unique():
    taken: set[str] = set()
    assert sheet_name("a/b:c*?[d]", taken) == "a b c   d"
    assert sheet_name("x" * 40, taken) == "x" * 31
    assert sheet_name("X" * 40, taken) == "X" * 27 + " (2)"  # Excel compares sheet names case-insensitively
    assert len(taken) == 3 and all(len(t) <= 31 for t in taken)


def metrics_table() -> pd.DataFrame:
    periods = ["2024-01", "2024-02", "2024-03"]
    frame = pd.DataFrame({"period": periods})
    for column in METRIC_NAMES:
        frame[column] = [10.0, 20.0, 30.0]
    frame["mrr_end"] = [1000.0, 1100.0, 1210.0]
    frame["mrr_new"] = [100.0, 150.0, 120.0]
    frame["mrr_churned"] = [40.0, 30.0, 10.0]
    frame["crr"] = [95.0, np.nan, 97.5]
    return frame


def test_movements_are_signed_for_the_stacked_chart():
    moves = movements_frame(metrics_table())
    assert moves["mrr_churned"].tolist() == [-40.0, -30.0, -10.0]
    # net = new + expansion + reactivation − contraction − churned = 100 + 10 + 10 − 10 − 40 = 70 in 2024-01
    assert moves["mrr_net_change"].iloc[0] == 70.0


def test_excel_dashboard_opens_with_charts_kpis_and_meta():
    meta = {"title": "=Acme board pack", "as_of": "2024-03-31", "period": "2024-01 – 2024-03",
            "filters": {"plan": "@Pro"}, "currency": "EUR"}
    data = excel_dashboard(metrics_table(), {"Cohorts": pd.DataFrame({"cohort": ["+x"], "size": [3]})}, meta)
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Summary", "Metrics", "MRR movements", "Cohorts", "Definitions"]
    summary = book["Summary"]
    assert len(summary._charts) == 3  # MRR line, MRR movements stacked columns, retention rate lines
    kinds = sorted(type(c).__name__ for c in summary._charts)
    assert kinds == ["BarChart", "LineChart", "LineChart"]
    assert next(c for c in summary._charts if type(c).__name__ == "BarChart").grouping == "stacked"
    values = {row[0]: row[1:4] for row in summary.iter_rows(values_only=True) if row[0]}
    assert summary["A1"].value == "'=Acme board pack"
    assert values["Data as of"][0] == "2024-03-31" and values["Filters"][0] == "plan = @Pro"
    assert values["Metric"] == ("2024-03", "2024-02", "Change")
    # MRR: 1,210 at 2024-03, 1,100 at 2024-02, change 110
    assert values["MRR (EUR)"] == (1210, 1100, 110)
    # CRR was null in 2024-02: blank, and no change
    assert values["Customer retention rate (CRR)"] == (97.5, None, None)
    metrics = book["Metrics"]
    assert metrics["A1"].value == "Period" and metrics["B2"].data_type == "n"
    assert book["Cohorts"]["A2"].value == "'+x" and book["Cohorts"]["B2"].value == 3


def test_excel_dashboard_without_periods_has_no_charts():
    empty = metrics_table().iloc[0:0]
    book = openpyxl.load_workbook(io.BytesIO(excel_dashboard(empty, {}, {"as_of": "2024-03-31"})))
    assert len(book["Summary"]._charts) == 0
