"""Each customer's MRR in each plan at every snapshot of a granularity (METRICS.md §1–§2, per plan).

The same rules as the engine's snapshot matrix: a span counts at a snapshot day when it started on
or before it and ends after it, a trial earns nothing until `trial_end`, free spans do not count,
amounts are summed in integer micro-units.  The only difference is the row: (customer, plan)
instead of customer, so summing a customer's plans gives the engine's MRR exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from retention.engine.snapshots import MICRO
from retention.periods import Granularity, label, last_complete_period, period_of, period_range, snapshot_dates

NO_PLAN = ""
"""The plan of a subscription whose row names none."""


@dataclass(frozen=True)
class PlanSnapshots:
    """MRR (micro-units) of every (customer, plan) pair at every complete period's snapshot.

    `periods` are the labels of the columns; `customer` and `plan` name the rows; `customer_code` is
    the customer's position in `customers`, so customer totals are a `np.add.at` away.
    """

    periods: list[str]
    customer: np.ndarray
    plan: np.ndarray
    customer_code: np.ndarray
    customers: pd.Index
    mrr: np.ndarray  # int64, shape (pairs, periods)
    plan_names: np.ndarray | None = None
    """The plans sorted by name, when known (`plan_snapshots` knows them); `plan_codes` works them out otherwise."""
    plan_code: np.ndarray | None = None
    """Each row's plan as its position in `plan_names`, when known."""

    def plan_codes(self) -> tuple[np.ndarray, np.ndarray]:
        """(the plans sorted by name, each row's plan as its position among them)."""
        if self.plan_names is not None and self.plan_code is not None:
            return self.plan_names, self.plan_code
        names, code = np.unique(self.plan.astype(str), return_inverse=True)
        return names.astype(object), code.reshape(-1)

    def customer_mrr(self, columns: slice = slice(None)) -> np.ndarray:
        """Customers × periods MRR (micro-units): the engine's snapshot matrix for these periods (or `columns` of it)."""
        code, mrr = self.customer_code, self.mrr[:, columns]
        first = np.r_[True, code[1:] != code[:-1]] if len(code) else np.zeros(0, dtype=bool)
        if np.array_equal(code[first], np.arange(len(self.customers))):
            # Rows grouped by customer, every customer in order (what `plan_snapshots` makes): each customer's first
            # row, plus its other plans' rows (customers in several plans are few).
            out = mrr[first]
            np.add.at(out, code[~first], mrr[~first])
            return out
        out = np.zeros((len(self.customers), mrr.shape[1]), dtype=np.int64)
        np.add.at(out, code, mrr)
        return out


