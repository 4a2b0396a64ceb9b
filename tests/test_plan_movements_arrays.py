"""MRR movements by plan computed as arrays (issue 20, round 4): a range of periods, a customer's plans summed, and
the flows' totals give exactly what the whole table, the engine and the snapshots give.

`movements_by_plan` reads only the snapshots a range needs and classifies only the (customer, plan) pairs whose
MRR changed; `PlanSnapshots.customer_mrr` adds a customer's other plans to its first; `plan_flows` sums micro-units
per pair of plans.  Each shortcut is checked here against the plain computation on generated data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from retention.dataset import load_dataset
from retention.plan_movements import movements_by_plan, plan_flows, plan_snapshots
from retention.plan_movements.snapshots import PlanSnapshots
from retention.sample import generate
from tests.test_plan_movements import AS_OF, FIXTURE, _write


@pytest.fixture(scope="module")
def snaps():
    sample = generate(customers=120, months=15, seed=11)
    data = load_dataset(_write(sample.subscriptions))
    return plan_snapshots(data.subscriptions.table, "month", data.default_as_of())


def test_a_range_of_periods_is_the_whole_tables_rows(snaps) -> None:
    whole = movements_by_plan(snaps)
    for wanted in (snaps.periods[3:7], snaps.periods[:2], snaps.periods[-1:], [snaps.periods[5], snaps.periods[2]]):
        part = movements_by_plan(snaps, wanted)
        expected = pd.concat([whole[whole["period"] == p] for p in wanted], ignore_index=True)
        pd.testing.assert_frame_equal(part, expected)


def test_a_customers_plans_sum_to_its_mrr_whatever_the_row_order(snaps) -> None:
    grouped = snaps.customer_mrr()
    shuffled = np.random.default_rng(3).permutation(len(snaps.customer))
    other = PlanSnapshots(snaps.periods, snaps.customer[shuffled], snaps.plan[shuffled],
                          snaps.customer_code[shuffled], snaps.customers, snaps.mrr[shuffled])
    assert np.array_equal(other.customer_mrr(), grouped)  # the general path (np.add.at)
    expected = np.zeros_like(grouped)
    for row, code in enumerate(snaps.customer_code):
        expected[code] += snaps.mrr[row]
    assert np.array_equal(grouped, expected)
    assert np.array_equal(snaps.customer_mrr(slice(2, 5)), expected[:, 2:5])


def test_flows_add_up_to_the_mrr_at_both_ends(snaps) -> None:
    first, last = snaps.periods[4], snaps.periods[-1]
    flows = plan_flows(snaps, first, last)
    customer = snaps.customer_mrr()
    assert flows["mrr_start"].sum() == pytest.approx(customer[:, 3].sum() / 1e6, abs=1e-6)
    assert flows["mrr_end"].sum() == pytest.approx(customer[:, -1].sum() / 1e6, abs=1e-6)
    assert flows["customers"].sum() == int(((customer[:, 3] > 0) | (customer[:, -1] > 0)).sum())
    assert flows["customers"].is_monotonic_decreasing


@pytest.mark.parametrize("dtype", [object, "string", "string[pyarrow]"])
def test_a_missing_plan_is_no_plan_whatever_the_text_type(dtype) -> None:
    """A hand-built table (notebook, API) may hold its plans as pandas' string types, whose missing value is `pd.NA`:
    it is "no plan", as None or NaN are, never a plan called "<NA>"."""
    table = load_dataset(FIXTURE).subscriptions.table.copy()
    plans = table["plan"].astype(object)
    plans.iloc[0] = None
    table["plan"] = plans.astype(dtype)
    snaps = plan_snapshots(table, "month", AS_OF)
    assert "<NA>" not in set(snaps.plan) and "" in set(snaps.plan)
