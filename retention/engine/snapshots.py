"""The snapshot matrix: every customer's MRR at every month-end (METRICS.md §2).

Customer counts and MRR movements are read off this one matrix (or its sparse changes), built
once per data set and cached; changing period, window or segment only selects rows and columns.
Quarter and year snapshots are month-end snapshots too (the last month of the quarter or year),
so coarser granularities are column subsets, which keeps the month, quarter and year numbers
consistent by construction.  The matrix is built on first use: a cold quarterly or yearly query
sums only its own columns from the spans, and monthly churn, cohorts and survival read each
customer's runs of active snapshots (`Runs`), which are the same numbers without the matrix.

MRR is held as integer micro-units (1e-6 of the currency) so that sums are exact and "active"
(MRR > 0) never depends on floating-point residue after a subscription ends.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from retention.periods import FREQ, Granularity, last_complete_period, period_range, snapshot_dates

MICRO = 1_000_000
MAX_MRR = 2**62 / MICRO / 1000
"""Largest MRR of one subscription the int64 micro-unit matrix holds with room for sums of a thousand of them."""


def paid_spans(subscriptions: pd.DataFrame) -> pd.DataFrame:
    """Spans that earn MRR: trials removed (METRICS.md §1) and free spans dropped.

    The paid part of a span starts at `trial_end` when the trial ends after the start.
    Columns: customer_id (text), start, end, mrr_micro (int64 micro-units).
    """
    ids, start, end, micro = _paid_arrays(subscriptions)
    return pd.DataFrame({"customer_id": ids, "start": start, "end": end, "mrr_micro": micro})


def _paid_arrays(subs: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(customer ids as text, start, end, MRR micro-units) of the paid spans, as NumPy arrays.

    Filtered as arrays before any frame is made: on 400,000 rows a frame's boolean filter and
    `astype(str)` of every id cost more than the rest of a yearly query.
    """
    keep, start, end, micro = _paid_parts(subs)
    return _text_ids(subs["customer_id"].to_numpy(dtype=object)[keep]), start, end, micro


