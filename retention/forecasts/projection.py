"""Projected retention and LTV per cohort from the sBG model, with bootstrap bands.

Input is the cohort triangle of METRICS.md §6 (customers basis, and the revenue basis for
money), so the observed part of every curve is exactly what the Cohorts page shows.  Each cohort
is projected from its own last observed age: customers still paying then × S(t) / S(m), so the
projection continues the cohort's real curve instead of jumping to the model's.  A cohort too
small or too young for its own fit (see `sbg.MIN_CHURN_EVENTS`) uses the fit of all cohorts
pooled, and says so.

LTV per customer of a cohort = realised revenue so far (revenue cells × months per period ×
gross margin ÷ cohort size) + projected revenue: the customers still paying × the projected
share still paying each later period × the cohort's current ARPA × gross margin, discounted,
up to `horizon_years` after the cohort's start.  The sBG mean lifetime is infinite when α ≤ 1,
so an LTV is always given over a stated horizon; where the model itself says more than half of
customers would still be paying at that horizon, or the fit has too few churns to rest on, the
LTV is "not enough data" (a reason code), never a number.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.special import betaln

from retention.engine.cohorts import CohortTable
from retention.forecasts.sbg import ChurnCounts, CohortData, SbgFit, derl, fit_pooled, fit_sbg
from retention.periods import Granularity, months_per_period

BAND_LEVEL = 0.9
DEFAULT_BOOTSTRAP = 200
HORIZON_YEARS = 10  # the "sane horizon": no LTV counts revenue more than ten years after a customer starts

REASONS = ("too_young", "too_few_churns", "no_fit", "beyond_horizon", "no_revenue")


@dataclass(frozen=True)
class LtvSettings:
    """Gross margin (%), yearly discount rate (%) and the horizon an LTV may count revenue over."""

    gross_margin: float = 100.0
    annual_discount: float = 0.0
    horizon_years: int = HORIZON_YEARS

    def period_discount(self, granularity: Granularity) -> float:
        return (1 + self.annual_discount / 100.0) ** (months_per_period(granularity) / 12.0) - 1.0

    def horizon_periods(self, granularity: Granularity) -> int:
        return int(round(self.horizon_years * 12 / months_per_period(granularity)))


@dataclass(frozen=True)
class Ltv:
    """An LTV per customer with its band, or the reason there is none (`value` is None)."""

    value: float | None
    low: float | None = None
    high: float | None = None
    realised: float | None = None
    projected: float | None = None
    reason: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {"value": self.value, "low": self.low, "high": self.high, "realised": self.realised,
                "projected": self.projected, "reason": self.reason}


@dataclass(frozen=True)
class CohortProjection:
    """One cohort: observed survival, the fit used, the projection with its band, LTV and residual value."""

    cohort: str
    size: int
    observed: list[float]  # % still paying by age 0…m (the cohort table's percentages)
    model: str  # "cohort" (its own fit) or "pooled"
    alpha: float | None
    beta: float | None
    own_fit_reason: str | None  # why the cohort's own fit was not used (None when it was)
    projected: pd.DataFrame  # age, survival, low, high (percent), ages m…horizon
    ltv: Ltv
    residual_value: float | None  # expected margin from its paying customers within the horizon
    derl: float | None  # discounted expected residual lifetime of a paying customer (periods), FH 2010

    def as_dict(self) -> dict[str, object]:
        return {
            "cohort": self.cohort, "size": self.size, "alpha": self.alpha, "beta": self.beta, "model": self.model,
            "own_fit": self.own_fit_reason or "ok", "observed": self.observed,
            "projected": self.projected.to_dict("records"), "ltv": self.ltv.value, "ltv_low": self.ltv.low,
            "ltv_high": self.ltv.high, "ltv_realised": self.ltv.realised, "ltv_projected": self.ltv.projected,
            "ltv_reason": self.ltv.reason, "residual_value": self.residual_value, "derl": self.derl,
        }


@dataclass(frozen=True)
class RetentionForecast:
    """Every cohort's projection, the pooled fit and the LTV of a new customer."""

    granularity: Granularity
    horizon: int
    settings: LtvSettings
    pooled: SbgFit
    pooled_curve: pd.DataFrame  # age, survival, low, high (percent) from age 0
    cohorts: list[CohortProjection]
    new_customer_ltv: Ltv
    arpa: float | None
    fits: dict[str, SbgFit] = field(default_factory=dict, repr=False)