def plan_snapshots(subscriptions: pd.DataFrame, granularity: Granularity, as_of: pd.Timestamp,
                   customers: set[str] | None = None) -> PlanSnapshots:
    """MRR per customer and plan at each complete period's snapshot up to `as_of` (only `customers` when given).

    Everything is integer codes and arrays: a customer's id and a plan's name are hashed once each
    (`_codes`), never copied into a frame, so the Revenue page's first view of a 20,000-customer export
    spends its time on the matrix, not on strings.
    """
    subs = subscriptions
    if customers is not None:
        subs = subs[subs["customer_id"].astype(str).isin(customers)]
    starts = subs["start_date"].to_numpy(dtype="datetime64[ns]")
    if "trial_end" in subs:  # a trial earns nothing until it ends
        trial = subs["trial_end"].to_numpy(dtype="datetime64[ns]")
        starts = np.where(np.isnat(trial) | (trial <= starts), starts, trial)
    micro = np.rint(subs["mrr"].to_numpy(dtype=float) * MICRO).astype(np.int64)
    ends = subs["end_date"].to_numpy(dtype="datetime64[ns]")
    keep = (micro > 0) & (np.isnat(ends) | (ends > starts))
    as_of = pd.Timestamp(as_of).normalize()
    if not keep.any():
        return PlanSnapshots([], np.array([], dtype=object), np.array([], dtype=object), np.array([], dtype=np.int64),
                             pd.Index([]), np.zeros((0, 0), dtype=np.int64))
    starts, ends, micro = starts[keep], ends[keep], micro[keep]
    first = period_of(pd.Timestamp(starts.min()), granularity)
    last = last_complete_period(as_of, granularity)
    periods = period_range(first, last) if last >= first else period_range(first, first)[:0]
    days = snapshot_dates(periods).astype("datetime64[ns]")
    # (customer, plan) pairs sorted by customer then plan, and each span's pair: integer codes, not a MultiIndex.
    ids = subs["customer_id"]
    customer_codes, customer_names = _codes(ids, keep, None if _is_text(ids) else str)
    plan_codes, plan_names = _codes(subs["plan"] if "plan" in subs else pd.Series(NO_PLAN, index=subs.index), keep,
                                    _plan_name)
    # Pairs as keys customer × plans + plan, in order: marked in a table of every possible key, no sort.
    keys = customer_codes * len(plan_names) + plan_codes
    present = np.zeros(len(customer_names) * len(plan_names), dtype=bool)
    present[keys] = True
    pair_keys = np.flatnonzero(present)
    code = (np.cumsum(present) - 1)[keys]
    pair_customer = pair_keys // len(plan_names)
    # Active at day d: start <= d < end.  Columns [first_col, end_col) hold the span, added with a difference array
    # (one flat `np.add.at`: the spans of one pair may share a column).
    width = len(days) + 1
    first_col = np.searchsorted(days, starts, side="left")
    end_col = np.where(np.isnat(ends), len(days), np.searchsorted(days, ends, side="left"))
    diff = np.zeros(len(pair_keys) * width, dtype=np.int64)
    np.add.at(diff, np.concatenate([code * width + first_col, code * width + end_col]), np.concatenate([micro, -micro]))
    mrr = np.cumsum(diff.reshape(len(pair_keys), width), axis=1)[:, : len(days)]
    # Every customer of `customer_names` has a pair (the names come from the kept spans), in the same sorted order.
    pair_plan = pair_keys % len(plan_names)
    return PlanSnapshots([label(p) for p in periods], customer_names[pair_customer], plan_names[pair_plan],
                         pair_customer, pd.Index(customer_names), mrr, plan_names, pair_plan)


def _plan_name(value: object) -> str:
    """A plan as the tables name it: text without surrounding spaces, `NO_PLAN` for a missing one."""
    return NO_PLAN if value is None or pd.isna(value) else str(value).strip()  # None, NaN, NaT and pd.NA alike


def _codes(values: pd.Series, keep: np.ndarray, name=None) -> tuple[np.ndarray, np.ndarray]:
    """(code of each kept row, the kept rows' names sorted), codes in the names' sort order (Python's `str` order).

    `name(value)` names a value (rows naming the same way share a code); it is called once per distinct value (a few
    plans), not per row.  Without `name` the column must be text without gaps (the importer's customer ids): its
    values are their names, sorted while hashed (Arrow compares UTF-8 bytes, which orders as Python's `str`).
    """
    if name is None:
        raw, distinct = pd.factorize(values, sort=True)
        names = np.asarray(distinct, dtype=object)
    else:
        raw, distinct = pd.factorize(values, use_na_sentinel=False)
        names, inverse = np.unique(np.array([name(v) for v in np.asarray(distinct, dtype=object)], dtype=object),
                                   return_inverse=True)
        raw = inverse.reshape(-1)[raw]
    raw = raw[keep]
    used = np.bincount(raw, minlength=len(names)) > 0
    return (np.cumsum(used) - 1)[raw], names[used]


def _is_text(values: pd.Series) -> bool:
    """True for a text column without gaps that is not Python objects (which may hold numbers: `str` names them)."""
    return values.dtype != object and pd.api.types.is_string_dtype(values.dtype) and not values.hasnans
