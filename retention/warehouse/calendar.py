"""The period calendar, made in Python and shipped to the backend as a small table.

Every backend gets the same calendar rows (no `generate_series`, which each SQL dialect spells
differently): one row per complete period of a granularity, numbered `p` = 0, 1, … from the period
holding the first paid day, with its snapshot (last day), its first day and the offset of its last
month from the first month (`month`), which joins a quarter or a year to its monthly lifetime.
Exactly the periods the NumPy engine's snapshot grid has (`SnapshotModel.periods`).
"""

from __future__ import annotations

import pandas as pd

from retention.periods import FREQ, Granularity, label, last_complete_period, period_range


def periods(first_day: pd.Timestamp | None, as_of: pd.Timestamp, granularity: Granularity) -> pd.PeriodIndex:
    """Complete periods of `granularity` from the one holding `first_day` to the last before `as_of`."""
    freq = FREQ[granularity]
    if first_day is None or pd.isna(first_day):
        return pd.PeriodIndex([], freq=freq)
    first_month = pd.Timestamp(first_day).to_period("M")
    if last_complete_period(as_of, "month") < first_month:
        return pd.PeriodIndex([], freq=freq)  # the monthly grid is empty, so is every coarser one
    first = first_month.asfreq(freq)
    last = last_complete_period(as_of, granularity)
    if last < first:
        return pd.PeriodIndex([], freq=freq)
    return period_range(first, last)


def calendar_frame(found: pd.PeriodIndex, first_day: pd.Timestamp | None) -> pd.DataFrame:
    """The calendar rows: p, label, snap (last day), first_day, month (offset of the last month)."""
    if len(found) == 0:
        return pd.DataFrame({"p": pd.Series(dtype="int64"), "label": pd.Series(dtype=object),
                             "snap": pd.Series(dtype="datetime64[ns]"), "first_day": pd.Series(dtype="datetime64[ns]"),
                             "month": pd.Series(dtype="int64")})
    first_month = pd.Timestamp(first_day).to_period("M")
    last_months = found.asfreq("M", how="end")
    return pd.DataFrame(
        {
            "p": range(len(found)),
            "label": [label(x) for x in found],
            "snap": found.to_timestamp(how="end").normalize(),
            "first_day": found.to_timestamp(how="start").normalize(),
            "month": (last_months.asi8 - first_month.ordinal).astype("int64"),
        }
    )
