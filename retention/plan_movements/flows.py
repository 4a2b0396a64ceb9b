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
    names, plan_code = snaps.plan_codes()
    main, total = _main_plan_code(snaps, column, plan_code)
    plan = np.full(len(snaps.customers), OUTSIDE, dtype=object)
    plan[main >= 0] = names[main[main >= 0]]
    return plan, total


def _main_plan_code(snaps: PlanSnapshots, column: int | None, plan_code: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(main plan's code, -1 when not paying; total MRR in micro-units) of every customer at a snapshot column."""
    n = len(snaps.customers)
    total = np.zeros(n, dtype=np.int64)
    main = np.full(n, -1, dtype=np.int64)
    if column is None:
        return main, total
    values = snaps.mrr[:, column]
    np.add.at(total, snaps.customer_code, values)
    # Each paying customer's plan with most MRR, the first by name on a tie: rows ordered by customer, MRR (most
    # first) and plan name (its code in sorted names), the first row of each customer kept.  A customer has one
    # row per plan, so the order has no ties.
    paid = np.flatnonzero(values > 0)
    code, mrr, plans = snaps.customer_code[paid], values[paid], plan_code[paid]
    order = np.lexsort((plans, -mrr, code))
    first = order[np.r_[True, code[order][1:] != code[order][:-1]]] if len(order) else order
    main[code[first]] = plans[first]
    return main, total


def plan_flows(snaps: PlanSnapshots, first: str, last: str) -> pd.DataFrame:
    """from_plan, to_plan, customers, mrr_start, mrr_end between the snapshot before `first` and `last`'s.

    `OUTSIDE` marks not paying (new or back when it is the from-plan; churned when it is the to-plan);
    rows are sorted by customers, most first.  Σ mrr_start is the MRR at the start, Σ mrr_end at the end
    (summed in micro-units, exactly, per pair of plans).
    """
    if first not in snaps.periods or last not in snaps.periods:
        return pd.DataFrame(columns=FLOW_COLUMNS)
    i, j = snaps.periods.index(first), snaps.periods.index(last)
    names, plan_code = snaps.plan_codes()
    start_plan, start_mrr = _main_plan_code(snaps, i - 1 if i > 0 else None, plan_code)
    end_plan, end_mrr = _main_plan_code(snaps, j, plan_code)
    paying = (start_mrr > 0) | (end_mrr > 0)
    # Plans as codes 0..k (0: OUTSIDE), each (from, to) pair a cell of a (k+1)² table; sums per cell in int64.
    side = len(names) + 1
    cell = (start_plan[paying] + 1) * side + end_plan[paying] + 1
    customers = np.bincount(cell, minlength=side * side)
    sums = [np.zeros(side * side, dtype=np.int64) for _ in range(2)]
    np.add.at(sums[0], cell, start_mrr[paying])
    np.add.at(sums[1], cell, end_mrr[paying])
    used = np.flatnonzero(customers)
    label = np.r_[np.array([OUTSIDE], dtype=object), names]
    table = pd.DataFrame({"from_plan": label[used // side], "to_plan": label[used % side],
                          "customers": customers[used].astype(np.int64), "mrr_start": sums[0][used] / MICRO,
                          "mrr_end": sums[1][used] / MICRO})
    table = table.sort_values(["customers", "mrr_end", "from_plan", "to_plan"], ascending=[False, False, True, True],
                              kind="stable")
    return table[FLOW_COLUMNS].reset_index(drop=True)


__all__ = ["FLOW_COLUMNS", "NO_PLAN", "OUTSIDE", "plan_flows"]
