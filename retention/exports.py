"""Exports that are safe to open in Excel.

A text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is read by
spreadsheets as a formula (CSV injection), so such cells get a leading apostrophe.  Numbers stay
numbers: only text cells are touched.
"""

from __future__ import annotations

import io

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


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
