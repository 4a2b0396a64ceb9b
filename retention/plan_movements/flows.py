"""Where customers went between plans over a range: each customer's main plan at its start and at its end.

A customer's main plan at a snapshot is the plan holding most of its MRR there (the first by name
on a tie), so a customer with an add-on is counted once, under its main plan.  The range starts at
the snapshot before its first period and ends at its last period's snapshot: a customer paying at
neither is left out; one paying only at the end comes from `OUTSIDE` (new or back), one paying only
at the start goes to `OUTSIDE` (churned).  Moves inside the range (Basic → Pro → Basic) net out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from retention.engine.snapshots import MICRO
from retention.plan_movements.snapshots import NO_PLAN, PlanSnapshots

OUTSIDE = "\x00outside"
"""The from-plan of customers not paying at the start, and the to-plan of those not paying at the end."""

FLOW_COLUMNS = ["from_plan", "to_plan", "customers", "mrr_start", "mrr_end"]


def _main_plan(snaps: PlanSnapshots, column: int | None) -> tuple[np.ndarray, np.ndarray]:
    """(main plan, total MRR in micro-units) of every customer at a snapshot column (None: before the data)."""
    n = len(snaps.customers)
    total = np.zeros(n, dtype=np.int64)
    plan = np.full(n, OUTSIDE, dtype=object)
    if column is None:
        return plan, total
    values = snaps.mrr[:, column]
    np.add.at(total, snaps.customer_code, values)
    # Each paying customer's plan with most MRR, the first by name on a tie: rows ordered by customer, MRR (most
    # first) and plan name (its code in sorted names), the first row of each customer kept.  A customer has one
    # row per plan, so the order has no ties.
    paid = np.flatnonzero(values > 0)
    code, mrr = snaps.customer_code[paid], values[paid]
    names, plan_code = np.unique(snaps.plan[paid].astype(str), return_inverse=True)
    order = np.lexsort((plan_code, -mrr, code))
    first = order[np.r_[True, code[order][1:] != code[order][:-1]]] if len(order) else order
    plan[code[first]] = snaps.plan[paid][first]
    return plan, total


def plan_flows(snaps: PlanSnapshots, first: str, last: str) -> pd.DataFrame:
    """from_plan, to_plan, customers, mrr_start, mrr_end between the snapshot before `first` and `last`'s.

    `OUTSIDE` marks not paying (new or back when it is the from-plan; churned when it is the to-plan);
    rows are sorted by customers, most first.  Σ mrr_start is the MRR at the start, Σ mrr_end at the end.
    """
    if first not in snaps.periods or last not in snaps.periods:
        return pd.DataFrame(columns=FLOW_COLUMNS)
    i, j = snaps.periods.index(first), snaps.periods.index(last)
    start_plan, start_mrr = _main_plan(snaps, i - 1 if i > 0 else None)
    end_plan, end_mrr = _main_plan(snaps, j)
    paying = (start_mrr > 0) | (end_mrr > 0)
    frame = pd.DataFrame({"from_plan": start_plan[paying], "to_plan": end_plan[paying],
                          "mrr_start": start_mrr[paying] / MICRO, "mrr_end": end_mrr[paying] / MICRO})
    table = frame.groupby(["from_plan", "to_plan"], sort=True).agg(
        customers=("mrr_start", "size"), mrr_start=("mrr_start", "sum"), mrr_end=("mrr_end", "sum")).reset_index()
    table = table.sort_values(["customers", "mrr_end", "from_plan", "to_plan"], ascending=[False, False, True, True],
                              kind="stable")
    return table[FLOW_COLUMNS].reset_index(drop=True)


__all__ = ["FLOW_COLUMNS", "NO_PLAN", "OUTSIDE", "plan_flows"]
