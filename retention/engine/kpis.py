"""The headline cards: one metric's value in the selected period and its change since the one before."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from retention.glossary import METRICS


@dataclass(frozen=True)
class Kpi:
    name: str
    period: str
    value: float | None
    previous: float | None

    @property
    def delta(self) -> float | None:
        """Change against the previous period: points for rates, units otherwise; None if either is undefined."""
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    @property
    def higher_is_better(self) -> bool | None:
        return METRICS[self.name].higher_is_better


def _value(x: object) -> float | None:
    if x is None:
        return None
    x = float(x)
    return None if math.isnan(x) else x


def kpi_summary(history: pd.DataFrame, period: str, names: list[str]) -> list[Kpi]:
    """KPIs for `period` from a metrics table that also holds the period before it (if any)."""
    periods = list(history["period"])
    if period not in periods:
        return [Kpi(n, period, None, None) for n in names]
    i = periods.index(period)
    row = history.iloc[i]
    prev = history.iloc[i - 1] if i > 0 else None
    return [Kpi(n, period, _value(row[n]), _value(prev[n]) if prev is not None else None) for n in names]
