"""The one way to ask an engine for numbers: a keyword-only, immutable `Query`.

Every engine (the in-memory NumPy reference, the warehouse engines) answers the same `Query`, so a
page, the CLI, a report or a digest builds one and never needs to know which engine runs it.
Keyword-only on purpose (as Ibis' `to_pyarrow(expr, *, params=…)`): `Query("month", None, "2024-03")`
cannot silently swap the window's ends.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import pandas as pd

from retention.periods import Granularity, check_granularity

Segment = tuple[str, str]
"""(customer attribute, value); the value "(no value)" selects customers with a blank or no value."""


@dataclass(frozen=True, kw_only=True)
class Query:
    """What the user asked for.

    Parameters
    ----------
    granularity: month, quarter or year; every metric compares this granularity's period-end snapshots.
    start, end: first and last period label shown (`2019-01`, `2019-Q1`, `2019`); None = from the
        first / to the last complete period.  History before `start` still counts (METRICS.md §2).
    segment: only customers whose attribute equals the value, or None for everyone.
    as_of: the data's "today"; only periods whose last day is on or before it are complete.
        None = the latest date in the data (never after today).
    gross_margin: percent, for LTV.
    """

    granularity: Granularity = "month"
    start: str | None = None
    end: str | None = None
    segment: Segment | None = None
    as_of: pd.Timestamp | None = None
    gross_margin: float = 100.0

    def __post_init__(self) -> None:
        check_granularity(self.granularity)
        if self.as_of is not None and not isinstance(self.as_of, pd.Timestamp):
            object.__setattr__(self, "as_of", _day(self.as_of))
        elif self.as_of is not None:
            object.__setattr__(self, "as_of", self.as_of.normalize())
        if self.segment is not None:
            attribute, value = self.segment
            object.__setattr__(self, "segment", (str(attribute), str(value)))
        if not 0 < float(self.gross_margin) <= 100:
            raise ValueError("the gross margin is a percentage above 0 and at most 100")

    def but(self, **changes: object) -> Query:
        """A copy with some fields changed: `query.but(segment=None)`."""
        return replace(self, **changes)

    def history(self) -> Query:
        """The same query over every complete period (the window removed): what trends and KPI deltas read."""
        return replace(self, start=None, end=None)


def _day(value: str | date | pd.Timestamp) -> pd.Timestamp:
    try:
        return pd.Timestamp(value).normalize()
    except (ValueError, TypeError) as exc:
        raise ValueError(f"as-of {value!r} is not a date; write YYYY-MM-DD") from exc
