"""Typed values from text cells, vectorised, with a mask of cells that could not be read."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

_NUMBER_JUNK = re.compile(r"[\s$€£¥]|[A-Z]{3}$")


def parse_dates(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse dates and timestamps into day-precision timestamps (UTC calendar day).

    Returns (dates, bad) where `bad` marks non-empty cells that are not dates.  Empty cells are
    NaT and not bad; the caller decides whether the column may be empty.
    """
    text = values.fillna("").astype(str).str.strip()
    empty = text.eq("")
    parsed = pd.to_datetime(text.where(~empty), format="ISO8601", errors="coerce", utc=True)
    missing = parsed.isna() & ~empty
    if missing.any():
        retry = pd.to_datetime(text[missing], format="mixed", errors="coerce", utc=True, dayfirst=False)
        parsed.loc[missing] = retry
    dates = parsed.dt.tz_convert(None).dt.normalize().astype("datetime64[ns]")
    bad = dates.isna() & ~empty
    return dates, bad


def parse_numbers(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse amounts like `1200`, `1,200.50`, `$99`; returns (floats, bad)."""
    text = values.fillna("").astype(str).str.strip()
    empty = text.eq("")
    cleaned = text.str.replace(_NUMBER_JUNK, "", regex=True).str.replace(",", "", regex=False)
    numbers = pd.to_numeric(cleaned.where(~empty), errors="coerce")
    bad = numbers.isna() & ~empty
    return numbers.astype(float), bad


INTERVAL_MONTHS: dict[str, float] = {
    "month": 1.0, "monthly": 1.0, "months": 1.0, "mo": 1.0, "m": 1.0,
    "quarter": 3.0, "quarterly": 3.0, "quarters": 3.0, "q": 3.0,
    "year": 12.0, "yearly": 12.0, "annual": 12.0, "annually": 12.0, "years": 12.0, "y": 12.0, "yr": 12.0,
    "week": 12.0 / 52.0, "weekly": 12.0 / 52.0, "weeks": 12.0 / 52.0, "w": 12.0 / 52.0,
    "day": 12.0 / 365.0, "daily": 12.0 / 365.0, "days": 12.0 / 365.0, "d": 12.0 / 365.0,
}


def parse_intervals(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Months per billing interval (month = 1, year = 12, week = 12/52, day = 12/365)."""
    text = values.fillna("").astype(str).str.strip().str.lower()
    months = text.map(INTERVAL_MONTHS).astype(float)
    bad = months.isna()
    return months, bad


def as_bool_mask(series: pd.Series) -> np.ndarray:
    return series.to_numpy(dtype=bool)
