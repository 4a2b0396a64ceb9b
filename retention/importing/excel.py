"""Excel workbooks (.xlsx) as tables of text cells, like a CSV.

Cells become text so the same per-column parsing (and the same rejects) applies to every
source.  Numbers keep a dot decimal and dates become ISO text: Excel stores real values, so
there is nothing to guess for them.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime, time

import pandas as pd

from retention.i18n import N_
from retention.importing.budget import MAX_WORKBOOK_ROWS, rows_within_budget
from retention.importing.errors import LoadError


def _workbook(data: bytes, file: str):
    from openpyxl import load_workbook

    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise LoadError(file, N_("cannot open the Excel workbook ({detail}); save it again as .xlsx or CSV"),
                        {"detail": str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__}) from exc


def sheet_names(data: bytes, file: str) -> list[str]:
    """The workbook's sheets in order, for a sheet picker."""
    book = _workbook(data, file)
    try:
        return list(book.sheetnames)
    finally:
        book.close()


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def read_xlsx(data: bytes, file: str, sheet: str | int | None = None, max_rows: int | None = None) -> tuple[pd.DataFrame, str]:
    """Read one sheet (default: the first) into text cells; returns (frame, sheet name).

    The first row is the header; the index is the Excel row number of each record.  openpyxl's
    read-only mode streams the sheet's XML (memory stays near the size of the cells kept);
    `max_rows` stops after that many records (a preview), and the whole read is bounded by
    `budget` (a row cap, a time budget, and a stop when the asking session ends).
    """
    book = _workbook(data, file)
    try:
        names = list(book.sheetnames)
        if sheet is None or sheet == "":
            name = names[0]
        elif isinstance(sheet, int) or (isinstance(sheet, str) and sheet.isdigit() and sheet not in names):
            index = int(sheet)
            if not 0 <= index < len(names):
                raise LoadError(file, N_("the workbook has no sheet number {sheet}; sheets: {sheets}"),
                                {"sheet": sheet, "sheets": ", ".join(names)})
            name = names[index]
        elif sheet in names:
            name = sheet
        else:
            raise LoadError(file, N_("the workbook has no sheet '{sheet}'; sheets: {sheets}"),
                            {"sheet": sheet, "sheets": ", ".join(names)})
        worksheet = book[name]
        declared = worksheet.max_row or 0  # the sheet's stated size: refuse early when it says too many (never trusted to be small)
        if max_rows is None and declared > MAX_WORKBOOK_ROWS + 1:
            raise LoadError(file, N_("the workbook has more than {n} rows; save the sheet as CSV (read much faster) and "
                                     "upload that"), {"n": f"{MAX_WORKBOOK_ROWS:,}"})
        source = worksheet.iter_rows(values_only=True, max_row=None if max_rows is None else max_rows + 1)
        rows = [[_text(v) for v in row] for row in rows_within_budget(source, file)]
    finally:
        book.close()
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise LoadError(file, N_("sheet '{sheet}' is empty or has no header in its first row"), {"sheet": name})
    header = [c.strip() for c in rows[0]]
    width = max(i for i, c in enumerate(header) if c) + 1
    header = header[:width]
    body = [(r + [""] * width)[:width] for r in rows[1:]]
    frame = pd.DataFrame(body, columns=header, dtype=object) if body else pd.DataFrame(columns=header, dtype=object)
    frame.index = pd.RangeIndex(2, len(frame) + 2, name="row")
    return frame, name
