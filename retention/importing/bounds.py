"""Value bounds: amounts, quantities and dates no real subscription has.

The engine holds MRR as int64 micro-units (`engine.snapshots`): a per-month amount above
about 9.2e12 wraps around, and a sum of many large ones does too.  Long before that, a monthly
amount above a ceiling is a typo (cents in an amount column, a quantity pasted into the price)
and would dominate every chart.  Those rows are rejected with a reason; the ceiling is
configurable for the rare company that bills more than ten million a month on one subscription.

Dates before 1990 are typos or placeholders (`1900-01-01`): one of them would stretch the
monthly grid over a century.  They are rejected too.  Dates that are plausible but far from
the rest of the data (a 2003 start in a file whose history begins in 2019) are kept and
reported, and the default window starts at the data's real history.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from retention.i18n import N_

MAX_MONTHLY_ENV = "RETENTION_MAX_MONTHLY_AMOUNT"
DEFAULT_MAX_MONTHLY = 10_000_000.0
"""Per-month amount of one subscription (in its currency) above which a row is rejected."""
MAX_QUANTITY = 1_000_000_000.0
MAX_INTERVAL_COUNT = 1_200.0
"""Billing intervals per charge: 1,200 months is a century."""
INT64_MICRO_LIMIT = 2**62 / 1_000_000
"""Total MRR the engine's int64 micro-units hold with headroom for sums of two totals."""
EARLIEST = pd.Timestamp("1990-01-01")
OUTLIER_GAP_DAYS = 3 * 365
OUTLIER_SHARE = 0.01

TOO_EARLY = N_("date before 1990; check the year")
TOO_LARGE = N_("monthly amount above the ceiling for one subscription; check amount, quantity and interval "
               "(the ceiling is set with RETENTION_MAX_MONTHLY_AMOUNT)")
QUANTITY_TOO_LARGE = N_("quantity above one billion; check the column")
COUNT_TOO_LARGE = N_("interval count above 1,200; check the column")
FAR_FROM_REST = N_("date years before the rest of the data; check the year (the row is used)")


def max_monthly_amount(value: float | None = None) -> float:
    """The ceiling: the caller's, else the environment's, else ten million; always inside int64 micro-units."""
    if value is None:
        text = os.environ.get(MAX_MONTHLY_ENV, "").strip()
        try:
            value = float(text) if text else DEFAULT_MAX_MONTHLY
        except ValueError:
            value = DEFAULT_MAX_MONTHLY
    if not np.isfinite(value) or value <= 0:
        value = DEFAULT_MAX_MONTHLY
    return min(float(value), INT64_MICRO_LIMIT / 1000)


def too_large(values: pd.Series, ceiling: float) -> pd.Series:
    """Cells above `ceiling` or not finite (a 400-digit amount reads as infinity); missing cells are not."""
    numbers = values.astype(float)
    return numbers.notna() & ~(np.isfinite(numbers) & (numbers <= ceiling))


def too_early(dates: pd.Series) -> pd.Series:
    return dates.notna() & (dates < EARLIEST)


def far_from_rest(dates: pd.Series) -> pd.Series:
    """Dates separated from the later bulk of the data by a gap of three years or more, when they are
    fewer than 1 % of the dates: a mistyped year, not a history that really starts then."""
    known = dates.dropna()
    flagged = pd.Series(False, index=dates.index)
    if len(known) < 2:
        return flagged
    ordered = np.sort(known.to_numpy(dtype="datetime64[ns]"))
    gaps = np.diff(ordered) >= np.timedelta64(OUTLIER_GAP_DAYS, "D")
    if not gaps.any():
        return flagged
    # The latest gap after which at least 99 % of dates lie: everything before it is far from the rest.
    positions = np.flatnonzero(gaps) + 1  # number of dates before each gap
    small = positions[positions <= OUTLIER_SHARE * len(ordered)]
    if not len(small):
        return flagged
    boundary = ordered[small.max()]
    return dates.notna() & (dates < boundary)


def history_start(dates: pd.Series) -> pd.Timestamp | None:
    """The first date of the data's real history: the earliest date not far from the rest."""
    kept = dates[~far_from_rest(dates) & dates.notna()]
    return None if kept.empty else pd.Timestamp(kept.min())