def _survivors(values: list[float]) -> np.ndarray:
    return np.asarray(values, dtype=float)


def _curves(alpha: np.ndarray, beta: np.ndarray, ages: np.ndarray) -> np.ndarray:
    """S(t) for every (α, β) pair (rows) and age (columns)."""
    a, b = np.asarray(alpha)[:, None], np.asarray(beta)[:, None]
    return np.exp(betaln(a, b + ages[None, :]) - betaln(a, b))


def _params(fit: SbgFit) -> tuple[np.ndarray, np.ndarray]:
    """Point estimate first, then the bootstrap replicates."""
    alphas = np.concatenate([[fit.alpha], fit.boot[:, 0]])
    betas = np.concatenate([[fit.beta], fit.boot[:, 1]])
    return alphas, betas


def _band(values: np.ndarray) -> tuple[float | None, float | None]:
    if len(values) < 2:
        return None, None
    tail = (1 - BAND_LEVEL) / 2 * 100
    return float(np.percentile(values, tail)), float(np.percentile(values, 100 - tail))


def _horizon_reason(fit: SbgFit, horizon_periods: int) -> str | None:
    if not fit.supported:
        return fit.reason
    if fit.survival(horizon_periods)[-1] > 0.5:
        return "beyond_horizon"
    return None


def project(
    customers: CohortTable,
    revenue: CohortTable | None = None,
    horizon: int = 12,
    settings: LtvSettings = LtvSettings(),
    arpa: float | None = None,
    bootstrap: int = DEFAULT_BOOTSTRAP,
    seed: int = 0,
) -> RetentionForecast:
    """Fit, project and value every cohort of the triangle.

    `horizon`: the last age (in periods) projected.  `arpa`: MRR per paying customer for the
    new-customer LTV (usually the last period's ARPA); a cohort's own current ARPA comes from the
    revenue triangle.
    """
    granularity = customers.granularity
    months = months_per_period(granularity)
    margin = settings.gross_margin / 100.0
    x = 1.0 / (1.0 + settings.period_discount(granularity))
    cap = settings.horizon_periods(granularity)
    data = [CohortData(r.label, _survivors(r.values)) for r in customers.rows]
    pooled = fit_pooled(data, bootstrap=bootstrap, seed=seed)
    revenue_rows = {r.label: r for r in revenue.rows} if revenue is not None else {}

    ages = np.arange(horizon + 1)
    if pooled.converged:
        low, high = pooled.band(horizon, BAND_LEVEL)
        pooled_curve = pd.DataFrame({"age": ages, "survival": pooled.survival(horizon) * 100,
                                     "low": low * 100, "high": high * 100})
    else:
        pooled_curve = pd.DataFrame({"age": ages, "survival": np.nan, "low": np.nan, "high": np.nan})

    fits: dict[str, SbgFit] = {}
    out: list[CohortProjection] = []
    for i, row in enumerate(customers.rows):
        counts = ChurnCounts.from_survivors(data[i].survivors)
        own = fit_sbg(counts)
        if own.supported and bootstrap:
            own = fit_sbg(counts, bootstrap=bootstrap, seed=seed + i + 1)
        fits[row.label] = own
        fit, model = (own, "cohort") if own.supported else (pooled, "pooled")
        m = len(row.values) - 1
        alive = float(row.values[-1])
        size = float(row.values[0])
        proj_ages = np.arange(m, max(horizon, m) + 1)
        if fit.converged:
            alphas, betas = _params(fit)
            curves = _curves(alphas, betas, proj_ages.astype(float))
            share = alive / size * curves / curves[:, :1]  # anchored at the cohort's last observed share
            lo = hi = np.full(len(proj_ages), np.nan)
            if len(share) > 2:
                lo, hi = np.percentile(share[1:], [(1 - BAND_LEVEL) / 2 * 100, (1 + BAND_LEVEL) / 2 * 100], axis=0)
            projected = pd.DataFrame({"age": proj_ages, "survival": share[0] * 100, "low": lo * 100, "high": hi * 100})
        else:
            projected = pd.DataFrame({"age": proj_ages, "survival": np.nan, "low": np.nan, "high": np.nan})
        ltv, residual = _cohort_ltv(row.label, row.values, revenue_rows.get(row.label), fit, months, margin, x, cap)
        d = derl(fit.alpha, fit.beta, m, settings.period_discount(granularity)) if fit.supported else None
        out.append(CohortProjection(
            row.label, int(row.customers), [float(p) for p in row.percent], model,
            float(fit.alpha) if fit.converged else None, float(fit.beta) if fit.converged else None,
            own.reason if not own.supported else None, projected, ltv, residual,
            d if d is not None and np.isfinite(d) else None,
        ))
    new_ltv = _new_customer_ltv(pooled, arpa, months, margin, x, cap)
    return RetentionForecast(granularity, horizon, settings, pooled, pooled_curve, out, new_ltv, arpa, fits)


