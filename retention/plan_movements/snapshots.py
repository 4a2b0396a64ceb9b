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
from retention.periods import Granularity, label, last_complete_period, period_of, period_range

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

    def customer_mrr(self) -> np.ndarray:
        """Customers × periods MRR (micro-units): the engine's snapshot matrix for these periods."""
        out = np.zeros((len(self.customers), len(self.periods)), dtype=np.int64)
        np.add.at(out, self.customer_code, self.mrr)
        return out


def plan_snapshots(subscriptions: pd.DataFrame, granularity: Granularity, as_of: pd.Timestamp,
                   customers: set[str] | None = None) -> PlanSnapshots:
    """MRR per customer and plan at each complete period's snapshot up to `as_of` (only `customers` when given)."""
    subs = subscriptions
    if customers is not None:
        subs = subs[subs["customer_id"].astype(str).isin(customers)]
    start = subs["start_date"]
    if "trial_end" in subs:
        trial = subs["trial_end"]
        start = start.where(trial.isna() | (trial <= start), trial)
    micro = np.rint(subs["mrr"].to_numpy(dtype=float) * MICRO).astype(np.int64)
    end = subs["end_date"]
    keep = (micro > 0) & (end.isna() | (end > start)).to_numpy()
    plan = subs["plan"].fillna("").astype(str).str.strip() if "plan" in subs else pd.Series(NO_PLAN, index=subs.index)
    spans = pd.DataFrame({"customer": subs["customer_id"].astype(str).to_numpy()[keep], "plan": plan.to_numpy()[keep],
                          "start": start.to_numpy()[keep], "end": end.to_numpy()[keep], "mrr": micro[keep]})
    as_of = pd.Timestamp(as_of).normalize()
    if spans.empty:
        return PlanSnapshots([], np.array([], dtype=object), np.array([], dtype=object), np.array([], dtype=np.int64),
                             pd.Index([]), np.zeros((0, 0), dtype=np.int64))
    first = period_of(pd.Timestamp(spans["start"].min()), granularity)
    last = last_complete_period(as_of, granularity)
    periods = period_range(first, last) if last >= first else period_range(first, first)[:0]
    days = np.array([p.end_time.normalize().to_datetime64() for p in periods], dtype="datetime64[ns]")
    # (customer, plan) pairs sorted by customer then plan, and each span's pair: integer codes, not a MultiIndex.
    customer_codes, customer_names = pd.factorize(spans["customer"], sort=True)
    plan_codes, plan_names = pd.factorize(spans["plan"], sort=True)
    pair_keys, code = np.unique(customer_codes.astype(np.int64) * len(plan_names) + plan_codes, return_inverse=True)
    pairs = pd.DataFrame({"customer": np.asarray(customer_names, dtype=object)[pair_keys // len(plan_names)],
                          "plan": np.asarray(plan_names, dtype=object)[pair_keys % len(plan_names)]})
    # Active at day d: start <= d < end.  Columns [first_col, end_col) hold the span, added with a difference array.
    first_col = np.searchsorted(days, spans["start"].to_numpy(dtype="datetime64[ns]"), side="left")
    ends = spans["end"].to_numpy(dtype="datetime64[ns]")
    end_col = np.where(pd.isna(ends), len(days), np.searchsorted(days, ends, side="left"))
    diff = np.zeros((len(pairs), len(days) + 1), dtype=np.int64)
    np.add.at(diff, (code, first_col), spans["mrr"].to_numpy())
    np.add.at(diff, (code, end_col), -spans["mrr"].to_numpy())
    mrr = np.cumsum(diff, axis=1)[:, : len(days)]
    customers_index = pd.Index(pairs["customer"].unique())
    return PlanSnapshots([label(p) for p in periods], pairs["customer"].to_numpy(dtype=object),
                         pairs["plan"].to_numpy(dtype=object), customers_index.get_indexer(pairs["customer"]),
                         customers_index, mrr)
