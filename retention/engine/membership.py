"""Who is in a segment: decided here, once, for every engine input and every page.

A segment is (attribute, value) over the customers table.  Values are compared as stripped text;
customers missing from the customers table or with a blank cell have the value "(no value)", a
segment of its own, so the segments of an attribute always add up to everyone.  The metrics, the
segment comparison, survival curves, events, surveys and drill-down lists all ask these functions,
so a customer can never be in a segment on one page and outside it on another.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from retention.i18n import N_

NO_VALUE = N_("(no value)")
MAX_SEGMENT_VALUES = 50
"""Columns with more distinct values than this (names, e-mails, ids) are not offered as segments."""


def attribute_values(customer_ids: pd.Index | pd.Series, customers: pd.DataFrame | None, attribute: str) -> np.ndarray:
    """The attribute's value for each id in `customer_ids` (object array), NO_VALUE where it has none.

    Raises ValueError naming the attribute when the customers table has no such column.

    Every segment change asks this, so it works per distinct value and looks ids up once: the attribute's
    distinct cells are stripped (not every customer's), and each id finds its customer row by one hash lookup
    (the customers' ids as plain text, deduplicated only when they repeat).
    """
    if customers is None or attribute not in customers.columns:
        raise ValueError(f"no customer attribute {attribute!r} to filter on")
    keys = _text_index(customers["customer_id"])
    table = customers
    if not keys.is_unique:  # the first row of a repeated id counts, as `drop_duplicates` keeps it
        first = ~keys.duplicated(keep="first")
        table, keys = customers[first], keys[first]
    codes, distinct = pd.factorize(table[attribute].to_numpy(dtype=object), use_na_sentinel=True)
    labels = pd.Series(distinct, dtype=object).astype(str).str.strip().to_numpy(dtype=object)
    labels = np.append(np.where(labels == "", NO_VALUE, labels), NO_VALUE).astype(object)  # last: no value
    rows = keys.get_indexer(_text_index(customer_ids))
    code = np.full(len(rows), -1, dtype=np.int64)
    found = rows >= 0
    code[found] = codes[rows[found]]
    return labels[np.where(code < 0, len(labels) - 1, code)]


def _text_index(ids: pd.Index | pd.Series) -> pd.Index:
    """Ids as an object Index of text (Arrow id text and numbers alike), so lookups compare like with like."""
    values = pd.Index(ids)
    if values.dtype != object:
        values = pd.Index(values.to_numpy(dtype=object))
    return values if values.inferred_type in ("string", "empty") else values.astype(str)


def members(customer_ids: pd.Index | pd.Series, customers: pd.DataFrame | None, segment: tuple[str, str] | None) -> np.ndarray:
    """Boolean mask over `customer_ids`: True for the customers in `segment` (all True when None)."""
    if segment is None:
        return np.ones(len(customer_ids), dtype=bool)
    attribute, value = segment
    return attribute_values(customer_ids, customers, attribute) == str(value).strip()


def ordered_values(values: np.ndarray) -> list[str]:
    """Distinct values in a stable order: sorted, "(no value)" last."""
    distinct = sorted({str(v) for v in pd.unique(values)} - {NO_VALUE})
    return distinct + ([NO_VALUE] if (values == NO_VALUE).any() else [])


def segment_choices(customers: pd.DataFrame | None, attribute_columns: list[str]) -> dict[str, list[str]]:
    """Attribute column -> sorted distinct values, for segment pickers (at most MAX_SEGMENT_VALUES each).

    A split into hundreds of one-customer groups tells nothing, so such columns are left out.
    """
    found: dict[str, list[str]] = {}
    if customers is None:
        return found
    for column in attribute_columns:
        distinct = _few_texts(customers[column])
        if distinct is None:
            # Each distinct cell written and stripped once, not every customer's (same text: a column's dtype is kept).
            values = customers[column].dropna().drop_duplicates().astype(str).str.strip()
            distinct = set(values[values.ne("")].unique())
        if 1 <= len(distinct) <= MAX_SEGMENT_VALUES:
            found[column] = sorted(distinct)
    return found


def _few_texts(values: pd.Series) -> set[str] | None:
    """A text column's distinct stripped, non-empty values, read until there are more than `MAX_SEGMENT_VALUES`
    (then any such set: the column is no segment), or None when a value is not text (the caller writes those).

    A column of names or e-mails has as many values as customers: stopping at the 51st distinct one spares stripping
    the other 20,000 (a third of a session's first Overview was the sidebar's segment list)."""
    seen: set[str] = set()
    for value in values.dropna().unique():
        if not isinstance(value, str):
            return None
        text = value.strip()
        if text:
            seen.add(text)
            if len(seen) > MAX_SEGMENT_VALUES:
                break
    return seen
