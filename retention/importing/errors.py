"""Errors and row rejects raised while importing a file.

A `LoadError` refuses a whole file (no column for a required field, unreadable bytes); a
reject removes one row and says why.  Both carry the file name, the row number as a
spreadsheet shows it (the header is row 1) and the column, so the message tells the user where
to look and how to fix it.  Messages are English templates translated where they are shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from retention.i18n import ENGLISH, Translator, located

REJECT_COLUMNS = ["file", "row", "column", "value", "reason"]


@dataclass
class LoadError(Exception):
    """A file that cannot be used at all."""

    file: str
    template: str
    params: dict[str, object] = field(default_factory=dict)
    row: int | None = None
    column: str | None = None

    def message(self, tr: Translator = ENGLISH) -> str:
        return located(tr, self.file, self.row, self.column, self.template, self.params)

    def __str__(self) -> str:
        return self.message()


@dataclass
class AmbiguousDateOrder(LoadError):
    """Dates like 03/04/2024 whose day/month order the file itself cannot settle.

    A separate class so the Data page can catch it and ask the user (`date_order="dmy"` or
    `"mdy"`) instead of guessing: a wrong guess silently moves every renewal by months.
    """

    columns: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()


def empty_rejects() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in REJECT_COLUMNS})


def rejects_frame(file: str, rows, column: str, values, reason: str) -> pd.DataFrame:
    """Rejects for many rows that fail the same check."""
    rows = list(rows)
    return pd.DataFrame(
        {
            "file": [file] * len(rows),
            "row": rows,
            "column": [column] * len(rows),
            "value": list(values),
            "reason": [reason] * len(rows),
        },
        columns=REJECT_COLUMNS,
    )
