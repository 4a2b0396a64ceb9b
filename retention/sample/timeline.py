"""The sample's calendar: which months it covers, as plain day numbers for vectorised date maths.

The data always ends on the last day of a fixed month (not today), so the same command writes
the same files on any day; dates are numpy `datetime64[D]` so a date for every customer is one
array operation.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

DEFAULT_END_MONTH = "2026-10"


@dataclass(frozen=True)
class Timeline:
    """`months` consecutive calendar months ending with `end_month`."""

    end_month: str = DEFAULT_END_MONTH
    months: int = 36

    def __post_init__(self) -> None:
        if self.months < 1:
            raise ValueError("months must be at least 1")
        pd.Period(self.end_month, freq="M")  # raises on a malformed month

    @property
    def first(self) -> pd.Period:
        return pd.Period(self.end_month, freq="M") - (self.months - 1)

    @cached_property
    def starts(self) -> np.ndarray:
        """First day of every month, plus the day after the last month (length months + 1)."""
        first = np.datetime64(self.first.start_time.date(), "M")
        return (first + np.arange(self.months + 1)).astype("datetime64[D]")

    @cached_property
    def days_in_month(self) -> np.ndarray:
        return np.diff(self.starts).astype(np.int64)

    @property
    def first_day(self) -> np.datetime64:
        return self.starts[0]

    @property
    def last_day(self) -> np.datetime64:
        """The data's as-of date: the last day of the last month."""
        return self.starts[-1] - np.timedelta64(1, "D")

    def on_day(self, month: np.ndarray | int, day: np.ndarray) -> np.ndarray:
        """The date of day-of-month `day` (1–31) in month index `month`, clipped to the month's length.

        Billing on the 31st falls on the 30th in April, as billing systems do.
        """
        month = np.asarray(month)
        dim = self.days_in_month[month]
        return self.starts[month] + (np.minimum(day, dim) - 1).astype("timedelta64[D]")

    def month_of(self, days: np.ndarray) -> np.ndarray:
        """Month index of each date (-1 before the first month, `months` after the last)."""
        return np.searchsorted(self.starts, days, side="right") - 1
