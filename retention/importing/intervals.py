"""Billing intervals as exports write them, read into months per interval.

Exports name the same interval in many ways: `month` (Stripe, Baremetrics), `monthly`/`annual`
(spreadsheets, Lago's `yearly`), `1 month`/`3 months` (Chargebee-style period + unit written in one
cell), ISO 8601 durations `P1M`/`P1Y`/`P3M` (Google Play, App Store and several billing APIs), and
abbreviations `mo`/`yr`/`1y`.  This module reads all of them so the amount + interval mapping
works on files written by hand or by other tools, and it is also how a column is *recognised*
as an interval column from its values (`looks_like_intervals`), whatever its name.

A cell that is not an interval is bad, never guessed (`fortnight` stays unknown: nobody bills
that way by default and a guess would move MRR by half).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from retention.importing.parse import INTERVAL_MONTHS, by_distinct

UNIT_MONTHS: dict[str, float] = {
    **INTERVAL_MONTHS,
    "mon": 1.0, "mos": 1.0, "mth": 1.0, "mths": 1.0, "monat": 1.0, "monatlich": 1.0, "mois": 1.0, "mensuel": 1.0,
    "quarterly": 3.0, "qtr": 3.0, "quartal": 3.0, "quarter-yearly": 3.0,
    "semiannual": 6.0, "semi-annual": 6.0, "semiannually": 6.0, "semi-annually": 6.0, "half-year": 6.0,
    "half-yearly": 6.0, "biannual": 6.0, "halfyear": 6.0, "half_year": 6.0,
    "yrs": 12.0, "jahr": 12.0, "jährlich": 12.0, "jaehrlich": 12.0, "annuel": 12.0, "jaarlijks": 12.0,
    "maandelijks": 1.0,
    "biennial": 24.0, "biennially": 24.0,
}
"""Unit (or adverb) -> months.  Lower case; `INTERVAL_MONTHS` of `parse` is the base."""

_COUNT_UNIT = re.compile(r"^(?:every\s+)?(?P<n>\d+(?:[.,]\d+)?)?\s*[-_ ]?\s*(?P<unit>[a-zäé][a-zäé_\-]*)$")
_ISO = re.compile(r"^p(?:(?P<y>\d+)y)?(?:(?P<m>\d+)m)?(?:(?P<w>\d+)w)?(?:(?P<d>\d+)d)?$")


def _one(cell: str) -> float:
    text = cell.strip().lower()
    if not text:
        return np.nan
    if text in UNIT_MONTHS:
        return UNIT_MONTHS[text]
    iso = _ISO.fullmatch(text)
    if iso and any(iso.groupdict().values()):
        y, m, w, d = (float(iso[k] or 0) for k in ("y", "m", "w", "d"))
        return y * 12 + m + w * 12 / 52 + d * 12 / 365
    match = _COUNT_UNIT.fullmatch(text)
    if match:
        unit = match["unit"].strip("-_")
        months = UNIT_MONTHS.get(unit) or UNIT_MONTHS.get(unit.rstrip("s"))
        if months is not None:
            count = float(match["n"].replace(",", ".")) if match["n"] else 1.0
            return count * months if count > 0 else np.nan
    return np.nan


def _parse(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
    text = cells.fillna("").astype(str)
    months = text.map(_one).astype(float)
    return months, months.isna()


def parse_billing_intervals(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(months per interval, bad) for cells such as `month`, `annual`, `1 month`, `3 months`, `P1Y`.

    Empty cells are bad too: an amount without its interval cannot become MRR.
    """
    return by_distinct(values, _parse)


def looks_like_intervals(values: pd.Series, *, share: float = 0.9) -> bool:
    """Whether a column's non-empty cells are (almost all) billing intervals.

    Used to recognise an interval column by its values when its name says nothing
    (`cycle`, `Billing`, `term`).  Pure counts (`1`, `12`) are not intervals: they are interval
    counts or quantities.
    """
    text = values.fillna("").astype(str).str.strip()
    text = text[text.ne("")]
    if text.empty:
        return False
    distinct = pd.Series(text.unique())
    if distinct.str.fullmatch(r"[\d.,]+").all():
        return False
    months, bad = _parse(distinct)
    counts = text.value_counts()
    good = counts[distinct[~bad].tolist()].sum() if (~bad).any() else 0
    return good / len(text) >= share


def describe_intervals(values: pd.Series) -> list[str]:
    """The distinct non-monthly interval cells of a column, for messages ("annual, yearly")."""
    text = values.fillna("").astype(str).str.strip()
    distinct = pd.Series(text[text.ne("")].unique())
    months, _ = _parse(distinct)
    return distinct[months.ne(1.0) & months.notna()].tolist()
