"""One formatting layer for tables: headers, decimals and number formats on screen, in CSV and in Excel."""

from __future__ import annotations

import io

import numpy as np
import openpyxl
import pandas as pd
import pytest

from retention import columns, formatting
from retention.exports import table_csv, table_xlsx
from retention.i18n import Translator


def metrics() -> pd.DataFrame:
    return pd.DataFrame({
        "period": ["2024-01", "2024-02"],
        "customers_end": [120, 131],
        "crr": [97.22222222222223, np.nan],
        "mrr_end": [282480.999999, 215447.17],
        "arpa": [2354.00833, 1644.63488],
        "quick_ratio": [2.456, 1.0],
        "segment": ["=HYPERLINK(\"x\")", "Pro"],
    })


@pytest.mark.parametrize("language", ["en", "nl", "de", "fr", "it", "ro"])
@pytest.mark.parametrize("value", [1234567.891, -1234.56, 0.0, 12.3456, 97.2222])
def test_cell_formatter_writes_what_babel_writes(language: str, value: float) -> None:
    """The fast per-column formatter equals Babel's own per-value formatting in every language."""
    assert formatting.cell_formatter("money", language, "EUR")(value) == formatting.money(value, "EUR", language)
    assert formatting.cell_formatter("cents", language, "USD")(value) == formatting.money(value, "USD", language, 2)
    assert formatting.cell_formatter("percent", language)(value) == formatting.percent(value, language, 1)
    assert formatting.cell_formatter("count", language)(value) == formatting.number(value, language, 0)
    assert formatting.cell_formatter("ratio", language)(value) == formatting.number(value, language, 2)
    assert formatting.cell_formatter("percent", language)(None) == formatting.MISSING


def test_human_frame_rounds_to_display_precision_under_translated_headers() -> None:
    frame = columns.human_frame(metrics(), Translator("de"), "EUR")
    assert list(frame.columns) == [
        "Zeitraum", "Kunden am Ende", "Kundenbindungsrate (CRR)", "MRR (EUR)", "ARPA (EUR)", "Quick Ratio", "Segment",
    ]
    assert frame["MRR (EUR)"].tolist() == [282481, 215447]  # whole currency units, no float artefacts
    assert frame["ARPA (EUR)"].tolist() == [2354.01, 1644.63]  # per account: cents
    assert frame["Kundenbindungsrate (CRR)"].iloc[0] == 97.2 and np.isnan(frame["Kundenbindungsrate (CRR)"].iloc[1])
    assert frame["Quick Ratio"].tolist() == [2.46, 1.0]


def test_csv_for_people_and_for_scripts() -> None:
    data = table_csv(metrics(), Translator("fr"), "EUR")
    assert data.startswith(b"\xef\xbb\xbf")  # Excel reads the accents as UTF-8
    frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert list(frame.columns)[:4] == ["Période", "Clients à la fin", "Taux de rétention client (CRR)", "MRR (EUR)"]
    assert frame["MRR (EUR)"].tolist() == [282481, 215447]
    assert frame["Segment"].iloc[0] == "'=HYPERLINK(\"x\")"  # still formula-safe


def test_excel_table_has_number_formats_and_translated_headers() -> None:
    book = openpyxl.load_workbook(io.BytesIO(table_xlsx(metrics(), "metrics", Translator("nl"), "EUR")))
    ws = book.active
    headers = [c.value for c in ws[1]]
    assert headers[0] == "Periode" and headers[3] == "MRR (EUR)"
    cells = {h: ws.cell(row=2, column=i + 1) for i, h in enumerate(headers)}
    assert cells["MRR (EUR)"].value == 282481 and cells["MRR (EUR)"].number_format == "#,##0"
    assert cells["ARPA (EUR)"].value == 2354.01 and cells["ARPA (EUR)"].number_format == "#,##0.00"
    crr = next(h for h in headers if "(CRR)" in h)
    assert cells[crr].value == 97.2 and cells[crr].number_format == '0.0" %"'
    assert cells[headers[1]].number_format == "#,##0"
    assert ws.cell(row=2, column=7).value == "'=HYPERLINK(\"x\")" and ws.cell(row=2, column=7).data_type == "s"


def test_every_metric_and_engagement_key_has_a_label() -> None:
    """No table shows a metric's key (week_8_retention) instead of its name."""
    from retention.benchmarks.catalog import KNOWN_METRICS

    for key in KNOWN_METRICS:
        label = columns.describe(key).label
        assert "_" not in label and label != key, key
