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
    names, plan_code = snaps.plan_codes()
    plans = list(names)
    code = snaps.customer_code
    # A customer was seen before a period when it paid at an earlier snapshot: its first paying snapshot, the
    # earliest over its plans (each pair's first column with MRR; past the end when it has none).
    paid = snaps.mrr > 0
    pair_first = np.where(paid.any(axis=1), paid.argmax(axis=1), len(snaps.periods))
    groups = np.flatnonzero(np.r_[True, code[1:] != code[:-1]])
    if np.array_equal(code[groups], np.arange(len(snaps.customers))):  # rows grouped by customer, in order
        first_paid = np.minimum.reduceat(pair_first, groups)
    else:
        first_paid = np.full(len(snaps.customers), len(snaps.periods))
        np.minimum.at(first_paid, code, pair_first)
    # The snapshots the wanted periods need: each one's and the one before (zeros before the first snapshot).
    columns = np.array([snaps.periods.index(period) for period in wanted])
    low = max(int(columns.min()) - 1, 0)
    window = slice(low, int(columns.max()) + 1)
    mrr, cust = snaps.mrr[:, window], snaps.customer_mrr(window)
    if columns.min() == 0:
        mrr, cust = (np.hstack([np.zeros((len(m), 1), dtype=np.int64), m]) for m in (mrr, cust))
        low = -1
    now_col, before_col = columns - low, columns - low - 1
    width = len(columns)
    # Every movement of a (customer, plan) pair moves its MRR in that plan: only the pairs whose MRR changed between
    # the two snapshots of a period (a few percent of them) are classified, as one array of changes.  A range of
    # periods (the usual question) compares each snapshot of the window with the one before it, without copies.
    consecutive = bool(np.all(np.diff(columns) == 1))
    pair, k = np.nonzero(mrr[:, 1:] != mrr[:, :-1] if consecutive else mrr[:, now_col] != mrr[:, before_col])
    m_k, p_k = mrr[pair, now_col[k]], mrr[pair, before_col[k]]
    cell = plan_code[pair] * width + k

    def per_cell(values: np.ndarray) -> np.ndarray:
        """Plans × wanted periods sums of one value per change (int64, exact)."""
        total = np.zeros(len(plans) * width, dtype=np.int64)
        np.add.at(total, cell, values)
        return total.reshape(len(plans), width)

    # MRR and paying customers per plan at the snapshots: for a range, the window's first snapshot summed per plan,
    # then moved by the changes; otherwise each plan's rows summed at each snapshot (a handful of plans).
    if consecutive:
        first = mrr[:, 0]
        level = np.zeros(len(plans), dtype=np.int64)
        np.add.at(level, plan_code, first)
        payers = np.bincount(plan_code[first > 0], minlength=len(plans)).astype(np.int64)
        end = level[:, None] + np.cumsum(per_cell(m_k - p_k), axis=1)
        paying_end = payers[:, None] + np.cumsum(per_cell((m_k > 0).astype(np.int64) - (p_k > 0)), axis=1)
        sums = {"mrr_start": np.hstack([level[:, None], end[:, :-1]]), "mrr_end": end}
        customers_start, customers_end = np.hstack([payers[:, None], paying_end[:, :-1]]), paying_end
    else:
        masks = [plan_code == c for c in range(len(plans))]
        level = np.stack([mrr[mask].sum(axis=0) for mask in masks]).reshape(len(plans), mrr.shape[1])
        paying = np.stack([np.count_nonzero(mrr[mask] > 0, axis=0) for mask in masks]).reshape(len(plans), -1)
        sums = {"mrr_start": level[:, before_col], "mrr_end": level[:, now_col]}
        customers_start, customers_end = paying[:, before_col].astype(np.int64), paying[:, now_col].astype(np.int64)
    customer = code[pair]
    m, p = cust[customer, now_col[k]], cust[customer, before_col[k]]
    came_before = first_paid[customer] < columns[k]
    stays = (p > 0) & (m > 0)
    arrived = (p == 0) & (m > 0)
    amounts = {
        "plan_new": np.where(arrived & ~came_before, m_k, 0),
        "plan_reactivation": np.where(arrived & came_before, m_k, 0),
        "plan_churned": np.where((p > 0) & (m == 0), p_k, 0),
        "plan_expansion": np.where(stays & (p_k > 0) & (m_k > p_k), m_k - p_k, 0),
        "plan_contraction": np.where(stays & (m_k > 0) & (m_k < p_k), p_k - m_k, 0),
        "plan_moved_in": np.where(stays & (p_k == 0) & (m_k > 0), m_k, 0),
        "plan_moved_out": np.where(stays & (p_k > 0) & (m_k == 0), p_k, 0),
    }
    for name, values in amounts.items():
        sums[name] = per_cell(values)
    # One row per period and plan with customers at either snapshot: periods in the asked order, plans by name.
    period_index, plan_index = np.nonzero(((customers_start > 0) | (customers_end > 0)).T)
    if not len(plan_index):
        return pd.DataFrame(columns=COLUMNS)
    out = {"period": [wanted[i] for i in period_index], "plan": [plans[i] for i in plan_index]}
    out.update({name: values[plan_index, period_index] / MICRO for name, values in sums.items()})
    out["customers_start"] = customers_start[plan_index, period_index]
    out["customers_end"] = customers_end[plan_index, period_index]
    return pd.DataFrame(out, columns=COLUMNS)
