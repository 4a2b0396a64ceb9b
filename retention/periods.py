"""Periods and their snapshot dates.

Every metric compares two snapshots (METRICS.md §2): the last day of a period and the last day
of the period before.  Quarter and year snapshots are a subset of the month-end snapshots, so
the engine builds one monthly grid and selects columns for coarser granularities.
"""

from __future__ import annotations

import re
from typing import Literal

import numpy as np
import pandas as pd

from retention.i18n import N_

Granularity = Literal["month", "quarter", "year"]
GRANULARITIES: tuple[Granularity, ...] = ("month", "quarter", "year")
FREQ: dict[str, str] = {"month": "M", "quarter": "Q", "year": "Y"}
"""pandas period frequency of each granularity (events add day and week in `engine.engagement`)."""
_MONTHS_PER = {"month": 1, "quarter": 3, "year": 12}
GRANULARITY_NAMES: dict[str, str] = {"month": N_("Month"), "quarter": N_("Quarter"), "year": N_("Year")}
"""What each granularity is called on screen (translate with `tr(GRANULARITY_NAMES[g])`)."""

_PATTERNS = (
    (re.compile(r"^(\d{4})-(\d{1,2})$"), "month"),
    (re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE), "quarter"),
    (re.compile(r"^(\d{4})$"), "year"),
)


def check_granularity(granularity: str) -> Granularity:
    """Return the granularity or raise ValueError naming the allowed ones."""
    if granularity not in GRANULARITIES:
        raise ValueError(f"unknown period {granularity!r}: use month, quarter or year")
    return granularity  # type: ignore[return-value]


def months_per_period(granularity: Granularity) -> int:
    return _MONTHS_PER[granularity]


def label(period: pd.Period) -> str:
    """The stable label of a period: `2019-01`, `2019-Q1` or `2019`."""
    freq = period.freqstr[0]
    if freq == "M":
        return f"{period.year:04d}-{period.month:02d}"
    if freq == "Q":
        return f"{period.year:04d}-Q{period.quarter}"
    return f"{period.year:04d}"


def parse_period(text: str, granularity: Granularity) -> pd.Period:
    """Parse `2019-01`, `2019-Q1` or `2019` into a period of `granularity`.

    A finer period than the granularity is accepted and widened (2019-02 in quarters is
    2019-Q1); a coarser one is rejected, because it would silently pick a boundary.
    """
    text = text.strip()
    for pattern, kind in _PATTERNS:
        match = pattern.match(text)
        if not match:
            continue
        year = int(match.group(1))
        if kind == "month":
            month = int(match.group(2))
            if not 1 <= month <= 12:
                break
            period = pd.Period(year=year, month=month, freq="M")
        elif kind == "quarter":
            period = pd.Period(year=year, quarter=int(match.group(2)), freq="Q")
        else:
            period = pd.Period(year=year, freq="Y")
        if _MONTHS_PER[kind] > _MONTHS_PER[granularity]:
            raise ValueError(
                f"period {text!r} is a {kind}, but the granularity is {granularity}: "
                f"write it as a {granularity}"
            )
        return period.asfreq(FREQ[granularity], how="end")
    raise ValueError(f"cannot read period {text!r}: write 2019-01, 2019-Q1 or 2019")


def period_of(date: pd.Timestamp, granularity: Granularity) -> pd.Period:
    return pd.Timestamp(date).to_period(FREQ[granularity])


def period_range(first: pd.Period, last: pd.Period) -> pd.PeriodIndex:
    return pd.period_range(first, last, freq=first.freq)


def snapshot_dates(periods: pd.PeriodIndex) -> np.ndarray:
    """Last day of each period, as datetime64[D]."""
    return periods.to_timestamp(how="end").normalize().values.astype("datetime64[D]")


def last_complete_period(as_of: pd.Timestamp, granularity: Granularity) -> pd.Period:
    """The last period whose snapshot (its last day) is on or before `as_of`."""
    period = period_of(as_of, granularity)
    end = period.to_timestamp(how="end").normalize()
    if end > pd.Timestamp(as_of).normalize():
        period = period - 1
    return period


def period_bounds(text: str, granularity: Granularity) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last day of the period labelled `text` (`2019-01`, `2019-Q1`, `2019`)."""
    period = parse_period(text, granularity)
    return period.start_time.normalize(), period.end_time.normalize()


def window_bounds(labels: list[str], granularity: Granularity) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """First day of the first and last day of the last of the labelled periods (None when empty)."""
    if not labels:
        return None
    return period_bounds(labels[0], granularity)[0], period_bounds(labels[-1], granularity)[1]
