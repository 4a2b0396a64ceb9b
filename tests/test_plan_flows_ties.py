"""A customer's main plan at a snapshot: the plan with most of its MRR, the first by name on a tie (the rule of
`retention.plan_movements.flows`, now read with one `lexsort` instead of a pandas sort)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from retention.plan_movements.flows import OUTSIDE, _main_plan, plan_flows
from retention.plan_movements.snapshots import PlanSnapshots


def _snaps() -> PlanSnapshots:
    # a: Pro 100 + Basic 100 (tie: Basic), then Pro 300 + Basic 100 (Pro); b: Zeta 50, then nothing; c: nothing, then
    # Add-on 20 (a plan name sorting before the others).
    customer = np.array(["a", "a", "b", "c"], dtype=object)
    plan = np.array(["Basic", "Pro", "Zeta", "Add-on"], dtype=object)
    mrr = np.array([[100, 100], [100, 300], [50, 0], [0, 20]], dtype=np.int64) * 1_000_000
    return PlanSnapshots(["2024-01", "2024-02"], customer, plan, np.array([0, 0, 1, 2]), pd.Index(["a", "b", "c"]), mrr)


def test_main_plan_is_the_largest_then_the_first_by_name() -> None:
    plans, totals = _main_plan(_snaps(), 0)
    assert plans.tolist() == ["Basic", "Zeta", OUTSIDE] and totals.tolist() == [200_000_000, 50_000_000, 0]
    plans, _ = _main_plan(_snaps(), 1)
    assert plans.tolist() == ["Pro", OUTSIDE, "Add-on"]
    assert _main_plan(_snaps(), None)[0].tolist() == [OUTSIDE] * 3


def test_flows_between_the_two_snapshots() -> None:
    flows = plan_flows(_snaps(), "2024-02", "2024-02")
    assert flows.values.tolist() == [["Basic", "Pro", 1, 200.0, 400.0], [OUTSIDE, "Add-on", 1, 0.0, 20.0],
                                     ["Zeta", OUTSIDE, 1, 50.0, 0.0]]
