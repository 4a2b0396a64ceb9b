"""Recognising the revenue columns of a file: *mrr*, or *amount + interval*, from names and values.

Two shapes of revenue exist in exports and they must never be confused: a monthly amount (MRR)
and a price per billing interval (an annual plan's 1,200 is 100 of MRR).  Reading a price per
interval as MRR silently inflates MRR by the share of annual plans (+40 % on a file with a third
of annual customers), so this module:

- finds a price column by its name when the synonyms did not (`amount_usd`, `unit_amount`,
  `price_eur`, `recurring_amount`), skipping amounts that are not a price (tax, discount, fee,
  refund, balance);
- finds an interval column by its name *and values* (`billing_interval`, `cycle`, `term`
  holding `monthly`/`annual`/`P1Y`), or by its values alone;
- builds the "no revenue column" message offering both correct mappings for what the file has,
  never `--map mrr=` for a column sitting next to billing intervals;
- refuses the trap itself: a price-like column mapped as `mrr` in a file whose intervals are not
  all monthly.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pandas as pd

from retention.i18n import N_
from retention.importing.errors import LoadError
from retention.importing.intervals import describe_intervals, looks_like_intervals
from retention.importing.mapping import normalise_name

_PRICE_NAME = re.compile(r"^(?:.*_)?(?:amount|price|unit_amount|unit_price|plan_price|amount_cents|price_cents)(?:_[a-z]{3})?$"
                         r"|^(?:amount|price)_.*$")
_NOT_A_PRICE = re.compile(r"discount|tax|vat|fee|refund|balance|credit|shipping|remaining|due|paid_out|payout|setup|"
                          r"one_?time|total_spent|lifetime|ltv|mrr|arr|monthly")
_MONTHLY_NAME = re.compile(r"(^|_)(mrr|monthly|per_month|month_amount)(_|$)")
_INTERVAL_NAME = re.compile(r"interval|period|cycle|frequency|billing|term|recurr|plan_type|cadence|duration")
_NOT_AN_INTERVAL = re.compile(r"count|start|end|_at$|date|length_days|number|^id$|_id$")


SAMPLE_ROWS = 2000
"""Rows of a column looked at to recognise billing intervals by their values."""

def price_columns(columns: list[str], used: set[str]) -> list[str]:
    """Columns named like a price per interval, best first (an explicit currency suffix, then the rest)."""
    found = []
    for column in columns:
        name = normalise_name(column)
        if column in used or not _PRICE_NAME.match(name) or _NOT_A_PRICE.search(name):
            continue
        found.append(column)
    return found


def interval_columns(raw: pd.DataFrame, used: set[str]) -> list[str]:
    """Columns whose cells are billing intervals; columns named like one come first."""
    named, others = [], []
    for column in raw.columns:
        if column in used:
            continue
        name = normalise_name(column)
        if _NOT_AN_INTERVAL.search(name):
            continue
        sample = raw[column].head(SAMPLE_ROWS)
        if not looks_like_intervals(sample):
            continue
        (named if _INTERVAL_NAME.search(name) else others).append(column)
    return named + others


def complete_revenue_mapping(raw: pd.DataFrame, resolved: Mapping[str, str], explicit: Mapping[str, str]) -> dict[str, str]:
    """`resolved` plus an amount and an interval column found by name and values, when the
    synonyms found no MRR column and the user mapped none of these fields."""
    mapping = dict(resolved)
    if "mrr" in mapping:
        return mapping
    used = set(mapping.values())
    if "interval" not in mapping and "interval" not in explicit:
        found = interval_columns(raw, used)
        if found:
            mapping["interval"] = found[0]
            used.add(found[0])
    if "amount" not in mapping and "amount" not in explicit:
        found = price_columns(list(raw.columns), used)
        if found:
            mapping["amount"] = found[0]
    return mapping


def revenue_error(file: str, columns: list[str], mapping: Mapping[str, str]) -> LoadError:
    """The message when a file has no usable revenue: the mappings that would be right for it."""
    found = ", ".join(columns)
    if "interval" in mapping:
        return LoadError(
            file,
            N_("no column for the price per billing interval: the file has billing intervals in '{interval}', so its amounts "
               "are prices per interval, not MRR. Map the price column as amount (CLI: --map amount=YOUR_COLUMN; app: the "
               "column mapping on the Data page); columns found: {columns}"),
            {"interval": mapping["interval"], "columns": found}, row=1,
        )
    if "amount" in mapping:
        return LoadError(
            file,
            N_("column '{amount}' holds amounts but the file has no billing interval. If they are prices per interval, map the "
               "interval column too (CLI: --map interval=YOUR_COLUMN); if they already are monthly amounts, map them as MRR "
               "(CLI: --map mrr={amount}); app: the column mapping on the Data page. Columns found: {columns}"),
            {"amount": mapping["amount"], "columns": found}, row=1,
        )
    return LoadError(
        file,
        N_("no column for the revenue. Map either mrr, a monthly amount (CLI: --map mrr=YOUR_COLUMN), or amount and interval, "
           "a price per billing interval such as 1200 + annual (CLI: --map amount=YOUR_COLUMN --map interval=YOUR_COLUMN); "
           "app: the column mapping on the Data page. Columns found: {columns}"),
        {"columns": found}, row=1,
    )


def check_mrr_is_monthly(raw: pd.DataFrame, file: str, mapping: Mapping[str, str], explicit: Mapping[str, str]) -> None:
    """Refuse a price per interval mapped as MRR: the user mapped `mrr` to a column named like a
    price while the file has billing intervals that are not all monthly."""
    column = explicit.get("mrr")
    if column is None or column not in raw.columns or _MONTHLY_NAME.search(normalise_name(column)):
        return
    if not _PRICE_NAME.match(normalise_name(column)):
        return
    used = set(mapping.values()) - {column}
    intervals = [mapping["interval"]] if "interval" in mapping and mapping["interval"] in raw.columns else interval_columns(raw, used)
    for interval in intervals:
        other = describe_intervals(raw[interval])
        if other:
            raise LoadError(
                file,
                N_("'{column}' is mapped as MRR, but the file bills {intervals} in '{interval}', so '{column}' is a price per "
                   "billing interval: map it as amount with its interval (CLI: --map amount={column} --map interval={interval}; "
                   "app: the column mapping on the Data page). Map a column as mrr only when it already is a monthly amount."),
                {"column": column, "intervals": ", ".join(other[:4]), "interval": interval}, row=1, column=column,
            )


def require_rows(raw: pd.DataFrame, file: str) -> None:
    """A header without rows is refused like an empty file: there is nothing to measure."""
    if len(raw) == 0:
        raise LoadError(file, N_("the file has only a header row ({columns}) and no data rows; export it again with the data"),
                        {"columns": ", ".join(map(str, raw.columns[:8])) + (", …" if len(raw.columns) > 8 else "")}, row=1)
