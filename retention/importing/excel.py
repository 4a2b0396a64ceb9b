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


def read_xlsx(data: bytes, file: str, sheet: str | int | None = None) -> tuple[pd.DataFrame, str]:
    """Read one sheet (default: the first) into text cells; returns (frame, sheet name).

    The first row is the header; the index is the Excel row number of each record.
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
        rows = [[_text(v) for v in row] for row in book[name].iter_rows(values_only=True)]
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
