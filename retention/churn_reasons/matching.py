"""Each churned customer of a period paired with the cancellation record that explains it.

A churn (METRICS.md §3) happens between two snapshots: the customer paid at the previous one and
not at this one, so its subscription ended in the window (previous snapshot, snapshot].  Billing
tools date a cancellation when it was asked for, often before the paid term runs out (cancel at
period end), and some exports date it a little after the last day.  So a record of the same
customer matches a churn when its date lies from `LEAD_DAYS` before the window to `LAG_DAYS` after
it; the nearest churn takes the record, and a churn with several records keeps the nearest (the
latest on a tie).  A churn with no record has no reason; a record with no churn in the range (a
cancellation still running its paid term, or one the billing data never ended) is listed apart.

Voluntary or involuntary: the record's kind (a failed payment, `unpaid`… read at import), else the
ended subscription's billing status (`unpaid`, `past_due`), else unknown.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from retention.engine.base import Engine
from retention.engine.query import Query
from retention.importing.churn_reasons import is_payment_failure
from retention.periods import parse_period

LEAD_DAYS = 92
"""A cancellation up to a quarter before the churn window still explains it (cancel at the end of the term)."""
LAG_DAYS = 31
"""A cancellation dated up to a month after the subscription ended still explains it (late exports)."""
NO_REASON = ""
"""The reason of a churn no record explains (pages show it as "No reason recorded")."""

CHURN_COLUMNS = ["period", "customer_id", "customer_name", "mrr_churned", "reason", "comment", "refund", "date", "churn_type",
                 "churn_type_from"]


@dataclass(frozen=True)
class ChurnReasons:
    """Churned customers with their reasons, and the records that explain no churn of the range.

    `churns`: one row per churned customer and period (CHURN_COLUMNS): `mrr_churned` is the MRR at
    the previous snapshot, `reason` the record's reason grouped case-insensitively ("" when no record
    matched), `date` the record's date (NaT without one), `churn_type` voluntary, involuntary or unknown
    and `churn_type_from` what said so (reason, status or "").  `unmatched`: records dated in the range
    that match no churn (customer_id, customer_name, date, reason, comment, refund, churn_type).
    """

    periods: tuple[str, ...]
    churns: pd.DataFrame
    unmatched: pd.DataFrame

    def coverage(self) -> dict[str, float | int | None]:
        """How many churned customers have a reason, and how many records explain no churn."""
        churns = self.churns
        total = len(churns)
        explained = int(churns["date"].notna().sum())
        return {
            "churned": total,
            "with_reason": explained,
            "without_reason": total - explained,
            "share_with_reason": explained / total * 100 if total else None,
            "records_without_churn": len(self.unmatched),
        }


def _windows(periods: list[str], granularity: str) -> pd.DataFrame:
    """First and last day of each period's churn window: the day after the previous snapshot to its snapshot."""
    rows = []
    for text in periods:
        period = parse_period(text, granularity)
        rows.append({"period": text, "first_day": (period - 1).end_time.normalize() + pd.Timedelta(days=1),
                     "last_day": period.end_time.normalize()})
    return pd.DataFrame(rows, columns=["period", "first_day", "last_day"])


def _labels(reasons: pd.Series) -> pd.Series:
    """Case-insensitive key -> the spelling used most (the first one seen on a tie)."""
    key = reasons.str.casefold()
    best: dict[str, str] = {}
    for k, group in reasons.groupby(key, sort=False):
        counts = group.value_counts(sort=False)
        order = pd.unique(group)
        best[str(k)] = max(order, key=lambda text: counts[text])
    return pd.Series(best, dtype=object)


def churned_customers(engine: Engine, query: Query, periods: list[str]) -> pd.DataFrame:
    """Every churned customer of `periods` (the engine's drill-down lists), with the churn window."""
    parts = []
    for period in periods:
        frame = engine.movement_customers(query, period=period, movement="churned").frame
        if len(frame):
            parts.append(pd.DataFrame({"period": period, "customer_id": frame["customer_id"].astype(str).to_numpy(),
                                       "customer_name": frame["customer_name"].astype(str).to_numpy(),
                                       "mrr_churned": frame["mrr_before"].astype(float).to_numpy()}))
    churns = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        {"period": pd.Series(dtype=object), "customer_id": pd.Series(dtype=object),
         "customer_name": pd.Series(dtype=object), "mrr_churned": pd.Series(dtype=float)})
    return churns.merge(_windows(periods, query.granularity), on="period", how="left")


