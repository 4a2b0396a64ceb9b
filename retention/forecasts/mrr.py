"""MRR forecast from the trailing averages of the five MRR movements, with scenarios.

Every month ahead starts from the month before's MRR and adds what the last `window` complete
months did on average (METRICS.md §4 movements):

- **linear**: each movement is its average amount per month: the same new, expansion,
  reactivation, contraction and churned MRR every month.
- **compounding**: new and reactivation MRR stay amounts (they do not come from the customer
  base), while expansion, contraction and churn become rates of the MRR at the start of each
  month (their sums over the window ÷ the window's summed starting MRR), so they grow or shrink
  with the base.

Scenarios change the assumptions, never the history: `churn_change_points` moves the monthly MRR
churn rate by that many points (−1 = one point less of MRR lost to churn each month; in linear
mode applied to the last month's MRR), and the `*_change_percent` settings scale new, expansion
or contraction MRR.  The band is a rough 80 % range from how much the monthly net change varied
over the last 12 months (a random walk: ± 1.28 σ √h); it says how noisy the history is, not
what could change in the business.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

Mode = Literal["linear", "compounding"]
MODES: tuple[Mode, ...] = ("linear", "compounding")
MOVEMENTS = ["mrr_new", "mrr_expansion", "mrr_reactivation", "mrr_contraction", "mrr_churned"]
BAND_Z = 1.2816  # two-sided 80 %
BAND_HISTORY = 12
MIN_MONTHS, MAX_MONTHS = 1, 36


@dataclass(frozen=True)
class Scenario:
    """What-if changes to the trailing averages."""

    churn_change_points: float = 0.0
    new_change_percent: float = 0.0
    expansion_change_percent: float = 0.0
    contraction_change_percent: float = 0.0

    @property
    def is_baseline(self) -> bool:
        return self == Scenario()


@dataclass(frozen=True)
class MrrAssumptions:
    """Everything the forecast assumed, to print under the chart."""

    mode: Mode
    window: int
    months_used: list[str]
    start_period: str
    start_mrr: float
    averages: dict[str, float]  # average monthly amount of each movement over the window
    rates: dict[str, float]  # expansion, contraction, churn as % of starting MRR per month
    scenario: Scenario
    net_change_sd: float | None


@dataclass(frozen=True)
class MrrForecast:
    frame: pd.DataFrame  # period, mrr_start, movements…, mrr_end, low, high
    assumptions: MrrAssumptions | None
    reason: str | None = None
    history: pd.DataFrame = field(default_factory=pd.DataFrame)


def mrr_forecast(
    monthly: pd.DataFrame, months: int = 12, window: int = 3, mode: Mode = "linear", scenario: Scenario = Scenario()
) -> MrrForecast:
    """`monthly`: the month-granularity metrics table (complete months, oldest first)."""
    if mode not in MODES:
        raise ValueError(f"unknown forecast mode {mode!r}: use linear or compounding")
    months = int(min(max(months, MIN_MONTHS), MAX_MONTHS))
    history = monthly[["period", "mrr_start", *MOVEMENTS, "mrr_end"]].reset_index(drop=True)
    if len(history) == 0 or not np.isfinite(history["mrr_end"].iloc[-1]):
        return MrrForecast(pd.DataFrame(), None, "no_history", history)
    window = int(max(1, min(window, len(history))))
    recent = history.iloc[-window:]
    averages = {m: float(recent[m].mean()) for m in MOVEMENTS}
    base = float(recent["mrr_start"].sum())
    rates = {m: (float(recent[m].sum()) / base * 100 if base > 0 else 0.0)
             for m in ("mrr_expansion", "mrr_contraction", "mrr_churned")}
    net = (history["mrr_end"] - history["mrr_start"]).iloc[-BAND_HISTORY:]
    sd = float(net.std(ddof=1)) if len(net) >= 3 else None

    s = scenario
    new = averages["mrr_new"] * (1 + s.new_change_percent / 100)
    react = averages["mrr_reactivation"]
    last = pd.Period(str(history["period"].iloc[-1]), freq="M")
    mrr = float(history["mrr_end"].iloc[-1])
    start_mrr = mrr
    rows = []
    for h in range(1, months + 1):
        if mode == "linear":
            expansion = averages["mrr_expansion"] * (1 + s.expansion_change_percent / 100)
            contraction = averages["mrr_contraction"] * (1 + s.contraction_change_percent / 100)
            churned = averages["mrr_churned"] + s.churn_change_points / 100 * start_mrr
        else:
            expansion = rates["mrr_expansion"] / 100 * mrr * (1 + s.expansion_change_percent / 100)
            contraction = rates["mrr_contraction"] / 100 * mrr * (1 + s.contraction_change_percent / 100)
            churned = (rates["mrr_churned"] + s.churn_change_points) / 100 * mrr
        churned = max(churned, 0.0)
        lost = min(contraction + churned, mrr)  # a forecast never loses more MRR than there is
        scale = lost / (contraction + churned) if contraction + churned > 0 else 1.0
        contraction, churned = contraction * scale, churned * scale
        end = mrr + new + react + expansion - contraction - churned
        rows.append({"period": str(last + h), "mrr_start": mrr, "mrr_new": new, "mrr_expansion": expansion,
                     "mrr_reactivation": react, "mrr_contraction": contraction, "mrr_churned": churned, "mrr_end": end})
        mrr = max(end, 0.0)
    frame = pd.DataFrame(rows)
    if sd is not None:
        spread = BAND_Z * sd * np.sqrt(np.arange(1, months + 1))
        frame["low"] = np.maximum(frame["mrr_end"] - spread, 0.0)
        frame["high"] = frame["mrr_end"] + spread
    else:
        frame["low"] = np.nan
        frame["high"] = np.nan
    assumptions = MrrAssumptions(mode, window, [str(p) for p in recent["period"]], str(history["period"].iloc[-1]),
                                 start_mrr, averages, rates, scenario, sd)
    return MrrForecast(frame, assumptions, None, history)
