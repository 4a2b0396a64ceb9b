"""MRR movements by plan and plan-to-plan flows (issue 18), against a fixture worked out by hand.

tests/fixtures/plan_movements/subscriptions.csv (monthly MRR, end exclusive), data as of 2024-04-30:
u Basic 100 Jan–Feb, Pro 300 from Mar 1 (upgrade)      v Pro 200 from Jan, add-on Analytics 50 from Feb 15
w Basic 100 until Feb 20 (churn in Feb)               x Basic 80 from Feb 10 (new in Feb)
y Pro 300 Jan–Feb, Basic 100 from Mar 1 (downgrade)    z Basic 100, 150 from Mar 1 (expansion inside Basic)
r Pro 120 in Jan, back on Mar 10 (churn Feb, reactivation Mar)

March: Basic 280 − moved out 100 (u) + moved in 100 (y) + expansion 50 (z) = 330;
       Pro 500 + moved in 300 (u) − moved out 300 (y) + reactivation 120 (r) = 620; Analytics 50 = 50.
Customer level: expansion 200 (u) + 50 (z) = 250, contraction 200 (y): 250 − 200 = 50 = 50 + 400 − 400.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from retention.dataset import load_dataset
from retention.engine import Query
from retention.plan_movements import OUTSIDE, movements_by_plan, plan_flows, plan_snapshots
from retention.sample import generate

FIXTURE = Path(__file__).parent / "fixtures" / "plan_movements" / "subscriptions.csv"
AS_OF = pd.Timestamp("2024-04-30")


@pytest.fixture(scope="module")
def data():
    return load_dataset(FIXTURE)


@pytest.fixture(scope="module")
def snaps(data):
    return plan_snapshots(data.subscriptions.table, "month", AS_OF)


def _row(table: pd.DataFrame, period: str, plan: str) -> dict:
    return table[(table["period"] == period) & (table["plan"] == plan)].iloc[0].to_dict()


def test_movements_by_plan_by_hand(snaps) -> None:
    table = movements_by_plan(snaps)
    assert snaps.periods == ["2024-01", "2024-02", "2024-03", "2024-04"]
    jan = _row(table, "2024-01", "Basic")
    assert (jan["mrr_start"], jan["plan_new"], jan["mrr_end"], jan["customers_end"]) == (0, 300, 300, 3)
    feb_basic, feb_pro, feb_add = (_row(table, "2024-02", p) for p in ("Basic", "Pro", "Analytics"))
    assert (feb_basic["plan_new"], feb_basic["plan_churned"], feb_basic["mrr_end"]) == (80, 100, 280)
    assert (feb_pro["mrr_start"], feb_pro["plan_churned"], feb_pro["mrr_end"]) == (620, 120, 500)
    assert (feb_add["plan_moved_in"], feb_add["mrr_end"]) == (50, 50)  # an add-on: MRR comes into the plan
    basic, pro = _row(table, "2024-03", "Basic"), _row(table, "2024-03", "Pro")
    assert {k: basic[k] for k in ("mrr_start", "plan_moved_out", "plan_moved_in", "plan_expansion", "mrr_end")} == {
        "mrr_start": 280, "plan_moved_out": 100, "plan_moved_in": 100, "plan_expansion": 50, "mrr_end": 330}
    assert {k: pro[k] for k in ("mrr_start", "plan_moved_in", "plan_moved_out", "plan_reactivation", "mrr_end")} == {
        "mrr_start": 500, "plan_moved_in": 300, "plan_moved_out": 300, "plan_reactivation": 120, "mrr_end": 620}
    assert (basic["customers_start"], basic["customers_end"], pro["customers_start"], pro["customers_end"]) == (3, 3, 2, 3)
    april = table[table["period"] == "2024-04"]
    moves = ["plan_new", "plan_reactivation", "plan_expansion", "plan_moved_in", "plan_contraction", "plan_moved_out",
             "plan_churned"]
    assert april[moves].to_numpy().sum() == 0 and sorted(april["mrr_end"]) == [50, 330, 620]


def _bridge_holds(table: pd.DataFrame) -> None:
    gain = table[["plan_new", "plan_reactivation", "plan_expansion", "plan_moved_in"]].sum(axis=1)
    loss = table[["plan_contraction", "plan_moved_out", "plan_churned"]].sum(axis=1)
    np.testing.assert_allclose(table["mrr_start"] + gain - loss, table["mrr_end"], atol=1e-6)


def _agrees_with_metrics(table: pd.DataFrame, metrics: pd.DataFrame) -> None:
    per = table.groupby("period").sum(numeric_only=True)
    metrics = metrics.set_index("period").loc[per.index]
    for ours, theirs in (("mrr_start", "mrr_start"), ("mrr_end", "mrr_end"), ("plan_new", "mrr_new"),
                         ("plan_reactivation", "mrr_reactivation"), ("plan_churned", "mrr_churned")):
        np.testing.assert_allclose(per[ours], metrics[theirs], atol=1e-4, err_msg=ours)
    net = per["plan_expansion"] + per["plan_moved_in"] - per["plan_contraction"] - per["plan_moved_out"]
    np.testing.assert_allclose(net, metrics["mrr_expansion"] - metrics["mrr_contraction"], atol=1e-4)


def test_plan_bridge_and_customer_totals_agree_with_the_metrics(snaps, data) -> None:
    table = movements_by_plan(snaps)
    _bridge_holds(table)
    _agrees_with_metrics(table, data.engine().metrics(Query(granularity="month", as_of=AS_OF)))
    march = data.engine().metrics(Query(granularity="month", as_of=AS_OF)).set_index("period").loc["2024-03"]
    assert (march["mrr_expansion"], march["mrr_contraction"]) == (250, 200)


def test_invariants_on_generated_data() -> None:
    sample = generate(customers=150, months=18, seed=7)
    assert sample.subscriptions["trial_end"].notna().any() and sample.subscriptions["plan"].nunique() > 2
    data = load_dataset(_write(sample.subscriptions))
    as_of = data.default_as_of()
    for granularity in ("month", "quarter"):
        table = movements_by_plan(plan_snapshots(data.subscriptions.table, granularity, as_of))
        assert len(table) > 0
        _bridge_holds(table)
        _agrees_with_metrics(table, data.engine().metrics(Query(granularity=granularity, as_of=as_of).history()))


def _write(frame: pd.DataFrame):
    import tempfile

    path = Path(tempfile.mkdtemp()) / "subscriptions.csv"
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = out[column].dt.strftime("%Y-%m-%d")
    out.to_csv(path, index=False)
    return path


def test_plan_flows_between_the_ends_of_a_range(snaps) -> None:
    flows = plan_flows(snaps, "2024-02", "2024-03")
    assert flows.values.tolist() == [
        ["Pro", "Pro", 2, 320.0, 370.0],        # v (200 → 250 with its add-on), r (120 → 120)
        ["Basic", "Pro", 1, 100.0, 300.0],      # u upgraded
        ["Basic", "Basic", 1, 100.0, 150.0],    # z
        ["Pro", "Basic", 1, 300.0, 100.0],      # y downgraded
        [OUTSIDE, "Basic", 1, 0.0, 80.0],       # x new
        ["Basic", OUTSIDE, 1, 100.0, 0.0],      # w churned
    ]
    assert plan_flows(snaps, "2024-02", "2099-01").empty


def test_a_segment_of_customers(data) -> None:
    snaps = plan_snapshots(data.subscriptions.table, "month", AS_OF, customers={"u", "y"})
    march = movements_by_plan(snaps, ["2024-03"]).set_index("plan")
    assert march.loc["Basic", ["plan_moved_out", "plan_moved_in"]].tolist() == [100, 100]
    assert march.loc["Pro", ["plan_moved_in", "plan_moved_out"]].tolist() == [300, 300]
