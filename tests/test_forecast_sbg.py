"""The shifted-beta-geometric model against Fader & Hardie (2007) and hand-checked small cases.

Data: the paper's two example cohorts of 1,000 customers (from Berry & Linoff), % still
customers at the start of years 1…13.  The paper fits years 1–8 (seven renewals) and reports
α̂ = 0.704, β̂ = 1.182 for the Regular segment and α̂ = 0.668, β̂ = 3.806 for High End.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.special import beta as beta_fn

from retention.forecasts.sbg import (
    ChurnCounts,
    CohortData,
    churn_probabilities,
    derl,
    fit_pooled,
    fit_sbg,
    retention_rates,
    survival,
)

REGULAR = [100.0, 63.1, 46.8, 38.2, 32.6, 28.9, 26.2, 24.1, 22.3, 20.7, 19.4, 18.3, 17.3]
HIGH_END = [100.0, 86.9, 74.3, 65.3, 59.3, 55.1, 51.7, 49.1, 46.8, 44.5, 42.7, 40.9, 39.4]


def _counts(percent: list[float], years: int = 7) -> ChurnCounts:
    return ChurnCounts.from_survivors(np.array(percent[: years + 1]) * 10)


def sig3(x: float) -> float:
    return float(f"{x:.3g}")


@pytest.mark.parametrize(
    ("data", "alpha", "beta"), [(REGULAR, 0.704, 1.182), (HIGH_END, 0.668, 3.806)], ids=["regular", "high_end"]
)
def test_paper_estimates_to_three_significant_figures(data, alpha, beta):
    fit = fit_sbg(_counts(data))
    assert fit.converged and fit.supported
    assert sig3(fit.alpha) == sig3(alpha)
    assert sig3(fit.beta) == sig3(beta)
    assert round(fit.alpha, 3) == alpha and round(fit.beta, 3) == beta


def test_first_year_churn_is_alpha_over_alpha_plus_beta():
    # P(T = 1) = α / (α + β): 0.704 / 1.886 = 0.3733, next to the 36.9 % observed for Regular.
    p = churn_probabilities(0.704, 1.182, 1)
    assert p[0] == pytest.approx(0.704 / 1.886)
    assert p[0] == pytest.approx(0.3733, abs=1e-4)


def test_recursion_and_survival_agree():
    a, b = 2.0, 3.0
    p = churn_probabilities(a, b, 4)
    # By hand: P1 = 2/5; P2 = (3+0)/(5+1)·P1 = 1/5; P3 = (3+1)/(5+2)·P2 = 4/35; P4 = 5/8·4/35 = 1/14.
    assert p == pytest.approx([2 / 5, 1 / 5, 4 / 35, 1 / 14])
    s = survival(a, b, 4)
    # S(t) = B(α, β+t) / B(α, β) = 1 − Σ P(T ≤ t): S(1) = 3/5, S(2) = 2/5, S(3) = 2/7, S(4) = 3/14.
    assert s == pytest.approx([1, 3 / 5, 2 / 5, 2 / 7, 3 / 14])
    assert s[1:] == pytest.approx(1 - np.cumsum(p))
    assert s[2] == pytest.approx(beta_fn(a, b + 2) / beta_fn(a, b))
    # Retention rates r(t) = (β + t − 1) / (α + β + t − 1) rise with age: 3/5, 4/6, 5/7, 6/8.
    assert retention_rates(a, b, 4) == pytest.approx([3 / 5, 4 / 6, 5 / 7, 6 / 8])


def test_log_likelihood_by_hand():
    # 10 customers: 4 leave at age 1, 2 at age 2, 4 still there at age 2 (α = 2, β = 3 as above).
    counts = ChurnCounts.from_survivors([10, 6, 4])
    from retention.forecasts.sbg import log_likelihood

    expected = 4 * math.log(2 / 5) + 2 * math.log(1 / 5) + 4 * math.log(2 / 5)
    assert log_likelihood(2.0, 3.0, counts) == pytest.approx(expected)


def test_reactivations_never_count_as_negative_churn():
    counts = ChurnCounts.from_survivors([10, 6, 7, 5])
    assert list(counts.lost) == [4, 0, 1]
    assert list(counts.alive) == [0, 0, 0, 5]


def test_pooling_cohorts_of_different_ages_is_one_likelihood():
    # The paper's Regular cohort split in two halves, one observed 7 years and one only 3:
    # the pooled fit must use each half's own censoring age, not pad the short one with zeros.
    full = np.array(REGULAR[:8]) * 5
    short = np.array(REGULAR[:4]) * 5
    pooled = fit_pooled([CohortData("a", full), CohortData("b", short)])
    by_hand = ChurnCounts(
        lost=np.concatenate([full[:-1] - full[1:]]) + np.concatenate([short[:-1] - short[1:], np.zeros(4)]),
        alive=np.concatenate([np.zeros(3), [short[-1]], np.zeros(3), [full[-1]]]),
    )
    direct = fit_sbg(by_hand)
    assert pooled.alpha == pytest.approx(direct.alpha, rel=1e-6)
    assert pooled.beta == pytest.approx(direct.beta, rel=1e-6)
    assert pooled.size == 1000


def test_not_enough_data_is_said():
    assert fit_sbg(ChurnCounts.from_survivors([50, 50, 50])).reason == "too_few_churns"
    assert fit_sbg(ChurnCounts.from_survivors([50, 45, 44, 44])).reason == "too_few_churns"
    assert fit_sbg(ChurnCounts.from_survivors([50, 30])).reason == "too_young"
    assert not fit_sbg(ChurnCounts.from_survivors([50, 50])).supported


def test_bootstrap_band_contains_the_fit_and_is_reproducible():
    fit = fit_sbg(_counts(REGULAR), bootstrap=200, seed=1)
    low, high = fit.band(12)
    curve = fit.survival(12)
    assert len(fit.boot) >= 190
    assert np.all(low[1:] < curve[1:]) and np.all(curve[1:] < high[1:])
    assert low[0] == high[0] == 1.0
    again = fit_sbg(_counts(REGULAR), bootstrap=200, seed=1)
    assert np.array_equal(fit.boot, again.boot)
    # The actual years 8–12 of the paper's data lie inside the 90 % band of the 7-year fit.
    actual = np.array(REGULAR[8:13]) / 100
    assert np.all((low[8:13] <= actual) & (actual <= high[8:13]))


def test_derl_closed_form_equals_the_sum():
    a, b, d = 0.704, 1.182, 0.10
    for n in (0, 1, 4):
        s = survival(a, b, np.arange(n, n + 3000))
        direct = float(np.sum(s[1:] / s[0] / (1 + d) ** np.arange(0, len(s) - 1)))
        assert derl(a, b, n, d) == pytest.approx(direct, rel=1e-6)


def test_derl_without_discount():
    # α > 1, no discount: expected further renewals of a new customer = β / (α − 1) = 3 / 1 = 3.
    assert derl(2.0, 3.0, 0, 0.0) == pytest.approx(3.0)
    # After n renewals: (β + n) / (α − 1).
    assert derl(2.0, 3.0, 4, 0.0) == pytest.approx(7.0)
    # α ≤ 1: the mean lifetime is unbounded, never a made-up number.
    assert math.isinf(derl(0.704, 1.182, 0, 0.0))
