"""Customer counts, MRR movements, retention rates, lifetime, LTV and renewals per period.

Implements METRICS.md §3–§5 on the snapshot matrix.  Each period P compares P's snapshot with
the previous period's snapshot; the full history is used and only then cut to the window, so a
customer first active before the window is never "new" inside it.  Rates are percentages and
are NaN (shown as null) when their denominator is 0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from retention.engine.membership import members
from retention.engine.query import Query
from retention.engine.snapshots import MICRO, Changes, SnapshotModel
from retention.periods import Granularity, check_granularity, label, parse_period

COUNT_METRICS = [
    "customers_start", "customers_end", "customers_new", "customers_reactivated", "customers_churned",
]
RATE_METRICS = ["crr", "retained_rate", "logo_churn_rate"]
MRR_METRICS = [
    "mrr_start", "mrr_end", "mrr_new", "mrr_reactivation", "mrr_expansion", "mrr_contraction", "mrr_churned",
]
REVENUE_RATES = ["nrr", "grr", "gross_mrr_churn_rate", "net_mrr_churn_rate", "arpa", "quick_ratio"]
LIFETIME_METRICS = ["customer_lifetime_months", "ltv", "renewal_rate"]
METRIC_NAMES = COUNT_METRICS + RATE_METRICS + MRR_METRICS + REVENUE_RATES + LIFETIME_METRICS
LIFETIME_MONTHS = 6


def _ratio(num: np.ndarray, den: np.ndarray, scale: float = 100.0) -> np.ndarray:
    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    out = np.full(num.shape, np.nan)
    np.divide(num * scale, den, out=out, where=den != 0)
    return out


def movements(changes: Changes) -> pd.DataFrame:
    """Counts and MRR movements per period (§3, §4) from the sparse changes of the MRR matrix.

    Customers at the end and MRR at the end are running sums of what enters and leaves; the
    start of a period is the end of the one before (nothing is active before the first period).
    """
    t = len(changes.periods)
    col, prev, cur = changes.col, changes.prev, changes.cur
    entering = (prev == 0) & (cur > 0)
    new = entering & changes.first
    react = entering & ~changes.first
    churned = (prev > 0) & (cur == 0)
    staying = (prev > 0) & (cur > 0)
    expansion = staying & (cur > prev)
    contraction = staying & (cur < prev)

    def count(mask: np.ndarray) -> np.ndarray:
        return np.bincount(col[mask], minlength=t).astype(np.int64)

    def amount(mask: np.ndarray, values: np.ndarray) -> np.ndarray:
        # float64 sums of integer micro-units are exact below 2**53 (about 9 billion per period).
        return np.bincount(col[mask], weights=values[mask].astype(np.float64), minlength=t) / MICRO

    n_new, n_react, n_churned = count(new), count(react), count(churned)
    end = np.cumsum(n_new + n_react - n_churned)
    start = np.concatenate([[0], end[:-1]])[:t].astype(np.int64)  # [:t]: no period at all (t = 0) is a valid, empty result
    mrr_end = np.cumsum(np.bincount(col, weights=(cur - prev).astype(np.float64), minlength=t)) / MICRO
    mrr_start = np.concatenate([[0.0], mrr_end[:-1]])[:t]
    return pd.DataFrame(
        {
            "customers_start": start,
            "customers_end": end,
            "customers_new": n_new,
            "customers_reactivated": n_react,
            "customers_churned": n_churned,
            "mrr_start": mrr_start,
            "mrr_end": mrr_end,
            "mrr_new": amount(new, cur),
            "mrr_reactivation": amount(react, cur),
            "mrr_expansion": amount(expansion, cur - prev),
            "mrr_contraction": amount(contraction, prev - cur),
            "mrr_churned": amount(churned, prev),
        }
    )


def add_rates(frame: pd.DataFrame) -> pd.DataFrame:
    """Add the §3 and §4 rates to a frame of counts and movements."""
    f = frame
    s, e, new, churned = f["customers_start"], f["customers_end"], f["customers_new"], f["customers_churned"]
    f["crr"] = _ratio(e - new, s)
    f["retained_rate"] = _ratio(s - churned, s)
    f["logo_churn_rate"] = _ratio(churned, s)
    start = f["mrr_start"]
    lost = f["mrr_contraction"] + f["mrr_churned"]
    f["nrr"] = _ratio(start + f["mrr_expansion"] - lost, start)
    f["grr"] = _ratio(start - lost, start)
    f["gross_mrr_churn_rate"] = _ratio(lost, start)
    f["net_mrr_churn_rate"] = _ratio(lost - f["mrr_expansion"] - f["mrr_reactivation"], start)
    f["arpa"] = _ratio(f["mrr_end"], e, scale=1.0)
    f["quick_ratio"] = _ratio(f["mrr_new"] + f["mrr_reactivation"] + f["mrr_expansion"], lost, scale=1.0)
    return f


def segment_mask(model: SnapshotModel, customers: pd.DataFrame | None, segment: tuple[str, str] | None) -> np.ndarray:
    """Rows of the model whose customer is in `segment` (membership is decided in `engine.membership`)."""
    return members(model.customer_ids, customers, segment)


def _lifetime(model: SnapshotModel, rows: np.ndarray, periods: pd.PeriodIndex) -> np.ndarray:
    """1 / mean monthly logo churn over the 6 months ending with each period's last month.

    The monthly counts come from each customer's runs of active months (`SnapshotModel.runs`):
    the same integers as the monthly movements, without the customers × months matrix, so a
    yearly query needs no monthly snapshot matrix for them.
    """
    if len(model.months) == 0 or len(periods) == 0:
        return np.full(len(periods), np.nan)
    start, churned = model.runs().monthly_churn(len(model.months), rows)
    churn = _ratio(churned, start, scale=1.0)
    series = pd.Series(churn).rolling(LIFETIME_MONTHS, min_periods=1).mean().to_numpy()
    rate = series[model.columns(periods)]
    out = np.full(len(periods), np.nan)
    np.divide(1.0, rate, out=out, where=(rate > 0) & ~np.isnan(rate))
    return out


def renewed_spans(model: SnapshotModel) -> np.ndarray:
    """Per paid span: True when it ends and another paid span of its customer runs on its end day.

    The answer depends only on the customer's own spans, never on the period or the segment, so
    it is computed once per model (cached) and every granularity and segment reuses it.  Pairs
    are formed within each customer (spans sorted by customer), never across the whole table.
    """
    return model.memo("renewed", lambda: _renewed(model))


def _renewed(model: SnapshotModel) -> np.ndarray:
    # With the spans sorted by (customer, start), the last span of customer c starting on or before
    # an end day d is a binary search away, and the latest end among c's spans up to there (a running
    # maximum, an open end as the largest) says whether one of them still runs on d.  A span never
    # covers its own end day (it stops the day before), so it never renews itself.
    spans = model.span_order()
    renewed = np.zeros(len(spans.order), dtype=bool)
    if len(spans.order) == 0:
        return renewed
    width = spans.top + 1
    start_key = spans.code * width + spans.start
    reach = np.maximum.accumulate(spans.code * width + spans.end)
    ending = np.flatnonzero(spans.end < spans.top)
    day_key = spans.code[ending] * width + spans.end[ending]
    last = np.searchsorted(start_key, day_key, side="right") - 1
    # `last` may fall on an earlier customer (none of c's spans starts by d): its reach is below c's keys.
    renewed[spans.order[ending]] = (last >= 0) & (reach[np.maximum(last, 0)] > day_key)
    return renewed


def _renewal_rate(model: SnapshotModel, rows: np.ndarray, periods: pd.PeriodIndex) -> np.ndarray:
    """Share of paid spans ending in P whose customer has another paid span running that day."""
    out = np.full(len(periods), np.nan)
    if len(periods) == 0 or len(model.paid.code) == 0:
        return out
    end = model.paid.end
    first_day = np.datetime64(periods[0].start_time.normalize(), "ns")
    last_day = np.datetime64(periods[-1].end_time.normalize(), "ns")
    keep = ~np.isnat(end) & (end >= first_day) & (end <= last_day)
    if not rows.all():
        keep &= rows[model.paid.code]
    if not keep.any():
        return out
    # The period of each end: the last period starting on or before its day (periods start at midnight),
    # read from a table of every day of the window (a gather instead of a binary search per span).
    starts = periods.start_time.normalize().to_numpy(dtype="datetime64[D]").view(np.int64)
    lowest = int(starts[0])
    table = np.searchsorted(starts, np.arange(lowest, int(last_day.astype("datetime64[D]").view(np.int64)) + 1), side="right") - 1
    position = table[end[keep].astype("datetime64[D]").view(np.int64) - lowest]
    ended = np.bincount(position, minlength=len(periods)).astype(float)
    renewed = np.bincount(position, weights=renewed_spans(model)[keep].astype(float), minlength=len(periods))
    return _ratio(renewed, ended)


def window_slice(periods: pd.PeriodIndex, granularity: Granularity, start: str | None, end: str | None) -> slice:
    """Positions of the periods inside [start, end]; raises ValueError for unreadable labels."""
    lo = 0
    hi = len(periods)
    if start:
        lo = int(np.searchsorted(periods.asi8, parse_period(start, granularity).ordinal, side="left"))
    if end:
        hi = int(np.searchsorted(periods.asi8, parse_period(end, granularity).ordinal, side="right"))
    return slice(lo, max(lo, hi))


def compute_metrics(
    model: SnapshotModel, query: Query = Query(), customers: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One row per complete period in the window with `period` and every metric of §3–§5.

    The low-level form of `NumpyEngine.metrics` for a model built by hand; `query.as_of` is the
    model's own.
    """
    return metrics_for_rows(model, query, segment_mask(model, customers, query.segment))


def metrics_for_rows(model: SnapshotModel, query: Query, rows: np.ndarray) -> pd.DataFrame:
    """The metrics of the customers whose model row is True in `rows` (see `compute_metrics`)."""
    granularity = check_granularity(query.granularity)
    changes = model.changes(granularity)
    periods = changes.periods
    frame = add_rates(movements(changes.select(rows)))
    frame["customer_lifetime_months"] = _lifetime(model, rows, periods)
    frame["ltv"] = frame["arpa"] * (query.gross_margin / 100.0) * frame["customer_lifetime_months"]
    frame["renewal_rate"] = _renewal_rate(model, rows, periods)
    frame.insert(0, "period", [label(p) for p in periods])
    window = window_slice(periods, granularity, query.start, query.end)
    return frame.iloc[window].reset_index(drop=True)[["period", *METRIC_NAMES]]
