"""The customers behind a number, and one customer's whole story, read off the snapshot matrix.

Every list here is a row selection of the same matrix the metrics are counted from, so the members
of a cohort cell are exactly as many as the cell says, and a period's movers exactly as many as its
movement counts.  Results are ids and numbers; names come from the customers file (`name_column`)
and are data, not translated text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from retention.engine.snapshots import MICRO, SnapshotModel
from retention.periods import Granularity, label, parse_period

NAME_COLUMNS = (
    "customer_name", "name", "company", "company_name", "account_name", "organization", "organisation",
    "organization_name", "business_name", "display_name", "customer", "full_name", "email", "customer_email",
    "e_mail", "email_address",
)
"""Customers-file columns read as the customer's name, best first (a company name beats an e-mail)."""

MEMBER_COLUMNS = ["customer_id", "customer_name", "mrr_before", "mrr_after", "movement", "paying"]


def _normal(header: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(header).strip().lower()).strip("_")


def name_column(customers: pd.DataFrame | None) -> str | None:
    """The column of the customers table that names a customer (`name`, `company`, `email`…), or None."""
    if customers is None:
        return None
    found = {_normal(c): c for c in customers.columns if c != "customer_id"}
    for wanted in NAME_COLUMNS:
        if wanted in found and customers[found[wanted]].notna().any():
            return found[wanted]
    return None


def customer_names(customers: pd.DataFrame | None) -> pd.Series:
    """Customer id -> name ("" where the file has none); empty when the data names nobody."""
    column = name_column(customers)
    if column is None:
        return pd.Series(dtype=object, name="customer_name")
    table = customers.drop_duplicates("customer_id")
    names = table[column].where(table[column].notna(), "").astype(str).str.strip()
    return pd.Series(names.to_numpy(dtype=object), index=table["customer_id"].astype(str), name="customer_name")


def classify(prev: np.ndarray, cur: np.ndarray, first: np.ndarray) -> np.ndarray:
    """Movement code of each (previous MRR, MRR) pair, METRICS.md §4; "" when nothing moved."""
    return np.select(
        [(prev == 0) & (cur > 0) & first, (prev == 0) & (cur > 0), (prev > 0) & (cur == 0), cur > prev, cur < prev],
        ["new", "reactivation", "churned", "expansion", "contraction"],
        default="",
    ).astype(object)


def _position(periods: pd.PeriodIndex, text: str, granularity: Granularity, what: str) -> int:
    wanted = parse_period(text, granularity)
    found = np.flatnonzero(periods == wanted)
    if len(found) == 0:
        first, last = (label(periods[0]), label(periods[-1])) if len(periods) else ("-", "-")
        raise ValueError(f"{what} {text} is not a complete period of the data ({first} to {last})")
    return int(found[0])


def period_members(model: SnapshotModel, granularity: Granularity, period: str, rows: np.ndarray) -> pd.DataFrame:
    """Customers of `rows` paying at the previous snapshot or at `period`'s, with their movement.

    Columns: customer_id, mrr_before, mrr_after, movement ("" = unchanged), paying (at `period`).
    """
    periods, mrr = model.matrix(granularity)
    p = _position(periods, period, granularity, "period")
    cur = mrr[:, p]
    prev = mrr[:, p - 1] if p > 0 else np.zeros_like(cur)
    earlier = (mrr[:, :p] > 0).any(axis=1) if p > 0 else np.zeros(len(cur), dtype=bool)
    keep = np.asarray(rows, dtype=bool) & ((prev > 0) | (cur > 0))
    frame = pd.DataFrame({
        "customer_id": model.customer_ids[keep].astype(str),
        "mrr_before": prev[keep] / MICRO,
        "mrr_after": cur[keep] / MICRO,
        "movement": classify(prev[keep], cur[keep], ~earlier[keep]),
        "paying": cur[keep] > 0,
    })
    return frame.sort_values(["mrr_after", "customer_id"], ascending=[False, True], kind="stable").reset_index(drop=True)