def _cohort_ltv(label: str, customers: list[float], revenue, fit: SbgFit, months: int, margin: float,
                x: float, cap: int) -> tuple[Ltv, float | None]:
    """Realised + projected margin per customer of a cohort, and its paying customers' residual value."""
    if revenue is None:
        return Ltv(None, reason="no_revenue"), None
    size = float(customers[0])
    realised = float(np.sum(revenue.values)) * months * margin / size
    reason = _horizon_reason(fit, cap)
    m = len(customers) - 1
    alive = float(customers[-1])
    if reason is not None:
        return Ltv(None, realised=realised, reason=reason), None
    arpa_now = float(revenue.values[-1]) / alive if alive > 0 else 0.0
    future = np.arange(m + 1, max(cap, m + 1))  # ages still to come inside the horizon
    alphas, betas = _params(fit)
    if len(future) == 0 or alive == 0:
        values = np.zeros(len(alphas))
    else:
        ages = np.concatenate([[m], future]).astype(float)
        curves = _curves(alphas, betas, ages)
        ratio = curves[:, 1:] / curves[:, :1]
        weights = x ** np.arange(len(future))  # the next period's payment in full, later ones discounted
        values = ratio @ weights * arpa_now * months * margin  # per paying customer
    projected = values * alive / size
    low, high = _band(realised + projected[1:])
    ltv = Ltv(realised + float(projected[0]), low, high, realised, float(projected[0]))
    return ltv, float(values[0] * alive)


def _new_customer_ltv(fit: SbgFit, arpa: float | None, months: int, margin: float, x: float, cap: int) -> Ltv:
    """Margin expected from a customer who starts now: Σ_{t<horizon} S(t) × ARPA × months × margin, discounted."""
    if arpa is None or not np.isfinite(arpa) or arpa <= 0:
        return Ltv(None, reason="no_revenue")
    reason = _horizon_reason(fit, cap)
    if reason is not None:
        return Ltv(None, reason=reason)
    alphas, betas = _params(fit)
    curves = _curves(alphas, betas, np.arange(cap, dtype=float))
    values = curves @ (x ** np.arange(cap)) * arpa * months * margin
    low, high = _band(values[1:])
    return Ltv(float(values[0]), low, high, 0.0, float(values[0]))
