"""Everything the Forecast page, the CLI and the report show, computed in one call.

Inputs are the engine's own results (the customers and revenue cohort triangles at the chosen
granularity, the monthly metrics table) plus the snapshot model and subscriptions for committed
MRR, so a forecast never recounts customers its own way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from retention.engine.cohorts import CohortTable
from retention.engine.snapshots import SnapshotModel
from retention.forecasts.backtest import Backtest, backtest
from retention.forecasts.committed import Committed, committed_mrr
from retention.forecasts.mrr import Mode, MrrForecast, Scenario, mrr_forecast
from retention.forecasts.projection import DEFAULT_BOOTSTRAP, LtvSettings, RetentionForecast, project


@dataclass(frozen=True)
class SimpleLtv:
    """The usual ARPA × margin ÷ churn figure (METRICS.md §5), kept beside the model's for comparison."""

    period: str | None
    value: float | None
    lifetime_months: float | None
    arpa: float | None


@dataclass(frozen=True)
class ForecastBundle:
    retention: RetentionForecast
    backtest: Backtest
    mrr: MrrForecast
    committed: Committed | None  # None when the subscriptions stay in a database
    simple_ltv: SimpleLtv


def _last(frame: pd.DataFrame, column: str) -> float | None:
    values = frame[column].dropna() if column in frame else pd.Series(dtype=float)
    return float(values.iloc[-1]) if len(values) else None


def simple_ltv(monthly: pd.DataFrame) -> SimpleLtv:
    if not len(monthly):
        return SimpleLtv(None, None, None, None)
    return SimpleLtv(str(monthly["period"].iloc[-1]), _last(monthly.iloc[-1:], "ltv"),
                     _last(monthly.iloc[-1:], "customer_lifetime_months"), _last(monthly, "arpa"))


def forecast_all(
    customers: CohortTable, revenue: CohortTable | None, monthly: pd.DataFrame, model: SnapshotModel | None,
    subscriptions: pd.DataFrame | None = None, *, horizon: int = 12, settings: LtvSettings = LtvSettings(),
    mrr_months: int = 12, window: int = 3, mode: Mode = "linear", scenario: Scenario = Scenario(),
    bootstrap: int = DEFAULT_BOOTSTRAP, seed: int = 0, backtest_cutoff: int | None = None, rows: np.ndarray | None = None,
    last_month: pd.Period | None = None, base_mrr: float | None = None,
) -> ForecastBundle:
    """`monthly`: month-granularity metrics over the whole history (the trailing window is taken from its end).
    `last_month`, `base_mrr`: see `committed_mrr` (a warehouse engine's model holds only scheduled subscriptions)."""
    simple = simple_ltv(monthly)
    retention = project(customers, revenue, horizon, settings, simple.arpa, bootstrap, seed)
    return ForecastBundle(
        retention, backtest(customers, backtest_cutoff), mrr_forecast(monthly, mrr_months, window, mode, scenario),
        committed_mrr(model, subscriptions, mrr_months, rows, last=last_month, base_mrr=base_mrr) if model is not None
        else None, simple,
    )


def _records(frame: pd.DataFrame) -> list[dict[str, object]]:
    return frame.replace({np.nan: None}).to_dict("records") if len(frame) else []


def bundle_json(bundle: ForecastBundle, cohort: str | None = None) -> dict[str, object]:
    """The CLI's JSON: `cohorts` (one object per cohort) and `mrr` (forecast rows), with the rest beside them."""
    r = bundle.retention
    cohorts = [c for c in r.cohorts if cohort is None or c.cohort == cohort]
    pooled = r.pooled
    a = bundle.mrr.assumptions
    bt = bundle.backtest
    return {
        "period": r.granularity,
        "horizon": r.horizon,
        "settings": {"gross_margin": r.settings.gross_margin, "annual_discount": r.settings.annual_discount,
                     "horizon_years": r.settings.horizon_years, "band": "90% parametric bootstrap"},
        "pooled": {
            "alpha": pooled.alpha if pooled.converged else None, "beta": pooled.beta if pooled.converged else None,
            "customers": pooled.size, "churned": pooled.churned, "supported": pooled.supported, "reason": pooled.reason,
            "projected": _records(r.pooled_curve),
        },
        "new_customer_ltv": r.new_customer_ltv.as_dict(),
        "simple_ltv": {"period": bundle.simple_ltv.period, "value": bundle.simple_ltv.value,
                       "lifetime_months": bundle.simple_ltv.lifetime_months, "arpa": bundle.simple_ltv.arpa,
                       "definition": "ARPA x gross margin / mean monthly logo churn of the last 6 months"},
        "cohorts": [c.as_dict() for c in cohorts],
        "backtest": {"cutoff": bt.cutoff, "supported": bt.supported, "reason": bt.reason,
                     "mean_absolute_error": bt.mean_absolute_error, "naive_mean_absolute_error": bt.naive_mean_absolute_error,
                     "bias": bt.bias, "rows": _records(bt.rows)},
        "mrr": _records(bundle.mrr.frame),
        "mrr_assumptions": None if a is None else {
            "mode": a.mode, "window": a.window, "months_used": a.months_used, "start_period": a.start_period,
            "start_mrr": a.start_mrr, "average_monthly": a.averages, "monthly_rates_percent": a.rates,
            "scenario": {"churn_change_points": a.scenario.churn_change_points,
                         "new_change_percent": a.scenario.new_change_percent,
                         "expansion_change_percent": a.scenario.expansion_change_percent,
                         "contraction_change_percent": a.scenario.contraction_change_percent},
            "band": "80% random walk from the last 12 months' net change",
        },
        "committed": _records(bundle.committed.frame) if bundle.committed is not None else None,
        "at_risk": ({"mrr": bundle.committed.at_risk_mrr, "subscriptions": bundle.committed.at_risk_subscriptions}
                    if bundle.committed is not None else None),
    }


def cohorts_long(bundle: ForecastBundle, cohort: str | None = None) -> pd.DataFrame:
    """One line per cohort and age: observed then projected survival (percent), for CSV."""
    parts = []
    for c in bundle.retention.cohorts:
        if cohort is not None and c.cohort != cohort:
            continue
        observed = pd.DataFrame({"age": range(len(c.observed)), "survival": c.observed, "low": np.nan, "high": np.nan})
        observed["kind"] = "observed"
        projected = c.projected.iloc[1:].assign(kind="projected")
        part = pd.concat([observed, projected], ignore_index=True)
        part.insert(0, "cohort", c.cohort)
        part["alpha"], part["beta"], part["model"], part["ltv"] = c.alpha, c.beta, c.model, c.ltv.value
        parts.append(part)
    columns = ["cohort", "age", "kind", "survival", "low", "high", "alpha", "beta", "model", "ltv"]
    return pd.concat(parts, ignore_index=True)[columns] if parts else pd.DataFrame(columns=columns)


def cohort_summary(forecast: RetentionForecast) -> pd.DataFrame:
    """One line per cohort: size, fit used, parameters, LTV with its band, residual value."""
    rows = [{
        "cohort": c.cohort, "size": c.size, "model": c.model, "alpha": c.alpha, "beta": c.beta,
        "ltv": c.ltv.value, "ltv_low": c.ltv.low, "ltv_high": c.ltv.high, "ltv_realised": c.ltv.realised,
        "ltv_reason": c.ltv.reason, "residual_value": c.residual_value,
    } for c in forecast.cohorts]
    return pd.DataFrame(rows, columns=["cohort", "size", "model", "alpha", "beta", "ltv", "ltv_low", "ltv_high",
                                       "ltv_realised", "ltv_reason", "residual_value"])