def cohort_members(model: SnapshotModel, granularity: Granularity, cohort: str, age: int, rows: np.ndarray,
                   end: str | None = None) -> tuple[str, pd.DataFrame]:
    """Cohort `cohort`'s customers (first paying snapshot in it) at age `age`: (label of K+age, members).

    Columns: customer_id, mrr_before (MRR at age 0), mrr_after (MRR at K+age), movement (the move into
    K+age), paying.  Paying members first, largest MRR first; the paying ones are the cohort cell.
    """
    if int(age) != age or age < 0:
        raise ValueError(f"age {age} is not a whole number of periods ≥ 0")
    age = int(age)
    periods, mrr = model.matrix(granularity)
    k = _position(periods, cohort, granularity, "cohort")
    last = len(periods) - 1 if end is None else _position(periods, end, granularity, "end")
    if k + age > last:
        raise ValueError(f"cohort {cohort} has no age {age} yet: its snapshot is after {label(periods[last])}")
    active = mrr > 0
    ever = active.any(axis=1)
    first = np.where(ever, np.argmax(active, axis=1), -1)
    keep = np.asarray(rows, dtype=bool) & (first == k)
    j = k + age
    cur = mrr[keep, j]
    prev = mrr[keep, j - 1] if j > 0 else np.zeros_like(cur)
    frame = pd.DataFrame({
        "customer_id": model.customer_ids[keep].astype(str),
        "mrr_before": mrr[keep, k] / MICRO,
        "mrr_after": cur / MICRO,
        "movement": classify(prev, cur, np.full(len(cur), age == 0)),
        "paying": cur > 0,
    })
    frame = frame.sort_values(["paying", "mrr_after", "customer_id"], ascending=[False, False, True], kind="stable")
    return label(periods[j]), frame.reset_index(drop=True)


@dataclass(frozen=True)
class CustomerHistory:
    """One customer's story.

    spans: their subscription rows as imported (subscription_id, plan, start_date, end_date, mrr, …).
    mrr: one row per month-end snapshot from their first paid month: period, mrr.
    movements: the months their MRR moved: period, movement, mrr_before, mrr_after.
    attributes: customer-file columns (plan, country…) and their values.
    """

    customer_id: str
    name: str
    spans: pd.DataFrame
    mrr: pd.DataFrame
    movements: pd.DataFrame
    attributes: dict[str, object] = field(default_factory=dict)

    @property
    def active(self) -> bool:
        return bool(len(self.mrr)) and float(self.mrr["mrr"].iloc[-1]) > 0


def history(model: SnapshotModel, subscriptions: pd.DataFrame, customers: pd.DataFrame | None,
            customer_id: str) -> CustomerHistory:
    """Everything the data says about one customer; ValueError when the id is in no file."""
    customer_id = str(customer_id).strip()
    own = subscriptions[subscriptions["customer_id"].astype(str) == customer_id]
    attributes: dict[str, object] = {}
    if customers is not None:
        found = customers[customers["customer_id"].astype(str) == customer_id]
        if len(found):
            attributes = {c: found.iloc[0][c] for c in customers.columns if c != "customer_id"}
    if own.empty and not attributes:
        raise ValueError(f"no customer {customer_id!r} in the data")
    # The one customer's name, read off its own row as `customer_names` writes it (not every customer's name).
    column = name_column(customers)
    value = attributes.get(column) if column is not None else None
    name = "" if value is None or pd.isna(value) else str(value).strip()
    spans = own.sort_values("start_date", kind="stable").reset_index(drop=True)
    where = model.customer_ids.get_indexer([customer_id])[0]
    if where < 0 or len(model.months) == 0:
        empty = pd.DataFrame({"period": pd.Series(dtype=object), "mrr": pd.Series(dtype=float)})
        moves = pd.DataFrame(columns=["period", "movement", "mrr_before", "mrr_after"])
        return CustomerHistory(customer_id, name, spans, empty, moves, attributes)
    row = model.mrr[where]
    paid = np.flatnonzero(row > 0)
    start = int(paid[0]) if len(paid) else len(row)
    labels = [label(p) for p in model.months]
    mrr = pd.DataFrame({"period": labels[start:], "mrr": row[start:] / MICRO})
    prev = np.concatenate([[0], row[:-1]])
    earlier = np.concatenate([[False], np.cumsum(row > 0)[:-1] > 0])
    moved = np.flatnonzero(prev != row)
    movements = pd.DataFrame({
        "period": [labels[i] for i in moved],
        "movement": classify(prev[moved], row[moved], ~earlier[moved]),
        "mrr_before": prev[moved] / MICRO,
        "mrr_after": row[moved] / MICRO,
    })
    return CustomerHistory(customer_id, name, spans, mrr, movements, attributes)


def events_per_week(events: pd.DataFrame, as_of: pd.Timestamp | None = None) -> pd.DataFrame:
    """Product activity: one row per Monday-starting week, first event to the last (or as-of day): week, events."""
    if events.empty:
        return pd.DataFrame({"week": pd.Series(dtype=str), "events": pd.Series(dtype="int64")})
    stamps = pd.to_datetime(events["timestamp"], utc=True).dt.tz_convert(None)
    weeks = stamps.dt.to_period("W-SUN")
    last = pd.Timestamp(as_of).to_period("W-SUN") if as_of is not None else weeks.max()
    index = pd.period_range(weeks.min(), max(last, weeks.min()), freq="W-SUN")
    counts = weeks.value_counts().reindex(index, fill_value=0)
    return pd.DataFrame({"week": [str(p.start_time.date()) for p in index], "events": counts.to_numpy(dtype="int64")})
