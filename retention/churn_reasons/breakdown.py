"""Churned customers and churned MRR per reason, period, kind and segment, from `ChurnReasons.churns`.

Every table counts the same rows: the churned customers of the movement table, so the customers of
a period's reasons add up to its `customers_churned` and their MRR to its `mrr_churned`
(METRICS.md §3/§4), the churns without a reason included as reason "".
"""

from __future__ import annotations

import pandas as pd

from retention.churn_reasons.matching import ChurnReasons
from retention.engine.base import Engine

KIND_ORDER = ("voluntary", "involuntary", "unknown")


def _totals(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    grouped = frame.groupby(keys, sort=False, dropna=False).agg(customers=("customer_id", "size"),
                                                                mrr_churned=("mrr_churned", "sum"))
    return grouped.reset_index()


def by_reason(found: ChurnReasons) -> pd.DataFrame:
    """reason, customers, mrr_churned, churned_customers_share and churned_mrr_share (% of all churns), most MRR first;
    the churns without a reason are the row with reason ""."""
    churns = found.churns
    table = _totals(churns, ["reason"])
    total_customers, total_mrr = len(churns), float(churns["mrr_churned"].sum())
    table["churned_customers_share"] = table["customers"] / total_customers * 100 if total_customers else None
    table["churned_mrr_share"] = table["mrr_churned"] / total_mrr * 100 if total_mrr else None
    table = table.sort_values(["mrr_churned", "customers", "reason"], ascending=[False, False, True], kind="stable")
    return table.reset_index(drop=True)


def by_period(found: ChurnReasons) -> pd.DataFrame:
    """period, reason, customers, mrr_churned: one row per period and reason that had a churn, in period order."""
    table = _totals(found.churns, ["period", "reason"])
    order = {p: i for i, p in enumerate(found.periods)}
    table = table.assign(_p=table["period"].map(order)).sort_values(["_p", "mrr_churned", "reason"],
                                                                      ascending=[True, False, True], kind="stable")
    return table.drop(columns="_p").reset_index(drop=True)


def by_kind(found: ChurnReasons) -> pd.DataFrame:
    """period, churn_type (voluntary, involuntary, unknown), customers, mrr_churned: every period and type, zeros included."""
    churns = found.churns
    index = pd.MultiIndex.from_product([list(found.periods), list(KIND_ORDER)], names=["period", "churn_type"])
    table = churns.groupby(["period", "churn_type"]).agg(customers=("customer_id", "size"), mrr_churned=("mrr_churned", "sum"))
    table = table.reindex(index, fill_value=0).reset_index()
    table["customers"] = table["customers"].astype(int)
    table["mrr_churned"] = table["mrr_churned"].astype(float)
    return table


def by_segment(found: ChurnReasons, engine: Engine, attribute: str) -> pd.DataFrame:
    """segment (a value of `attribute`), reason, customers, mrr_churned; a customer in no value of it is ""."""
    churns = found.churns
    values = engine.segments().get(attribute, [])
    segment = pd.Series("", index=churns.index, dtype=object)
    for value in values:
        members = engine.segment_customers((attribute, value)) or set()
        segment[churns["customer_id"].isin(members) & segment.eq("")] = value
    table = _totals(churns.assign(segment=segment), ["segment", "reason"])
    return table.sort_values(["segment", "mrr_churned", "reason"], ascending=[True, False, True], kind="stable") \
        .reset_index(drop=True)


def comments(found: ChurnReasons) -> pd.DataFrame:
    """The churns whose record has a comment, newest first: what churned customers said, to read."""
    churns = found.churns
    said = churns[churns["comment"].astype(str).str.strip().ne("")]
    columns = ["date", "period", "customer_id", "customer_name", "mrr_churned", "reason", "comment", "refund", "churn_type"]
    return said.sort_values(["date", "customer_id"], ascending=[False, True], kind="stable")[columns].reset_index(drop=True)
