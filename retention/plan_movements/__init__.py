"""MRR movements by plan: MRR entering and leaving each plan, and where customers moved between plans.

    from retention.plan_movements import plan_snapshots, movements_by_plan, plan_flows
    snaps = plan_snapshots(data.subscriptions.table, "month", as_of)
    movements_by_plan(snaps, periods)            # per period and plan: new, expansion, moved in/out, churn…
    plan_flows(snaps, first="2024-01", last="2024-06")   # customers from their plan at the start to the end

`snapshots` holds each customer's MRR per plan at every snapshot (METRICS.md §2 rules, per plan);
`movements` splits the customer-level movements of METRICS.md §4 over plans; `flows` follows each
customer's main plan across a range.
"""

from retention.plan_movements.flows import NO_PLAN, OUTSIDE, plan_flows
from retention.plan_movements.movements import PLAN_MOVEMENTS, movements_by_plan
from retention.plan_movements.snapshots import PlanSnapshots, plan_snapshots

__all__ = ["NO_PLAN", "OUTSIDE", "PLAN_MOVEMENTS", "PlanSnapshots", "movements_by_plan", "plan_flows", "plan_snapshots"]
