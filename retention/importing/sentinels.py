"""End dates that mean "still running": 9999-12-31, 2099-12-31, 01/01/2050 and the like.

Databases and spreadsheets often write an open subscription's end as a far-future date instead of
an empty cell.  Read literally, it is a scheduled end decades away: harmless for MRR today, but it
drags the data's default as-of date to today and invents years of flat history after the file's
last real date, and it breaks forecasts that use scheduled ends.  So such an end is read as open
(no end) and reported: how many rows, which values.

What counts as a sentinel:
- a year the calendar type cannot hold (after 2262: `9999-12-31`, `31.12.9999`), found in the text;
- a parsed end after today that is more than `FAR_YEARS` years after the data's last real date
  (`2050-01-01` in a 2024 export), or in year 2099 or later.

A genuinely scheduled end (a cancellation at the end of this year's term, a three-year contract)
is within `FAR_YEARS` of the last real date and stays a scheduled end.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

FAR_YEARS = 5
"""A scheduled end this many years past the data's last real date is not a plan, it is a placeholder."""
SENTINEL_YEAR = 2099

_UNREPRESENTABLE_YEAR = r"(?:^|\D)(?:22[7-9]\d|2[3-9]\d\d|[3-9]\d\d\d)(?:\D|$)"


def blank_unrepresentable(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(text with cells whose year is after 2262 emptied, mask of those cells)."""
    text = values.fillna("").astype(str)
    far = text.str.contains(_UNREPRESENTABLE_YEAR, regex=True) & ~text.str.fullmatch(r"\s*\d+(\.\d+)?\s*")
    return text.where(~far, ""), far


def far_future(start: pd.Series, end: pd.Series, today: pd.Timestamp | None = None) -> pd.Series:
    """Ends that are placeholders for "no end yet" (see the module docstring).

    On the NumPy arrays (NaT compares false): at 400,000 rows the Series forms of the same
    comparisons cost several times more."""
    today = pd.Timestamp(today or pd.Timestamp.now(tz="UTC").tz_convert(None)).normalize()
    e = end.to_numpy(dtype="datetime64[ns]")
    known = ~np.isnat(e)
    if not known.any():
        return pd.Series(False, index=end.index)
    s = start.to_numpy(dtype="datetime64[ns]")
    starts = s[~np.isnat(s)]
    reference = pd.Timestamp(starts.max()) if len(starts) else today
    real_ends = e[known & (e <= np.datetime64(max(today, reference).to_datetime64()))]
    if len(real_ends):
        reference = max(reference, pd.Timestamp(real_ends.max()))
    limit = (reference + pd.DateOffset(years=FAR_YEARS)).to_datetime64()
    future = known & (e > np.datetime64(today.to_datetime64()))
    sentinel = np.datetime64(f"{SENTINEL_YEAR}-01-01", "ns")
    return pd.Series(future & ((e > limit) | (e >= sentinel)), index=end.index)


def summarise(text: pd.Series, mask: pd.Series) -> dict[str, int]:
    """Sentinel cell text -> number of rows, most frequent first."""
    if not mask.any():
        return {}
    counts = text[mask].astype(str).str.strip().value_counts()
    return {str(k): int(v) for k, v in counts.items()}