def _status_involuntary(churns: pd.DataFrame, subscriptions: pd.DataFrame | None) -> np.ndarray:
    """True where a subscription of the customer that ended in the churn window has a payment-failure status."""
    if subscriptions is None or "status" not in subscriptions or churns.empty:
        return np.zeros(len(churns), dtype=bool)
    subs = subscriptions[["customer_id", "end_date", "status"]].dropna(subset=["end_date"])
    subs = subs[is_payment_failure(subs["status"].fillna(""))]
    if subs.empty:
        return np.zeros(len(churns), dtype=bool)
    pairs = churns.reset_index(names="_churn").merge(subs.assign(customer_id=subs["customer_id"].astype(str)),
                                                     on="customer_id")
    # end_date is exclusive: a span paying at the previous snapshot and not at this one ends in (first_day, last_day + 1].
    inside = (pairs["end_date"] >= pairs["first_day"] + pd.Timedelta(days=1)) & \
             (pairs["end_date"] <= pairs["last_day"] + pd.Timedelta(days=1))
    hit = np.zeros(len(churns), dtype=bool)
    hit[pairs.loc[inside, "_churn"].to_numpy(dtype=int)] = True
    return hit


def match_reasons(engine: Engine, query: Query, reasons: pd.DataFrame | None,
                  subscriptions: pd.DataFrame | None = None, periods: list[str] | None = None) -> ChurnReasons:
    """Pair the churned customers of the query's window (or `periods`) with their cancellation records.

    `reasons` is the canonical churn reasons table (None: no file loaded, every churn without a
    reason); `subscriptions` the canonical subscriptions, read for payment-failure statuses.
    """
    if periods is None:
        periods = list(engine.metrics(query)["period"])
    churns = churned_customers(engine, query, periods)
    wanted = engine.segment_customers(query.segment)
    if reasons is None:
        reasons = pd.DataFrame(columns=["customer_id", "date", "reason", "comment", "refund", "kind"])
    records = reasons.reset_index(drop=True).copy()
    records["customer_id"] = records["customer_id"].astype(str)
    records["date"] = pd.to_datetime(records["date"])
    if wanted is not None:
        records = records[records["customer_id"].isin(wanted)].reset_index(drop=True)
    records["reason"] = records["reason"].astype(str)
    labels = _labels(records["reason"]) if len(records) else pd.Series(dtype=object)
    records["reason"] = records["reason"].str.casefold().map(labels).fillna(records["reason"]).astype(object)
    records["_record"] = np.arange(len(records))

    pairs = churns.reset_index(names="_churn").merge(
        records[["customer_id", "date", "_record"]], on="customer_id", how="inner")
    before = (pairs["first_day"] - pairs["date"]).dt.days
    after = (pairs["date"] - pairs["last_day"]).dt.days
    pairs["_distance"] = np.maximum(0, np.maximum(before, after))
    pairs = pairs[(before <= LEAD_DAYS) & (after <= LAG_DAYS)]
    # The nearest churn takes a record; a churn keeps its nearest record, the latest on a tie.
    pairs = pairs.sort_values(["_record", "_distance", "_churn"], kind="stable").drop_duplicates("_record")
    pairs = pairs.sort_values(["_churn", "_distance", "date"], ascending=[True, True, False], kind="stable")
    pairs = pairs.drop_duplicates("_churn")

    found = records.set_index("_record").loc[pairs["_record"].to_numpy()]
    matched = pd.DataFrame({
        "reason": found["reason"].to_numpy(dtype=object), "comment": found["comment"].astype(str).to_numpy(dtype=object),
        "refund": found["refund"].astype(float).to_numpy(), "date": found["date"].to_numpy(),
        "kind": found["kind"].astype(str).to_numpy(dtype=object),
    }, index=pairs["_churn"].to_numpy())
    out = churns.drop(columns=["first_day", "last_day"]).join(matched)
    out["reason"] = out["reason"].fillna(NO_REASON).astype(object)
    out["comment"] = out["comment"].fillna("").astype(object)
    out["refund"] = out["refund"].astype(float)
    out["date"] = pd.to_datetime(out["date"])
    by_status = _status_involuntary(churns, subscriptions)
    has_record = out["date"].notna().to_numpy()
    said = (out["kind"].fillna("").to_numpy(dtype=object) == "involuntary")
    # Involuntary when the record or the ended subscription's status says the payment failed; voluntary when a
    # record says nothing of a payment; unknown without a record.
    out["churn_type"] = np.where(said | by_status, "involuntary", np.where(has_record, "voluntary", "unknown")).astype(object)
    out["churn_type_from"] = np.where(said, "reason", np.where(by_status, "status", np.where(has_record, "reason", ""))
                                ).astype(object)
    out = out[CHURN_COLUMNS]

    used = set(pairs["_record"].tolist())
    unmatched = records[~records["_record"].isin(used)]
    if periods:
        first = _windows(periods[:1], query.granularity)["first_day"].iloc[0]
        last = _windows(periods[-1:], query.granularity)["last_day"].iloc[0]
        unmatched = unmatched[(unmatched["date"] >= first) & (unmatched["date"] <= last)]
    else:
        unmatched = unmatched.iloc[0:0]
    unmatched = engine.named(unmatched.drop(columns="_record").reset_index(drop=True))
    unmatched = unmatched.assign(kind=unmatched["kind"].astype(str).astype(object)).rename(columns={"kind": "churn_type"})
    return ChurnReasons(tuple(periods), out.reset_index(drop=True), unmatched.sort_values("date", kind="stable")
                        .reset_index(drop=True))
