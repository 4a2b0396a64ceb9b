"""The snapshot matrix: every customer's MRR at every month-end (METRICS.md §2).

Everything else (customer counts, MRR movements, cohorts, survival) is read off this one
matrix, so it is built once per data set and cached; changing period, window or segment only
selects rows and columns.  Quarter and year snapshots are month-end snapshots too (the last
month of the quarter or year), so coarser granularities are column subsets, which keeps the
month, quarter and year numbers consistent by construction.

MRR is held as integer micro-units (1e-6 of the currency) so that sums are exact and "active"
(MRR > 0) never depends on floating-point residue after a subscription ends.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from retention.periods import FREQ, Granularity, last_complete_period, period_range, snapshot_dates

MICRO = 1_000_000
MAX_MRR = 2**62 / MICRO / 1000
"""Largest MRR of one subscription the int64 micro-unit matrix holds with room for sums of a thousand of them."""


def paid_spans(subscriptions: pd.DataFrame) -> pd.DataFrame:
    """Spans that earn MRR: trials removed (METRICS.md §1) and free spans dropped.

    The paid part of a span starts at `trial_end` when the trial ends after the start.
    """
    subs = subscriptions
    mrr = subs["mrr"].to_numpy(dtype=float)
    if len(mrr) and not (np.isfinite(mrr) & (np.abs(mrr) <= MAX_MRR)).all():
        # The importer rejects such rows (importing.bounds); a table built elsewhere must not wrap around silently.
        raise ValueError(f"MRR must be finite and at most {MAX_MRR:g} per subscription to fit int64 micro-units")
    start = subs["start_date"]
    if "trial_end" in subs:
        trial = subs["trial_end"]
        start = start.where(trial.isna() | (trial <= start), trial)
    spans = pd.DataFrame(
        {
            "customer_id": subs["customer_id"].astype(str),
            "start": start,
            "end": subs["end_date"],
            "mrr_micro": np.rint(mrr * MICRO).astype(np.int64),
        }
    )
    keep = (spans["mrr_micro"] > 0) & (spans["end"].isna() | (spans["end"] > spans["start"]))
    return spans[keep].reset_index(drop=True)


def default_as_of(subscriptions: pd.DataFrame, today: pd.Timestamp | None = None) -> pd.Timestamp:
    """The latest date in the data (start or end of any span), never later than today.

    A table inferred from payments says how far its ledger runs in `attrs["data_through"]` (the last
    payment, which renews an open span and so is no span's start or end)."""
    today = pd.Timestamp(today or pd.Timestamp.now(tz="UTC").tz_convert(None)).normalize()
    through = pd.Series([subscriptions.attrs.get("data_through")], dtype="datetime64[ns]")
    dates = pd.concat([subscriptions["start_date"], subscriptions["end_date"], through]).dropna()
    if dates.empty:
        return today
    return min(pd.Timestamp(dates.max()), today)


@dataclass(frozen=True)
class SnapshotModel:
    """Customers × month-end snapshots of MRR, plus the paid spans it was built from."""

    customer_ids: pd.Index
    months: pd.PeriodIndex
    mrr: np.ndarray  # int64 micro-units, shape (customers, months)
    spans: pd.DataFrame  # paid spans with a `code` column: row of the customer in `mrr`
    as_of: pd.Timestamp
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    def memo(self, key: str, compute):
        """A value derived from this model only (per-span flags…), computed once and kept with it."""
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    @property
    def active(self) -> np.ndarray:
        return self.mrr > 0

    def periods(self, granularity: Granularity) -> pd.PeriodIndex:
        """The complete periods of `granularity` covered by the monthly grid."""
        freq = FREQ[granularity]
        if len(self.months) == 0:
            return pd.PeriodIndex([], freq=freq)
        first = self.months[0].asfreq(freq)
        last = last_complete_period(self.as_of, granularity)
        if last < first:
            return pd.PeriodIndex([], freq=freq)
        return period_range(first, last)

    def columns(self, periods: pd.PeriodIndex) -> np.ndarray:
        """Column of the monthly grid holding each period's snapshot (its last month)."""
        if len(periods) == 0:
            return np.zeros(0, dtype=np.int64)
        last_months = periods.asfreq("M", how="end")
        return np.asarray(last_months.astype("int64") - self.months[0].ordinal, dtype=np.int64)

    def matrix(self, granularity: Granularity) -> tuple[pd.PeriodIndex, np.ndarray]:
        """(periods, MRR at each period's snapshot) for a granularity."""
        periods = self.periods(granularity)
        if granularity == "month" and len(periods) == self.mrr.shape[1]:
            return periods, self.mrr
        return periods, self.mrr[:, self.columns(periods)]

    def changes(self, granularity: Granularity) -> Changes:
        """Every (customer, period) whose MRR differs from the period before, cached per granularity."""
        return self.memo(granularity, lambda: Changes.from_matrix(*self.matrix(granularity)))


@dataclass(frozen=True)
class Changes:
    """The sparse form of an MRR matrix: only the cells where a customer's MRR changed.

    MRR changes only where a span starts or ends, so this list is about as long as the
    subscriptions table while the matrix is customers × periods.  Every movement of METRICS.md
    §3–§4 is a change, and counts and MRR at the end of a period are running sums of changes,
    so per-period metrics for any segment are a filter and a few bincounts.
    """

    periods: pd.PeriodIndex
    row: np.ndarray  # customer row in the model
    col: np.ndarray  # period position
    prev: np.ndarray  # MRR (micro-units) at the previous snapshot
    cur: np.ndarray  # MRR at this snapshot
    first: np.ndarray  # True where this is the customer's first active snapshot

    @classmethod
    def from_matrix(cls, periods: pd.PeriodIndex, mrr: np.ndarray) -> Changes:
        n, t = mrr.shape
        padded = np.zeros((n, t + 1), dtype=np.int64)  # column 0: before the first period, nobody pays
        padded[:, 1:] = mrr
        diff = np.diff(padded, axis=1)
        row, col = np.nonzero(diff)  # row-major: each customer's changes in time order
        cur = mrr[row, col]
        return cls.from_cells(periods, row, col, cur - diff[row, col], cur)

    @classmethod
    def from_cells(cls, periods: pd.PeriodIndex, row: np.ndarray, col: np.ndarray, prev: np.ndarray, cur: np.ndarray) -> Changes:
        """From changed cells sorted by customer row, then period: marks each customer's first active snapshot."""
        entering = (prev == 0) & (cur > 0)
        first = np.zeros(len(row), dtype=bool)
        idx = np.flatnonzero(entering)
        if len(idx):
            starts = np.ones(len(idx), dtype=bool)
            starts[1:] = row[idx[1:]] != row[idx[:-1]]
            first[idx[starts]] = True
        return cls(periods, row.astype(np.int64), col.astype(np.int64), prev, cur, first)

    def select(self, rows: np.ndarray | None) -> Changes:
        """Only the changes of customers whose row is True in `rows`."""
        if rows is None or rows.all():
            return self
        keep = rows[self.row]
        return Changes(self.periods, self.row[keep], self.col[keep], self.prev[keep], self.cur[keep], self.first[keep])


def build_model(subscriptions: pd.DataFrame, as_of: pd.Timestamp | None = None) -> SnapshotModel:
    """Build the monthly snapshot matrix from canonical subscriptions.

    The grid runs from the month of the first paid day to the last month whose last day is on
    or before `as_of` (default: the latest date in the data).
    """
    as_of = pd.Timestamp(as_of).normalize() if as_of is not None else default_as_of(subscriptions)
    spans = paid_spans(subscriptions)
    codes, uniques = pd.factorize(spans["customer_id"], sort=False)
    customer_ids = pd.Index(uniques, name="customer_id")
    spans["code"] = codes
    if spans.empty:
        return SnapshotModel(customer_ids, pd.PeriodIndex([], freq="M"), np.zeros((0, 0), np.int64), spans, as_of)
    first = spans["start"].min().to_period("M")
    last = last_complete_period(as_of, "month")
    months = period_range(first, last) if last >= first else pd.PeriodIndex([], freq="M")
    n_cust, n_months = len(customer_ids), len(months)
    snaps = snapshot_dates(months)
    start_idx = np.searchsorted(snaps, spans["start"].to_numpy().astype("datetime64[D]"), side="left")
    end_days = spans["end"].to_numpy().astype("datetime64[D]")
    end_idx = np.where(np.isnat(end_days), n_months, np.searchsorted(snaps, end_days, side="left"))
    live = start_idx < end_idx
    # Difference array: +mrr at a span's first active snapshot, -mrr at the first one after it
    # (none when it runs past the grid).  Summed in place in int64 (exact, and one allocation:
    # at 200k customers × 48 months every extra copy of the matrix costs tens of milliseconds).
    micro = spans["mrr_micro"].to_numpy().astype(np.int64)
    ends = live & (end_idx < n_months)
    keys = np.concatenate([codes[live] * n_months + start_idx[live], codes[ends] * n_months + end_idx[ends]])
    flat = np.zeros(n_cust * n_months, dtype=np.int64)
    np.add.at(flat, keys, np.concatenate([micro[live], -micro[ends]]))
    # The cells that changed month on month are the difference array's non-zero cells: read them
    # now, before the running sum, and the monthly `Changes` costs no pass over the matrix.
    touched = np.zeros(len(flat), dtype=bool)
    touched[keys] = True
    changed = np.flatnonzero(touched)
    delta = flat[changed]
    changed, delta = changed[delta != 0], delta[delta != 0]
    mrr = flat.reshape(n_cust, n_months)
    np.cumsum(mrr, axis=1, out=mrr)
    model = SnapshotModel(customer_ids, months, mrr, spans, as_of)
    month_periods = model.periods("month")
    if len(month_periods) == n_months:
        row, col = np.divmod(changed, n_months)
        cur = mrr[row, col]
        model.memo("month", lambda: Changes.from_cells(month_periods, row, col, cur - delta, cur))
    return model
