"""Exports that are safe to open in Excel: CSV and XLSX tables (the dashboard workbook is `report.excel`).

A text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is read by
spreadsheets as a formula (CSV injection), so such cells get a leading apostrophe.  Numbers stay
numbers: only text cells are touched.  XLSX cells are written with an explicit type (XlsxWriter
with formula and URL guessing off), so a string can never become a formula there either; the
apostrophe is still added so a sheet saved back to CSV stays harmless.

CSV exports keep the stable English column names (`crr`, `mrr_end`…) that scripts read back;
the Excel dashboard (`retention.report.excel`) is for people and translates its sheet names and headers.
"""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from retention import columns as table_columns
from retention.i18n import ENGLISH, Translator

if TYPE_CHECKING:  # XlsxWriter is imported when a workbook is written, not by every CSV export or CLI command
    from xlsxwriter.workbook import Workbook
    from xlsxwriter.worksheet import Worksheet

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
WORKBOOK_OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "nan_inf_to_errors": True,
    "remove_timezone": True,
    "default_date_format": "yyyy-mm-dd",
    "in_memory": True,
}
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def neutralise(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells cannot run as formulas; numeric columns are unchanged."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(neutralise)
    out.columns = [neutralise(c) for c in out.columns]
    return out


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.StringIO()
    neutralise_frame(frame).to_csv(buffer, index=False)
    return buffer.getvalue().encode("utf-8")


# --- XLSX -------------------------------------------------------------------------------------


def sheet_name(name: str, taken: set[str]) -> str:
    """A valid, unique Excel sheet name (31 characters, none of []:*?/\\, not quoted at the ends)."""
    base = _BAD_SHEET_CHARS.sub(" ", str(name)).strip().strip("'").strip() or "Sheet"
    base = base[:31]
    candidate, n = base, 2
    while candidate.lower() in {t.lower() for t in taken}:
        suffix = f" ({n})"
        candidate, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(candidate)
    return candidate


def excel_cells(series: pd.Series) -> list[object]:
    """Python values for XlsxWriter: numbers stay numbers, missing values become blanks, text is neutralised."""
    if isinstance(series.dtype, pd.PeriodDtype):
        series = series.astype(str)
    if pd.api.types.is_bool_dtype(series.dtype):
        return series.astype(object).where(series.notna(), None).tolist()
    if pd.api.types.is_numeric_dtype(series.dtype):
        values = series.astype(float).to_numpy()
        out = values.astype(object)
        out[~np.isfinite(values)] = None
        return out.tolist()
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return [None if pd.isna(v) else v.to_pydatetime() for v in series]
    values = series.astype(object)
    return [_cell(v) for v in values.where(pd.notna(values), None).tolist()]


def _cell(value: object) -> object:
    """One cell of a mixed (object) column, keeping its type: numbers, booleans, dates or neutralised text."""
    if value is None or isinstance(value, str):
        return neutralise(value)
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        number = float(value)
        return number if np.isfinite(number) else None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value
    return neutralise(str(value))


def write_table(
    workbook: Workbook, worksheet: Worksheet, frame: pd.DataFrame, first_row: int = 0,
    headers: list[str] | None = None, formats: Mapping[str, object] | None = None,
) -> None:
    """Write `frame` with a bold header row, typed cells, a filter, frozen header and sensible widths."""
    header_format = workbook.add_format({"bold": True, "bg_color": "#f1f5f9", "bottom": 1, "text_wrap": True, "valign": "top"})
    headers = headers or [str(c) for c in frame.columns]
    for col, (column, header) in enumerate(zip(frame.columns, headers, strict=True)):
        worksheet.write_string(first_row, col, str(neutralise(header)), header_format)
        cells = excel_cells(frame[column])
        if cells:
            worksheet.write_column(first_row + 1, col, cells, (formats or {}).get(column))
        longest = max([len(str(header))] + [len(str(v)) for v in cells[:200] if v is not None])
        worksheet.set_column(col, col, min(max(10, longest + 2), 48))
    worksheet.freeze_panes(first_row + 1, 0)
    if len(frame.columns):
        worksheet.autofilter(first_row, 0, first_row + max(len(frame), 1), len(frame.columns) - 1)


def to_xlsx_bytes(frames: Mapping[str, pd.DataFrame]) -> bytes:
    """One sheet per table (keyed by sheet name), column names as they are, text neutralised."""
    buffer = io.BytesIO()
    import xlsxwriter

    workbook = xlsxwriter.Workbook(buffer, WORKBOOK_OPTIONS)
    taken: set[str] = set()
    for name, frame in frames.items():
        worksheet = workbook.add_worksheet(sheet_name(name, taken))
        write_table(workbook, worksheet, frame)
    if not frames:
        workbook.add_worksheet("Sheet")
    workbook.close()
    return buffer.getvalue()


# --- Tables for people ------------------------------------------------------------------------

_EXCEL_FORMATS = {
    "count": "#,##0", "money": "#,##0", "cents": "#,##0.00", "percent": '0.0" %"', "ratio": "0.00",
    "months": "0.0", "number": "#,##0.0", "share": "0.000", "date": "yyyy-mm-dd",
}


def table_csv(frame: pd.DataFrame, tr: Translator = ENGLISH, currency: str = "") -> bytes:
    """A table as a person reads it: headers in their language (money headers name the currency),
    values rounded to the decimals shown on screen, formula cells neutralised.  UTF-8 with a BOM, so
    Excel opens accents and currency symbols correctly."""
    return b"\xef\xbb\xbf" + to_csv_bytes(table_columns.human_frame(frame, tr, currency))


def table_xlsx(frame: pd.DataFrame, name: str, tr: Translator = ENGLISH, currency: str = "") -> bytes:
    """One formatted sheet: translated headers, Excel number formats per kind (thousands, decimals,
    %), rounded values, typed cells, formula cells neutralised."""
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, WORKBOOK_OPTIONS)
    worksheet = workbook.add_worksheet(sheet_name(name, set()))
    made: dict[str, object] = {}
    formats: dict[str, object] = {}
    for column in frame.columns:
        kind = table_columns.describe(str(column)).kind
        if pd.api.types.is_datetime64_any_dtype(frame[column].dtype):
            kind = "date"
        elif kind is None and pd.api.types.is_float_dtype(frame[column].dtype):
            kind = "number"
        pattern = _EXCEL_FORMATS.get(kind or "")
        if pattern is None or not (pd.api.types.is_numeric_dtype(frame[column].dtype) or kind == "date"):
            continue
        if pattern not in made:
            made[pattern] = workbook.add_format({"num_format": pattern})
        formats[column] = made[pattern]
    write_table(workbook, worksheet, table_columns.rounded(frame),
                headers=[table_columns.header(str(c), tr, currency) for c in frame.columns],
                formats=formats)
    workbook.close()
    return buffer.getvalue()