def _paid_parts(subs: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(which rows are paid spans, and their start, end and MRR micro-units); the ids are left to the caller."""
    mrr = subs["mrr"].to_numpy(dtype=float)
    if len(mrr) and not (np.isfinite(mrr) & (np.abs(mrr) <= MAX_MRR)).all():
        # The importer rejects such rows (importing.bounds); a table built elsewhere must not wrap around silently.
        raise ValueError(f"MRR must be finite and at most {MAX_MRR:g} per subscription to fit int64 micro-units")
    start = subs["start_date"].to_numpy(dtype="datetime64[ns]")
    if "trial_end" in subs:
        trial = subs["trial_end"].to_numpy(dtype="datetime64[ns]")
        start = np.where(np.isnat(trial) | (trial <= start), start, trial)
    end = subs["end_date"].to_numpy(dtype="datetime64[ns]")
    micro = np.rint(mrr * MICRO).astype(np.int64)
    keep = (micro > 0) & (np.isnat(end) | (end > start))
    return keep, start[keep], end[keep], micro[keep]


def _text_ids(ids: np.ndarray) -> np.ndarray:
    """Object ids as text (a table built elsewhere may hold numbers)."""
    if pd.api.types.infer_dtype(ids, skipna=False) not in ("string", "empty"):
        ids = pd.Series(ids, dtype=object).astype(str).to_numpy(dtype=object)
    return np.asarray(ids, dtype=object)


def _customer_codes(customer_id: pd.Series, keep: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(each paid span's customer code, the customers' ids as object text in order of first appearance).

    Arrow-backed ids (the importer's, `importing.ids`) are factorised by Arrow on their bytes: no Python
    string is made per span, only one per customer, and Arrow's hash of the bytes is cheaper than
    hashing fresh `str` objects (a cold yearly query at 400,000 spans: about a sixth of its time).
    """
    if isinstance(customer_id.dtype, pd.StringDtype) and customer_id.dtype.storage == "pyarrow":
        paid = customer_id[keep]
        if not paid.hasnans:
            codes, uniques = pd.factorize(paid, sort=False)
            return codes.astype(np.int64, copy=False), np.asarray(uniques.to_numpy(dtype=object), dtype=object)
    codes, uniques = pd.factorize(_text_ids(customer_id.to_numpy(dtype=object)[keep]), sort=False)
    return codes.astype(np.int64, copy=False), np.asarray(uniques, dtype=object)


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


class SnapshotModel:
    """Customers × month-end snapshots of MRR, plus the paid spans it was built from.

    The full matrix (`mrr`) is built on first use.  Until then a quarterly or yearly query sums
    only its own period-end columns from the spans (`snapshot_columns`), and monthly churn counts
    come from each customer's runs of active months (`runs`), so a cold query at one coarse
    granularity pays for the few snapshots it asks for, not for customers × months.  Both give
    exactly the numbers of the matrix: the same sums of the same integer micro-units.
    """

    def __init__(self, customer_ids: pd.Index, months: pd.PeriodIndex, mrr: np.ndarray | None,
                 spans: pd.DataFrame | PaidSpans, as_of: pd.Timestamp) -> None:
        self.customer_ids = customer_ids
        self.months = months
        self.paid = spans if isinstance(spans, PaidSpans) else PaidSpans.of(spans)
        self.as_of = as_of
        self._mrr = mrr  # int64 micro-units, shape (customers, months); None until first asked for
        self._cache: dict = {}

    def __repr__(self) -> str:
        built = "" if self._mrr is not None else ", matrix not built yet"
        return f"SnapshotModel({len(self.customer_ids)} customers × {len(self.months)} months, as of {self.as_of.date()}{built})"

    def memo(self, key: str, compute):
        """A value derived from this model only (per-span flags…), computed once and kept with it."""
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    @property
    def mrr(self) -> np.ndarray:
        """Customers × months MRR in int64 micro-units (built on first use, with the monthly changes)."""
        if self._mrr is None:
            self._mrr = self._build_matrix()
        return self._mrr

    @property
    def spans(self) -> pd.DataFrame:
        """The paid spans as a frame (customer_id, start, end, mrr_micro, code: the customer's row in `mrr`)."""
        return self.memo("spans", self.paid.frame)

    @property
    def matrix_built(self) -> bool:
        """Whether the full customers × months matrix exists yet (it is built on first use)."""
        return self._mrr is not None

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
        if granularity == "month" and len(periods) == len(self.months):
            return periods, self.mrr
        return periods, self.snapshot_columns(self.columns(periods))

    def snapshot_columns(self, columns: np.ndarray) -> np.ndarray:
        """MRR at the given monthly snapshots (ascending): columns of the matrix once it is built,
        else summed from the spans into a customers × len(columns) matrix without building it."""
        if self._mrr is not None:
            return self._mrr[:, columns]
        return self.positions().grid(len(self.customer_ids), np.asarray(columns, dtype=np.int64))[0]

    def changes(self, granularity: Granularity) -> Changes:
        """Every (customer, period) whose MRR differs from the period before, cached per granularity."""
        if granularity == "month" and self._mrr is None:
            self._mrr = self._build_matrix()  # reads the monthly changes on the way
        return self.memo(granularity, lambda: self._changes(granularity))

    def _changes(self, granularity: Granularity) -> Changes:
        periods = self.periods(granularity)
        if self._mrr is not None:
            return Changes.from_matrix(*self.matrix(granularity))
        _, cells = self.positions().grid(len(self.customer_ids), self.columns(periods))
        return Changes.from_cells(periods, *cells)

    def span_order(self) -> SpanOrder:
        """The paid spans sorted by customer, then start (cached): renewals and runs read it."""
        return self.memo("span_order", lambda: SpanOrder.of(self.paid))

    def positions(self) -> SpanPositions:
        """The live paid spans on the monthly grid, by customer then start (cached)."""
        return self.memo("positions", lambda: SpanPositions.of(self.paid, self.months, self.span_order().order))

    def runs(self, granularity: Granularity = "month") -> Runs:
        """Each customer's runs of consecutive active snapshots of a granularity (cached): counts per
        period and cohorts without the matrix."""
        if granularity == "month":
            return self.memo("runs", lambda: Runs.of(self.positions(), len(self.months)))
        return self.memo(f"runs:{granularity}", lambda: Runs.of(self.period_positions(granularity), len(self.periods(granularity))))

    def period_positions(self, granularity: Granularity) -> SpanPositions:
        """The live paid spans on the grid of `granularity`'s snapshots (the monthly positions for month)."""
        if granularity == "month":
            return self.positions()
        return self.positions().on(self.columns(self.periods(granularity)))

    def _build_matrix(self) -> np.ndarray:
        # At 200k customers × 48 months every extra copy of the matrix costs tens of milliseconds, so
        # it is summed in place (`in_place`); the monthly changes are read off the difference array.
        mrr, cells = self.positions().grid(len(self.customer_ids), np.arange(len(self.months)), in_place=True)
        month_periods = self.periods("month")
        if len(month_periods) == len(self.months) and "month" not in self._cache:
            self._cache["month"] = Changes.from_cells(month_periods, *cells)
        return mrr


@dataclass(frozen=True)
class PaidSpans:
    """The paid spans as NumPy arrays: what the model computes from (its frame, `spans`, is made on demand)."""

    start: np.ndarray  # datetime64[ns]: the paid start (after any trial)
    end: np.ndarray  # datetime64[ns], NaT while running
    micro: np.ndarray  # MRR in int64 micro-units, > 0
    code: np.ndarray  # int64: the customer's row in the model
    names: np.ndarray  # object: the customer id of each code (`None` for a code no span has, from `of`)

    @property
    def customer_id(self) -> np.ndarray:
        """Each span's customer id (object text), spread from `names` when asked: nothing computes from it."""
        return self.names.take(self.code)

    @classmethod
    def of(cls, frame: pd.DataFrame) -> PaidSpans:
        """From a frame of `paid_spans` with a `code` column."""
        code = frame["code"].to_numpy(dtype=np.int64)
        names = np.empty(int(code.max()) + 1 if len(code) else 0, dtype=object)
        names[code] = frame["customer_id"].to_numpy(dtype=object)
        return cls(frame["start"].to_numpy(dtype="datetime64[ns]"), frame["end"].to_numpy(dtype="datetime64[ns]"),
                   frame["mrr_micro"].to_numpy(dtype=np.int64), code, names)

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame({"customer_id": self.customer_id, "start": self.start, "end": self.end,
                             "mrr_micro": self.micro, "code": self.code})


def _ordinals(start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """(start, end, top): small non-negative int64s in the order of the instants, an open end (NaT) as `top`.

    Whole days (what the importer makes) count days from the earliest; instants with a time of day
    are ranked instead, so comparisons are exactly those of the timestamps either way.
    """
    s = start.view(np.int64)
    open_end = np.isnat(end)
    e = end.view(np.int64)[~open_end]
    day = 86_400_000_000_000
    if len(s) and not (s % day).any() and not (e % day).any():
        lowest = min(int(s.min()), int(e.min())) if len(e) else int(s.min())
        s_ord, e_ord = (s - lowest) // day, (e - lowest) // day
    else:
        _, inverse = np.unique(np.concatenate([s, e]), return_inverse=True)
        s_ord, e_ord = inverse[: len(s)], inverse[len(s):]
    top = int(max(s_ord.max(initial=0), e_ord.max(initial=0))) + 1
    end_ord = np.full(len(end), top, dtype=np.int64)
    end_ord[~open_end] = e_ord
    return s_ord.astype(np.int64), end_ord, top


@dataclass(frozen=True)
class SpanOrder:
    """The paid spans sorted by customer row, then start: `order` gives their rows in `spans`.

    `start` and `end` are ordinals of the instants (`_ordinals`; an open end is `top`), in that
    order, so "another span of the customer runs on this one's end day" is a binary search.
    """

    order: np.ndarray
    code: np.ndarray
    start: np.ndarray
    end: np.ndarray
    top: int

    @classmethod
    def of(cls, paid: PaidSpans) -> SpanOrder:
        start, end, top = _ordinals(paid.start, paid.end)
        order = np.argsort(paid.code * (top + 1) + start)
        return cls(order, paid.code[order], start[order], end[order], top)


@dataclass(frozen=True)
class SpanPositions:
    """The live paid spans on the monthly grid, sorted by customer row then start.

    A span is active at monthly snapshot j when `start <= j < end` (`end` = number of months when
    it runs past the grid); spans active at no snapshot are left out.  The full matrix and any of
    its columns are summed from these.
    """

    code: np.ndarray  # customer row, int64
    start: np.ndarray  # first monthly snapshot the span is active at
    end: np.ndarray  # first monthly snapshot after it (n_months when it runs on)
    micro: np.ndarray  # MRR in int64 micro-units

    @classmethod
    def of(cls, paid: PaidSpans, months: pd.PeriodIndex, order: np.ndarray) -> SpanPositions:
        n_months = len(months)
        if len(paid.code) == 0 or n_months == 0:
            empty = np.zeros(0, dtype=np.int64)
            return cls(empty, empty, empty, empty)
        snaps = snapshot_dates(months).astype(np.int64)
        # First snapshot on or after each day (`searchsorted` in the month ends), read from a table of
        # every day of the grid: a gather is several times faster than 400,000 binary searches.
        first_day = int(snaps[0]) - 31
        table = np.searchsorted(snaps, np.arange(first_day, int(snaps[-1]) + 2), side="left")

        def position(days: np.ndarray) -> np.ndarray:
            return table[np.clip(days.view(np.int64) - first_day, 0, len(table) - 1)]

        start_days = paid.start[order].astype("datetime64[D]")
        end_days = paid.end[order].astype("datetime64[D]")
        start = position(start_days)
        end = np.where(np.isnat(end_days), n_months, position(end_days))
        live = start < end
        rows = order[live]
        return cls(paid.code[rows], start[live].astype(np.int64), end[live].astype(np.int64), paid.micro[rows])

    def on(self, columns: np.ndarray) -> SpanPositions:
        """The same spans on a grid of some monthly snapshots only (`columns`, ascending): positions in it.

        Still sorted by customer, then start (a span's first column grows with its first month)."""
        table = np.searchsorted(columns, np.arange(int(self.end.max(initial=0)) + 1), side="left")
        first, last = table[self.start], table[self.end]
        seen = first < last
        return SpanPositions(self.code[seen], first[seen], last[seen], self.micro[seen])

    def grid(self, n_customers: int, columns: np.ndarray, in_place: bool = False) -> tuple[np.ndarray, tuple]:
        """(customers × len(columns) MRR at the monthly snapshots `columns` (ascending), its changed cells).

        A difference array: +mrr at a span's first column, -mrr at the first column after it (none when
        it runs past the last), then a running sum along each row.  Its non-zero cells before the sum
        are the cells whose MRR differs from the column before: (row, col, prev, cur) sorted by row,
        then column, as `Changes.from_cells` takes them.  Sums are exact: int64 in place (`in_place`,
        one allocation, for the full matrix), or float64 `bincount` when every partial sum stays
        below 2**53 (integers are exact there), which is several times faster than `np.add.at`.
        """
        k = len(columns)
        # Active at column i when first <= i < last (`on`).  The positions serve as they are only when the columns
        # are the first k months and no span reaches past them (a quarter-end grid can be [0] of a longer month grid).
        whole = k and len(columns) == int(columns[-1]) + 1 and int(self.end.max(initial=0)) <= k
        on = self if whole else self.on(columns)
        code, micro, first, last = on.code, on.micro, on.start, on.end
        ends = last < k
        keys = np.concatenate([code * k + first, code[ends] * k + last[ends]])
        values = np.concatenate([micro, -micro[ends]])
        size = n_customers * k
        if not in_place and float(np.abs(micro).sum(dtype=np.float64)) < 2.0**52:
            flat = np.bincount(keys, weights=values.astype(np.float64), minlength=size).astype(np.int64)
        else:
            flat = np.zeros(size, dtype=np.int64)
            np.add.at(flat, keys, values)
        touched = np.zeros(size, dtype=bool)
        touched[keys] = True
        changed = np.flatnonzero(touched)
        del touched
        delta = flat[changed]
        changed, delta = changed[delta != 0], delta[delta != 0]
        grid = flat.reshape(n_customers, k)
        np.cumsum(grid, axis=1, out=grid)
        row, col = np.divmod(changed, k) if k else (changed, changed)
        cur = grid[row, col]
        return grid, (row, col, cur - delta, cur)


@dataclass(frozen=True)
class Runs:
    """Each customer's runs of consecutive active snapshots: active from `start` up to `end` (exclusive).

    A customer is active at a snapshot when a paid span covers it, so its runs are the union of its
    spans' snapshot ranges: customers active and churning per month follow from where runs start
    and end, for any set of customers, without the matrix.
    """

    code: np.ndarray
    start: np.ndarray
    end: np.ndarray  # n_months when the run lasts to the last snapshot

    @classmethod
    def of(cls, pos: SpanPositions, n_months: int) -> Runs:
        """From the spans' positions, sorted by customer then start (as `SpanPositions` holds them)."""
        if len(pos.code) == 0:
            return cls(pos.code, pos.start, pos.end)
        width = n_months + 1
        start_key = pos.code * width + pos.start
        # Latest end so far within the customer (keys of a later customer are always larger).
        reach = np.maximum.accumulate(pos.code * width + pos.end)
        opens = np.ones(len(start_key), dtype=bool)
        opens[1:] = start_key[1:] > reach[:-1]  # a gap after every earlier span, or a new customer
        heads = np.flatnonzero(opens)
        tails = np.append(heads[1:] - 1, len(start_key) - 1)
        code = pos.code[heads]
        return cls(code, pos.start[heads], reach[tails] - code * width)

    def monthly_churn(self, n_months: int, rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(customers active at the previous monthly snapshot, customers churned) per month, for `rows`."""
        start, end = self.start, self.end
        if rows is not None and not rows.all():
            keep = rows[self.code]
            start, end = start[keep], end[keep]
        entered = np.bincount(start, minlength=n_months + 1)[:n_months]
        left = np.bincount(end, minlength=n_months + 1)[:n_months]
        active = np.cumsum(entered - left)
        before = np.concatenate([[0], active[:-1]])[:n_months].astype(np.int64)
        return before, left.astype(np.int64)


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
        diff = np.empty(mrr.shape, dtype=np.int64)  # one array, not a padded copy and its diff
        diff[:, :1] = mrr[:, :1]  # before the first period nobody pays
        np.subtract(mrr[:, 1:], mrr[:, :-1], out=diff[:, 1:])
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
    """The monthly snapshot model of canonical subscriptions; its matrix is built on first use.

    The grid runs from the month of the first paid day to the last month whose last day is on
    or before `as_of` (default: the latest date in the data).
    """
    as_of = pd.Timestamp(as_of).normalize() if as_of is not None else default_as_of(subscriptions)
    keep, start, end, micro = _paid_parts(subscriptions)
    codes, names = _customer_codes(subscriptions["customer_id"], keep)
    customer_ids = pd.Index(names, name="customer_id", dtype=object)
    spans = PaidSpans(start, end, micro, codes, names)
    if len(codes) == 0:
        return SnapshotModel(customer_ids, pd.PeriodIndex([], freq="M"), np.zeros((0, 0), np.int64), spans, as_of)
    first = pd.Timestamp(start.min()).to_period("M")
    last = last_complete_period(as_of, "month")
    months = period_range(first, last) if last >= first else pd.PeriodIndex([], freq="M")
    return SnapshotModel(customer_ids, months, None, spans, as_of)
