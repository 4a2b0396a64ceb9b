"""Headline metrics side by side for every value of one customer attribute.

Each segment's numbers come from the same `compute_metrics` as the rest of the app (so a
segment's NRR here equals the NRR the Overview shows with that segment picked), computed once
per attribute value.  Customers without a value (not in the customers table, or a blank cell)
are a segment of their own, "(no value)", so segment totals always add up to the whole.

Two kinds of columns:

* the last period of the window (`crr`, `logo_churn_rate`, `nrr`, `grr`, `arpa`, `mrr_end`,
  `ltv`, …), what a KPI card shows;
* `*_avg` columns: the window's pooled rate, Σ numerators / Σ denominators over its periods
  (for example Σ churned / Σ customers at start).  That is the mean of the per-period rates
  weighted by each period's denominator; it is far steadier than one period for small segments
  and, unlike a plain mean, a quiet month with three customers cannot dominate it.

A segment is `small` when fewer than `SMALL_SEGMENT` customers were active at the start of the
last period: its rates then move by several points when a single customer leaves, so the page
flags them instead of ranking them as if they were stable.  ARPA stays a plain column so a
benchmark band (priced by ARPA) can be picked per segment.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from retention.engine.metrics import Query, compute_metrics
from retention.engine.snapshots import SnapshotModel
from retention.i18n import N_

NO_VALUE = N_("(no value)")
SMALL_SEGMENT = 30
"""Fewer customers than this at the start of the last period make a segment `small`: one churned
customer then moves its logo churn by more than 3 points."""

LAST_PERIOD = [
    "customers_start", "customers_end", "crr", "logo_churn_rate", "nrr", "grr", "mrr_end", "arpa",
    "quick_ratio", "customer_lifetime_months", "ltv",
]
WINDOW_AVERAGES = ["crr_avg", "logo_churn_rate_avg", "nrr_avg", "grr_avg"]
COLUMNS = ["segment", "period", "periods", *LAST_PERIOD, "mrr_share", *WINDOW_AVERAGES, "small"]
_KEY = "__segment__"


def attribute_values(model: SnapshotModel, customers: pd.DataFrame | None, attribute: str) -> np.ndarray:
    """The attribute's value for every customer row of the model, NO_VALUE where it has none."""
    if customers is None or attribute not in customers.columns:
        raise ValueError(f"no customer attribute {attribute!r} to split by")
    table = customers.drop_duplicates("customer_id")
    values = table.set_index(table["customer_id"].astype(str))[attribute]
    values = values.where(values.notna(), "").astype(str).str.strip()
    mapped = model.customer_ids.map(values).to_numpy(dtype=object)
    blank = pd.isna(mapped) | (mapped == "")
    return np.where(blank, NO_VALUE, mapped).astype(object)


def ordered_values(values: np.ndarray) -> list[str]:
    """Distinct values in a stable order: sorted, "(no value)" last."""
    distinct = sorted({str(v) for v in pd.unique(values)} - {NO_VALUE})
    return distinct + ([NO_VALUE] if (values == NO_VALUE).any() else [])


def _pooled(num: float, den: float) -> float:
    return float(num) / float(den) * 100.0 if den else float("nan")


def compare_segments(
    model: SnapshotModel, customers: pd.DataFrame | None, attribute: str, query: Query = Query()
) -> pd.DataFrame:
    """One row per value of `attribute` with the headline metrics of `query`'s window (see module doc).

    `query.segment` is ignored: the attribute's values are the segments.  Rows are ordered by
    MRR at the end of the window, largest first, "(no value)" last.  Columns: `COLUMNS`.
    """
    values = attribute_values(model, customers, attribute)
    keyed = pd.DataFrame({"customer_id": model.customer_ids.to_numpy(), _KEY: values})
    records = []
    for value in ordered_values(values):
        table = compute_metrics(model, replace(query, segment=(_KEY, value)), keyed)
        if table.empty:
            continue
        last = table.iloc[-1]
        s = table["customers_start"].sum()
        mrr_start = table["mrr_start"].sum()
        lost = (table["mrr_contraction"] + table["mrr_churned"]).sum()
        record = {"segment": value, "period": last["period"], "periods": len(table)}
        record.update({column: last[column] for column in LAST_PERIOD})
        record.update(
            crr_avg=_pooled((table["customers_end"] - table["customers_new"]).sum(), s),
            logo_churn_rate_avg=_pooled(table["customers_churned"].sum(), s),
            nrr_avg=_pooled(mrr_start + table["mrr_expansion"].sum() - lost, mrr_start),
            grr_avg=_pooled(mrr_start - lost, mrr_start),
            small=bool(last["customers_start"] < SMALL_SEGMENT),
        )
        records.append(record)
    frame = pd.DataFrame.from_records(records, columns=[c for c in COLUMNS if c != "mrr_share"])
    total = frame["mrr_end"].sum()
    frame.insert(COLUMNS.index("mrr_share"), "mrr_share", frame["mrr_end"] / total * 100.0 if total else np.nan)
    frame["customers_start"] = frame["customers_start"].astype(np.int64)
    frame["customers_end"] = frame["customers_end"].astype(np.int64)
    frame["small"] = frame["small"].astype(bool)
    order = frame.assign(_none=frame["segment"] == NO_VALUE).sort_values(
        ["_none", "mrr_end", "segment"], ascending=[True, False, True], kind="stable"
    )
    return order.drop(columns="_none").reset_index(drop=True)[COLUMNS]
