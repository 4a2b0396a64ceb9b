"""MRR movements of METRICS.md §4 split over plans, with plan changes as MRR moving between plans.

For a customer with MRR p_k in plan k at the previous snapshot and m_k at this one (p = Σp_k, m = Σm_k):

| plan movement | when | amount in plan k |
|---|---|---|
| `new` | the customer is new (p = 0, never active before) | m_k |
| `reactivation` | p = 0, m > 0, active at an earlier snapshot | m_k |
| `churned` | p > 0, m = 0 | p_k |
| `expansion` / `contraction` | p > 0, m > 0, the customer is in k at both snapshots | m_k − p_k when > 0 / p_k − m_k when > 0 |
| `moved_in` | p > 0, m > 0, p_k = 0 < m_k (the customer came to plan k) | m_k |
| `moved_out` | p > 0, m > 0, p_k > 0 = m_k (the customer left plan k, not the company) | p_k |

An upgrade from Basic (100) to Pro (300) is `moved_out` 100 of Basic and `moved_in` 300 of Pro, while
the customer-level movement is an expansion of 200.  Per plan,
`mrr_end = mrr_start + new + reactivation + expansion + moved_in − contraction − moved_out − churned`;
summed over plans, new, reactivation and churned are the metrics' own and
Σ(expansion + moved_in − contraction − moved_out) = mrr_expansion − mrr_contraction.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from retention.engine.snapshots import MICRO
from retention.plan_movements.snapshots import PlanSnapshots

PLAN_MOVEMENTS = ("new", "reactivation", "expansion", "moved_in", "contraction", "moved_out", "churned")
COLUMNS = ["period", "plan", "mrr_start", "plan_new", "plan_reactivation", "plan_expansion", "plan_moved_in",
           "plan_contraction", "plan_moved_out", "plan_churned", "mrr_end", "customers_start", "customers_end"]


def movements_by_plan(snaps: PlanSnapshots, periods: list[str] | None = None) -> pd.DataFrame:
    """One row per period (of `periods`, default all) and plan with MRR at both snapshots and every plan movement.

    Columns: period, plan, mrr_start, plan_new, plan_reactivation, plan_expansion, plan_moved_in,
    plan_contraction, plan_moved_out, plan_churned, mrr_end, customers_start, customers_end (customers
    with MRR in the plan at the previous snapshot / at this one).  Amounts in the currency (not micro-units).
    """
    wanted = list(snaps.periods) if periods is None else [p for p in periods if p in snaps.periods]
    if not wanted or len(snaps.plan) == 0:
        return pd.DataFrame(columns=COLUMNS)
    cust = snaps.customer_mrr()
    active = cust > 0
    seen_before = np.zeros_like(active)
    seen_before[:, 1:] = np.logical_or.accumulate(active, axis=1)[:, :-1]
    plans = sorted(set(snaps.plan.tolist()))
    plan_code = pd.Index(plans).get_indexer(snaps.plan)
    # Rows sorted by plan once; each period's sums per plan are then one `reduceat` per column (int64, exact),
    # not a mask over every row for every plan.
    order = np.argsort(plan_code, kind="stable")
    sorted_code = plan_code[order]
    starts = np.flatnonzero(np.r_[True, sorted_code[1:] != sorted_code[:-1]])
    group_plans = [plans[c] for c in sorted_code[starts]]

    def per_plan(values: np.ndarray) -> np.ndarray:
        return np.add.reduceat(values[order], starts)

    rows = []
    for period in wanted:
        j = snaps.periods.index(period)
        m_k = snaps.mrr[:, j]
        p_k = snaps.mrr[:, j - 1] if j > 0 else np.zeros_like(m_k)
        code = snaps.customer_code
        p, m = (cust[code, j - 1] if j > 0 else np.zeros_like(m_k)), cust[code, j]
        before = seen_before[code, j]
        stays = (p > 0) & (m > 0)
        amounts = {
            "plan_new": np.where((p == 0) & (m > 0) & ~before, m_k, 0),
            "plan_reactivation": np.where((p == 0) & (m > 0) & before, m_k, 0),
            "plan_churned": np.where((p > 0) & (m == 0), p_k, 0),
            "plan_expansion": np.where(stays & (p_k > 0) & (m_k > p_k), m_k - p_k, 0),
            "plan_contraction": np.where(stays & (m_k > 0) & (m_k < p_k), p_k - m_k, 0),
            "plan_moved_in": np.where(stays & (p_k == 0) & (m_k > 0), m_k, 0),
            "plan_moved_out": np.where(stays & (p_k > 0) & (m_k == 0), p_k, 0),
        }
        start, end = per_plan(p_k), per_plan(m_k)
        customers_start, customers_end = per_plan((p_k > 0).astype(np.int64)), per_plan((m_k > 0).astype(np.int64))
        sums = {name: per_plan(values) for name, values in amounts.items()}
        for i in np.flatnonzero((customers_start > 0) | (customers_end > 0)):
            row = {"period": period, "plan": group_plans[i], "mrr_start": start[i] / MICRO, "mrr_end": end[i] / MICRO,
                   "customers_start": int(customers_start[i]), "customers_end": int(customers_end[i])}
            row.update({name: values[i] / MICRO for name, values in sums.items()})
            rows.append(row)
    return pd.DataFrame(rows, columns=COLUMNS)
