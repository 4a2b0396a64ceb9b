"""Tables reach the browser with the same display text when it is written a column at a time (`ui.table_text`).

Streamlit reads a pandas Styler through `marshall_styler`: the cells' numbers, and each cell's display text taken
from pandas' HTML rendering model.  `column_wise` builds only the ids and texts Streamlit reads; these tests
compare the protobuf Streamlit sends, byte for byte, with what pandas' own rendering gives, for every kind of
column the app formats, in two languages, and check that a Styler with real styles keeps pandas' rendering.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from streamlit.elements.lib.pandas_styler_utils import marshall_styler
from streamlit.proto.ArrowData_pb2 import ArrowData as ArrowProto

from retention import formatting
from ui.table_text import column_wise

KINDS = {"period": "text", "mrr": "money", "crr": "percent", "customers": "number", "day": "date", "active": "bool",
         "note": None}


def _table() -> pd.DataFrame:
    return pd.DataFrame({
        "period": ["2024-01", "2024-02", None, "2024-04"],
        "mrr": [1234.5, -0.004, np.nan, 1e9],
        "crr": [92.456, None, float("inf"), 0.0],
        "customers": [12, 0, 3, 1_234_567],
        "day": [pd.Timestamp("2024-01-31"), pd.NaT, pd.Timestamp("2024-03-31"), pd.Timestamp("2024-04-30")],
        "active": [True, False, None, True],
        "note": ["a <b>", "", None, "x"],
        "flag": np.array([True, False, True, False]),  # no formatter: pandas' default text
        "ratio": [0.5, 1 / 3, np.nan, 2.0],           # no formatter: pandas' default precision
        "dates": [dt.date(2024, 1, 1), None, dt.date(2024, 3, 1), dt.date(2024, 4, 1)],
    })


def _styler(table: pd.DataFrame, language: str):
    formats = {name: formatting.cell_formatter(kind, language, "EUR") for name, kind in KINDS.items()}
    formats["dates"] = formatting.cell_formatter("date", language, "EUR")
    return table.style.format(formats)


def _sent(styler) -> bytes:
    styler.set_uuid("t")  # pandas names each Styler at random; Streamlit sends the name (CSS selectors use it)
    proto = ArrowProto()
    marshall_styler(proto, styler, "uuid1")
    return proto.SerializeToString()


@pytest.mark.parametrize("language", ["en", "de", "fr"])
def test_what_streamlit_sends_is_what_pandas_rendering_gives(language: str) -> None:
    table = _table()
    assert _sent(column_wise(_styler(table, language))) == _sent(_styler(table, language))


def test_display_text_is_the_readers() -> None:
    """The texts themselves (not only their equality with pandas): German separators, missing values as a dash,
    pandas' own text where the app sets no format."""
    translated = column_wise(_styler(_table(), "de"))._translate(False, False)
    rows = [[cell["display_value"] for cell in row] for row in translated["body"]]
    assert rows[0] == ["2024-01", "1.234\xa0€", "92,5\xa0%", "12,0", "2024-01-31", "✓", "a <b>", True, "0.500000",
                       "2024-01-01"]
    assert rows[3][:4] == ["2024-04", "1.000.000.000\xa0€", "0,0\xa0%", "1.234.567,0"]
    assert rows[2][:3] == ["", "—", "—"]
    assert [cell["id"] for cell in translated["body"][1]][:2] == ["row1_col0", "row1_col1"]


def test_an_empty_table_and_a_table_formatted_by_pandas_options() -> None:
    empty = _table().iloc[:0]
    assert _sent(column_wise(_styler(empty, "en"))) == _sent(_styler(empty, "en"))
    numbers = pd.DataFrame({"x": [1.25, 3.0, None], "y": [1, 2, 3]}, index=[10, 20, 30])
    assert _sent(column_wise(numbers.style.format(precision=1, thousands="."))) == _sent(
        numbers.style.format(precision=1, thousands="."))


def test_a_styler_with_styles_keeps_pandas_rendering() -> None:
    table = pd.DataFrame({"a": [1.0, 5.0, 3.0], "b": [2.0, 1.0, 0.0]})

    def styled():
        return table.style.highlight_max(color="yellow").format("{:.1f}")

    sent = _sent(column_wise(styled()))
    assert sent == _sent(styled())
    assert b"background-color: yellow" in sent
