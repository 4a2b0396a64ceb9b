"""Build the canonical subscriptions and customers tables (METRICS.md §1) from raw text tables.

Each check rejects the rows it fails, with the first reason that applies, so every rejected row
appears once in the rejects and the row accounting adds up.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from retention.importing.errors import LoadError, empty_rejects, rejects_frame
from retention.importing.mapping import (
    CUSTOMER_FIELDS,
    SUBSCRIPTION_FIELDS,
    require,
    resolve_mapping,
)
from retention.importing.parse import parse_dates, parse_intervals, parse_numbers
from retention.importing.reader import read_table
from retention.importing.result import LoadResult

SUBSCRIPTION_COLUMNS = [
    "customer_id", "subscription_id", "start_date", "end_date", "mrr", "plan", "quantity",
    "currency", "status", "trial_end",
]
_MICRO = 1_000_000


class _Rejector:
    """Collects rejects while narrowing a table to its good rows."""

    def __init__(self, file: str, raw: pd.DataFrame, mapping: Mapping[str, str]) -> None:
        self.file = file
        self.raw = raw
        self.mapping = mapping
        self.alive = pd.Series(True, index=raw.index)
        self.parts: list[pd.DataFrame] = []

    def reject(self, mask: pd.Series, field: str, reason: str) -> None:
        mask = mask & self.alive
        if not mask.any():
            return
        column = self.mapping.get(field, field)
        values = self.raw.loc[mask, column] if column in self.raw else [""] * int(mask.sum())
        self.parts.append(rejects_frame(self.file, mask[mask].index, column, values, reason))
        self.alive &= ~mask

    def rejects(self) -> pd.DataFrame:
        if not self.parts:
            return empty_rejects()
        return pd.concat(self.parts, ignore_index=True).sort_values("row", kind="stable").reset_index(drop=True)


def _col(raw: pd.DataFrame, mapping: Mapping[str, str], field: str) -> pd.Series:
    if field in mapping:
        return raw[mapping[field]]
    return pd.Series("", index=raw.index, dtype=object)


def subscriptions_from_frame(
    raw: pd.DataFrame, file: str, mapping: Mapping[str, str] | None = None
) -> LoadResult:
    """Canonical subscriptions from a text table whose index is the spreadsheet row number."""
    columns = list(raw.columns)
    resolved = resolve_mapping(columns, SUBSCRIPTION_FIELDS, file, mapping)
    require(resolved, "customer_id", file, columns)
    require(resolved, "start_date", file, columns)
    if "mrr" not in resolved and not {"amount", "interval"} <= resolved.keys():
        require(resolved, "mrr", file, columns)
    rj = _Rejector(file, raw, resolved)

    customer = _col(raw, resolved, "customer_id").astype(str).str.strip()
    rj.reject(customer.eq(""), "customer_id", "missing customer id")

    start, bad_start = parse_dates(_col(raw, resolved, "start_date"))
    rj.reject(bad_start, "start_date", "not a date")
    rj.reject(start.isna(), "start_date", "missing start date")

    end, bad_end = parse_dates(_col(raw, resolved, "end_date"))
    rj.reject(bad_end, "end_date", "not a date")
    rj.reject(end.notna() & start.notna() & (end < start), "end_date", "ends before it starts")

    trial_end, bad_trial = parse_dates(_col(raw, resolved, "trial_end"))
    rj.reject(bad_trial, "trial_end", "not a date")

    if "mrr" in resolved:
        mrr, bad = parse_numbers(_col(raw, resolved, "mrr"))
        rj.reject(bad, "mrr", "not a number")
        rj.reject(mrr.isna(), "mrr", "missing amount")
        rj.reject(mrr < 0, "mrr", "negative amount")
    else:
        amount, bad = parse_numbers(_col(raw, resolved, "amount"))
        rj.reject(bad, "amount", "not a number")
        rj.reject(amount.isna(), "amount", "missing amount")
        rj.reject(amount < 0, "amount", "negative amount")
        months, bad_interval = parse_intervals(_col(raw, resolved, "interval"))
        rj.reject(bad_interval, "interval", "unknown billing interval (use day, week, month, quarter or year)")
        count = pd.Series(1.0, index=raw.index)
        if "interval_count" in resolved:
            count, bad_count = parse_numbers(_col(raw, resolved, "interval_count"))
            count = count.fillna(1.0)
            rj.reject(bad_count | (count <= 0), "interval_count", "interval count must be a positive number")
        mrr = amount / (months * count)

    quantity = pd.Series(1.0, index=raw.index)
    if "quantity" in resolved:
        quantity, bad_qty = parse_numbers(_col(raw, resolved, "quantity"))
        quantity = quantity.fillna(1.0)
        rj.reject(bad_qty | (quantity < 0), "quantity", "quantity must be a number of 0 or more")
        if "mrr" not in resolved:
            mrr = mrr * quantity

    keep = rj.alive
    sub_id = _col(raw, resolved, "subscription_id").astype(str)
    sub_id = sub_id.where(sub_id.ne(""), pd.Series(raw.index.astype(str), index=raw.index).radd("row-"))
    table = pd.DataFrame(
        {
            "customer_id": customer[keep],
            "subscription_id": sub_id[keep],
            "start_date": start[keep],
            "end_date": end[keep],
            "mrr": np.round(mrr[keep].astype(float) * _MICRO) / _MICRO,
            "plan": _col(raw, resolved, "plan")[keep].astype(str),
            "quantity": quantity[keep].astype(float),
            "currency": _col(raw, resolved, "currency")[keep].astype(str).str.upper(),
            "status": _col(raw, resolved, "status")[keep].astype(str).str.lower(),
            "trial_end": trial_end[keep],
        },
        columns=SUBSCRIPTION_COLUMNS,
    )
    table.index.name = "row"
    return LoadResult("subscriptions", file, table, rj.rejects(), len(raw), resolved)


def customers_from_frame(
    raw: pd.DataFrame, file: str, mapping: Mapping[str, str] | None = None
) -> LoadResult:
    """Canonical customers: `customer_id`, optional `signup_date`, every other column an attribute."""
    columns = list(raw.columns)
    resolved = resolve_mapping(columns, CUSTOMER_FIELDS, file, mapping)
    require(resolved, "customer_id", file, columns)
    rj = _Rejector(file, raw, resolved)
    customer = raw[resolved["customer_id"]].astype(str).str.strip()
    rj.reject(customer.eq(""), "customer_id", "missing customer id")
    rj.reject(customer.duplicated() & customer.ne(""), "customer_id", "duplicate customer id (an earlier row has it)")
    signup = None
    if "signup_date" in resolved:
        signup, bad = parse_dates(raw[resolved["signup_date"]])
        rj.reject(bad, "signup_date", "not a date")
    keep = rj.alive
    table = pd.DataFrame({"customer_id": customer[keep]})
    if signup is not None:
        table["signup_date"] = signup[keep]
    used = set(resolved.values())
    for column in columns:
        if column not in used:
            table[column] = raw.loc[keep, column].astype(str)
    table.index.name = "row"
    return LoadResult("customers", file, table, rj.rejects(), len(raw), resolved)


def load_subscriptions(data: bytes, file: str, mapping: Mapping[str, str] | None = None) -> LoadResult:
    """Read subscriptions (or invoices with a service period) from CSV bytes."""
    return subscriptions_from_frame(read_table(data, file), file, mapping)


def load_customers(data: bytes, file: str, mapping: Mapping[str, str] | None = None) -> LoadResult:
    """Read customers with their attributes from CSV bytes."""
    return customers_from_frame(read_table(data, file), file, mapping)


def attribute_columns(customers: pd.DataFrame) -> list[str]:
    """Customer columns usable as segments (everything but the id and dates)."""
    return [c for c in customers.columns if c not in ("customer_id", "signup_date")]


__all__ = [
    "LoadError", "LoadResult", "load_subscriptions", "load_customers",
    "subscriptions_from_frame", "customers_from_frame", "attribute_columns",
]
