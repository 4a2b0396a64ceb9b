"""How far to trust the simple LTV (ARPA × margin ÷ churn) shown on the dashboard.

METRICS.md §5 fixes the formula, so its value is never changed here; what this module adds is
what a founder needs to read it: how many customers the churn rate behind it rests on, and when
that is too few (or the implied lifetime runs past ten years) to quote the number to anyone.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from retention.forecasts.projection import HORIZON_YEARS
from retention.forecasts.sbg import MIN_CHURN_EVENTS

LIFETIME_MONTHS = 6  # METRICS.md §5: the mean monthly churn of the last six months


@dataclass(frozen=True)
class SimpleLtvSupport:
    """The simple LTV of a period with the churns it rests on, and a reason code when it should not be trusted."""

    period: str | None
    months: list[str]
    churned: int
    lifetime_months: float | None
    ltv: float | None
    reason: str | None  # "too_few_churns", "long_lifetime", or None when it can be quoted

    @property
    def trusted(self) -> bool:
        return self.reason is None and self.ltv is not None


def simple_ltv_support(monthly: pd.DataFrame, period: str | None = None) -> SimpleLtvSupport:
    """`monthly`: month metrics over the history; `period`: the label shown (any granularity), default the last month."""
    if monthly.empty:
        return SimpleLtvSupport(period, [], 0, None, None, None)
    labels = [str(p) for p in monthly["period"]]
    end = len(labels) - 1
    if period is not None:
        month = pd.Period(period.replace("-Q", "Q")).asfreq("M", how="end")  # 2024-03, 2024-Q1 or 2024
        label = f"{month.year:04d}-{month.month:02d}"
        end = labels.index(label) if label in labels else end
    window = monthly.iloc[max(0, end - LIFETIME_MONTHS + 1): end + 1]
    churned = int(window["customers_churned"].sum())
    row = monthly.iloc[end]
    lifetime = float(row["customer_lifetime_months"]) if pd.notna(row["customer_lifetime_months"]) else None
    ltv = float(row["ltv"]) if pd.notna(row["ltv"]) else None
    reason = None
    if ltv is not None and churned < MIN_CHURN_EVENTS:
        reason = "too_few_churns"
    elif lifetime is not None and lifetime > HORIZON_YEARS * 12:
        reason = "long_lifetime"
    return SimpleLtvSupport(period or labels[end], [str(p) for p in window["period"]], churned, lifetime, ltv, reason)
