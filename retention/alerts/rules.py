"""Alert rules and their evaluation on a metrics table (numbers and codes only)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from retention.engine.metrics import METRIC_NAMES

KINDS = ("threshold", "change", "anomaly")
DIRECTIONS = ("above", "below", "up", "down", "outside")
ANOMALY_K = 3.0
TRAILING = 12
MIN_TRAILING = 6


@dataclass(frozen=True)
class Rule:
    """`metric` on `granularity` periods; `kind` threshold (direction above/below, `value` the limit),
    change (direction up/down, `value` in points for rates, units otherwise) or anomaly (direction outside)."""

    metric: str
    kind: str
    direction: str
    value: float = 0.0
    granularity: str = "month"
    segment: tuple[str, str] | None = None
    id: int = 0

    def __post_init__(self) -> None:
        if self.metric not in METRIC_NAMES:
            raise ValueError(f"unknown metric {self.metric!r}: use one of {', '.join(METRIC_NAMES)}")
        if self.kind not in KINDS:
            raise ValueError(f"unknown rule kind {self.kind!r}: use threshold, change or anomaly")
        allowed = {"threshold": ("above", "below"), "change": ("up", "down"), "anomaly": ("outside",)}[self.kind]
        if self.direction not in allowed:
            raise ValueError(f"a {self.kind} rule goes {' or '.join(allowed)}, not {self.direction!r}")
        if not math.isfinite(self.value) or (self.kind == "change" and self.value < 0):
            raise ValueError("the rule's value must be a finite number (a change is a size: 2 means 2 points)")


@dataclass(frozen=True)
class Breach:
    """A rule broken in `period`: the value seen and the bound it crossed (low/high for anomalies)."""

    rule: Rule
    period: str
    value: float
    bound: float
    previous: float | None = None
    low: float | None = None
    high: float | None = None


def robust_band(values: np.ndarray, k: float = ANOMALY_K) -> tuple[float, float] | None:
    """median ± k × 1.4826 × MAD of the values (None with fewer than MIN_TRAILING defined values)."""
    values = values[~np.isnan(values)]
    if len(values) < MIN_TRAILING:
        return None
    median = float(np.median(values))
    mad = 1.4826 * float(np.median(np.abs(values - median)))
    return median - k * mad, median + k * mad


def evaluate(rule: Rule, table: pd.DataFrame) -> Breach | None:
    """The breach of `rule` in the table's last period, or None (also when the value is undefined)."""
    if table.empty:
        return None
    values = table[rule.metric].to_numpy(dtype=float)
    period, value = str(table["period"].iloc[-1]), float(values[-1])
    if math.isnan(value):
        return None
    if rule.kind == "threshold":
        broken = value > rule.value if rule.direction == "above" else value < rule.value
        return Breach(rule, period, value, rule.value) if broken else None
    if rule.kind == "change":
        if len(values) < 2 or math.isnan(values[-2]):
            return None
        delta = value - float(values[-2])
        broken = delta > rule.value if rule.direction == "up" else delta < -rule.value
        return Breach(rule, period, value, rule.value, previous=float(values[-2])) if broken else None
    band = robust_band(values[-TRAILING - 1:-1])
    if band is None:
        return None
    low, high = band
    if low <= value <= high:
        return None
    return Breach(rule, period, value, high if value > high else low, low=low, high=high)
