"""Projections, LTV, backtest, MRR forecast and committed MRR on hand-made data with hand-computed values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from retention.engine.cohorts import CohortRow, CohortTable
from retention.engine.snapshots import build_model
from retention.forecasts.backtest import backtest
from retention.forecasts.committed import committed_mrr
from retention.forecasts.mrr import Scenario, mrr_forecast
from retention.forecasts.projection import LtvSettings, project
from retention.forecasts.sbg import ChurnCounts, fit_sbg, survival

REGULAR = [1000, 631, 468, 382, 326, 289, 262, 241, 223, 207, 194, 183, 173]


def table(rows: dict[str, list[float]], granularity: str = "year", basis: str = "customers") -> CohortTable:
    out = []
    for label, values in rows.items():
        out.append(CohortRow(label, pd.Period(label, freq="Y"), values[0], int(values[0]) if basis == "customers" else 0,
                             list(values), [v / values[0] * 100 for v in values]))
    return CohortTable(granularity, basis, out)  # type: ignore[arg-type]


# --- projection and LTV ------------------------------------------------------------------------


def test_projection_continues_each_cohort_from_its_last_age():
    customers = table({"2010": REGULAR[:8], "2014": REGULAR[:4]})
    forecast = project(customers, horizon=10, bootstrap=50)
    fit = forecast.pooled
    young = forecast.cohorts[1]
    assert young.model == "cohort" or young.model == "pooled"
    first = young.projected.iloc[0]
    assert first["age"] == 3 and first["survival"] == pytest.approx(38.2)  # starts where the cohort is
    row = young.projected.set_index("age")
    own = fit if young.model == "pooled" else forecast.fits["2014"]
    s = survival(own.alpha, own.beta, np.array([3.0, 7.0]))
    assert row.loc[7, "survival"] == pytest.approx(38.2 * s[1] / s[0])
    assert row.loc[7, "low"] < row.loc[7, "survival"] < row.loc[7, "high"]
    assert young.observed == pytest.approx([100, 63.1, 46.8, 38.2])


def test_ltv_realised_plus_projected_by_hand():
    # One cohort of 1,000 (the paper's Regular data), paying 10 a month each, yearly periods,
    # 50 % margin, no discount, horizon 10 years.
    customers = table({"2010": REGULAR[:8]})
    revenue = table({"2010": [v * 10 for v in REGULAR[:8]]}, basis="revenue")
    settings = LtvSettings(gross_margin=50, annual_discount=0, horizon_years=10)
    forecast = project(customers, revenue, horizon=10, settings=settings, arpa=10.0, bootstrap=50)
    cohort = forecast.cohorts[0]
    fit = fit_sbg(ChurnCounts.from_survivors(REGULAR[:8]))
    # Realised: Σ customers at ages 0…7 × 10 MRR × 12 months × 50 % ÷ 1,000.
    realised = sum(REGULAR[:8]) * 10 * 12 * 0.5 / 1000
    assert cohort.ltv.realised == pytest.approx(realised)
    # Projected: 241 paying at age 7, expected to pay at ages 8 and 9 (inside 10 years) with
    # probability S(t)/S(7), 10 × 12 × 50 % = 60 a year each, per customer of the cohort.
    s = survival(fit.alpha, fit.beta, np.array([7.0, 8.0, 9.0]))
    projected = 241 * 60 * (s[1] / s[0] + s[2] / s[0]) / 1000
    assert cohort.ltv.projected == pytest.approx(projected, rel=1e-6)
    assert cohort.ltv.value == pytest.approx(realised + projected, rel=1e-6)
    assert cohort.ltv.low < cohort.ltv.value < cohort.ltv.high
    assert cohort.residual_value == pytest.approx(241 * 60 * (s[1] / s[0] + s[2] / s[0]), rel=1e-6)
    # A new customer: Σ_{t<10} S(t) × 60.
    new = forecast.new_customer_ltv
    assert new.value == pytest.approx(60 * survival(fit.alpha, fit.beta, 9).sum(), rel=1e-6)


def test_discounting_uses_the_yearly_rate_per_period():
    customers = table({"2010": REGULAR[:8]})
    forecast = project(customers, horizon=10, settings=LtvSettings(annual_discount=10), arpa=10.0, bootstrap=0)
    fit = forecast.pooled
    s = survival(fit.alpha, fit.beta, 9)
    assert forecast.new_customer_ltv.value == pytest.approx(120 * np.sum(s / 1.1 ** np.arange(10)), rel=1e-6)


def test_no_ltv_without_enough_churn_or_within_a_sane_horizon():
    few = table({"2010": [40, 38, 37, 37, 36]})
    forecast = project(few, table({"2010": [400, 380, 370, 370, 360]}, basis="revenue"), arpa=10.0, bootstrap=0)
    assert forecast.new_customer_ltv.value is None
    assert forecast.new_customer_ltv.reason == "too_few_churns"
    assert forecast.cohorts[0].ltv.value is None and forecast.cohorts[0].ltv.reason == "too_few_churns"
    assert forecast.cohorts[0].ltv.realised == pytest.approx((400 + 380 + 370 + 370 + 360) * 12 / 40)
    # High churn first, then nearly none: the model says most would still pay after 10 years.
    sticky = table({"2010": [1000, 900, 880, 875, 873, 872]})
    loyal = project(sticky, horizon=10, arpa=10.0, bootstrap=0)
    assert loyal.pooled.supported and loyal.pooled.survival(10)[-1] > 0.5
    assert loyal.new_customer_ltv.value is None and loyal.new_customer_ltv.reason == "beyond_horizon"


# --- backtest ----------------------------------------------------------------------------------


def test_backtest_fits_on_the_first_k_periods_only():
    customers = table({"2000": REGULAR, "2004": REGULAR[:9], "2008": REGULAR[:5]})
    result = backtest(customers, cutoff=7)
    truncated = fit_sbg(ChurnCounts.pooled([ChurnCounts.from_survivors(REGULAR[:8]), ChurnCounts.from_survivors(REGULAR[:8]),
                                            ChurnCounts.from_survivors(REGULAR[:5])]))
    assert result.fit.alpha == pytest.approx(truncated.alpha, rel=1e-6)
    # Predictions for ages 8–12 of the first cohort and age 8 of the second.
    assert len(result.rows) == 5 + 1
    s = survival(truncated.alpha, truncated.beta, np.array([7.0, 12.0]))
    last = result.rows[(result.rows["cohort"] == "2000") & (result.rows["age"] == 12)].iloc[0]
    assert last["predicted"] == pytest.approx(24.1 * s[1] / s[0])
    assert last["actual"] == pytest.approx(17.3)
    assert last["error"] == pytest.approx(last["predicted"] - 17.3)
    assert last["naive_error"] == pytest.approx(24.1 - 17.3)
    # The model beats "nobody else leaves" on the paper's data.
    assert result.mean_absolute_error < result.naive_mean_absolute_error
    assert result.by_age()["cohorts"].tolist() == [2, 1, 1, 1, 1]


def test_backtest_says_when_no_cohort_is_old_enough():
    result = backtest(table({"2000": REGULAR[:4]}), cutoff=3)
    assert not result.supported and result.reason is not None


# --- MRR forecast ------------------------------------------------------------------------------


def monthly() -> pd.DataFrame:
    # Three months: MRR 1,000 → 1,100 → 1,180 → 1,250.
    return pd.DataFrame({
        "period": ["2024-01", "2024-02", "2024-03"],
        "mrr_start": [1000.0, 1100.0, 1180.0],
        "mrr_new": [120.0, 90.0, 90.0],
        "mrr_expansion": [20.0, 30.0, 40.0],
        "mrr_reactivation": [0.0, 10.0, 5.0],
        "mrr_contraction": [10.0, 20.0, 15.0],
        "mrr_churned": [30.0, 30.0, 50.0],
        "mrr_end": [1100.0, 1180.0, 1250.0],
    })


def test_linear_forecast_adds_the_average_movements():
    result = mrr_forecast(monthly(), months=3, window=3, mode="linear")
    # Averages: new 100, expansion 30, reactivation 5, contraction 15, churn 110/3; net 83.33… a month.
    net = 100 + 30 + 5 - 15 - 110 / 3
    assert result.frame["period"].tolist() == ["2024-04", "2024-05", "2024-06"]
    assert result.frame["mrr_end"].tolist() == pytest.approx([1250 + net, 1250 + 2 * net, 1250 + 3 * net])
    assert result.assumptions.averages["mrr_churned"] == pytest.approx(110 / 3)
    # Band: σ of the monthly net changes (100, 80, 70) = 15.275…; ± 1.2816 σ √h.
    sd = np.std([100, 80, 70], ddof=1)
    assert result.frame["high"].iloc[1] - result.frame["mrr_end"].iloc[1] == pytest.approx(1.2816 * sd * np.sqrt(2))


def test_compounding_forecast_applies_rates_to_the_base():
    result = mrr_forecast(monthly(), months=2, window=3, mode="compounding")
    base = 1000 + 1100 + 1180
    e, c, ch = 90 / base, 45 / base, 110 / base
    m1 = 1250 + 100 + 5 + 1250 * (e - c - ch)
    m2 = m1 + 100 + 5 + m1 * (e - c - ch)
    assert result.frame["mrr_end"].tolist() == pytest.approx([m1, m2])


def test_scenarios_change_the_assumptions():
    churn = mrr_forecast(monthly(), months=1, window=3, mode="linear", scenario=Scenario(churn_change_points=-1))
    assert churn.frame["mrr_churned"].iloc[0] == pytest.approx(110 / 3 - 12.5)  # one point of 1,250 less churn
    new = mrr_forecast(monthly(), months=1, window=3, scenario=Scenario(new_change_percent=10))
    assert new.frame["mrr_new"].iloc[0] == pytest.approx(110.0)
    window = mrr_forecast(monthly(), months=1, window=1)
    assert window.frame["mrr_end"].iloc[0] == pytest.approx(1250 + 90 + 40 + 5 - 15 - 50)
    assert mrr_forecast(monthly().iloc[0:0], months=3).reason == "no_history"


# --- committed MRR -----------------------------------------------------------------------------


def test_committed_mrr_from_scheduled_changes():
    from tests.contract.scheduled import scheduled_subscriptions

    subs = scheduled_subscriptions().drop(columns="trial_end")
    model = build_model(subs, pd.Timestamp("2024-03-31"))
    result = committed_mrr(model, subs, months=3)
    frame = result.frame.set_index("period")
    # March MRR: a 100 + b 50 + c 30 + e 40 = 220.  April nothing changes; May: a ends (churn 100),
    # c adds 20 (expansion); June: d starts (new 70).
    assert frame["mrr_end"].tolist() == pytest.approx([220, 140, 210])
    assert frame.loc["2024-05", "mrr_churned"] == 100 and frame.loc["2024-05", "mrr_expansion"] == 20
    assert frame.loc["2024-06", "mrr_new"] == 70
    assert result.at_risk_mrr == 50 and result.at_risk_subscriptions == 1
    assert result.has_changes
