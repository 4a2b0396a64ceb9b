"""Customer lifetime curves: Kaplan–Meier on monthly snapshots (METRICS.md §7).

A customer's lifetime is the run of consecutive active month-end snapshots starting with its
first active one.  When an inactive snapshot inside the window ends the run, the customer
churned (event = 1) after that many months; a customer still active at the last snapshot is
censored: we only know it lived at least that long.  Later comebacks do not extend the first
run: the curve answers "how long does a new customer keep paying before it first leaves".

The estimate itself comes from lifelines' KaplanMeierFitter (tested against R), with its
default 95 % band (exponential Greenwood, R's `conf.type = "log-log"`).  Survival statistics
are easy to get subtly wrong, so nothing here re-implements them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from retention.engine.membership import NO_VALUE, attribute_values, ordered_values
from retention.engine.snapshots import SnapshotModel

ALPHA = 0.05  # 95 % band
HALF = 0.5 + 1e-9
"""S(t) ≤ 0.5 up to float residue: a product such as 5/6 × 4/5 × 3/4 is exactly one half but comes
out as 0.5000000000000001, and the median must not jump to the next churn month over it."""


@dataclass(frozen=True)
class SurvivalCurve:
    """A Kaplan–Meier step curve: S(t) for t in months, with its 95 % band.

    `timeline` starts at 0 (S = 1) and holds every month at which someone churned or was
    censored; the curve is a step function, constant until the next time point.
    `median_lifetime_months` is the first t where S(t) ≤ 0.5, None when the curve never gets there.
    """

    segment: str | None
    timeline: np.ndarray
    survival: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    median_lifetime_months: float | None
    customers: int
    churned: int

    def at(self, months: float | np.ndarray) -> np.ndarray:
        """S(t) read off the step curve at any t ≥ 0 (the value of the last time point ≤ t)."""
        pos = np.searchsorted(self.timeline, np.asarray(months, dtype=float), side="right") - 1
        return self.survival[np.clip(pos, 0, None)]

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame({"months": self.timeline, "survival": self.survival, "lower": self.lower, "upper": self.upper})


def kaplan_meier(durations: np.ndarray, events: np.ndarray, segment: str | None = None) -> SurvivalCurve:
    """Fit lifelines' Kaplan–Meier estimator to durations (months) and events (1 = churned, 0 = censored)."""
    from lifelines import KaplanMeierFitter  # imported on first use: it pulls in SciPy (about a second)

    durations = np.asarray(durations, dtype=float)
    events = np.asarray(events, dtype=bool)
    fitter = KaplanMeierFitter(alpha=ALPHA).fit(durations, event_observed=events, label="km")
    timeline = fitter.survival_function_.index.to_numpy(dtype=float)
    survival = fitter.survival_function_["km"].to_numpy(dtype=float)
    band = fitter.confidence_interval_
    lower = band[f"km_lower_{1 - ALPHA:.2f}"].to_numpy(dtype=float)
    upper = band[f"km_upper_{1 - ALPHA:.2f}"].to_numpy(dtype=float)
    reached = np.flatnonzero(survival <= HALF)
    median = float(timeline[reached[0]]) if len(reached) else None
    return SurvivalCurve(segment, timeline, survival, lower, upper, median, int(len(durations)), int(events.sum()))


def lifetimes(model: SnapshotModel, rows: np.ndarray | None = None) -> pd.DataFrame:
    """Each ever-active customer's first run: customer_id, row, duration (months), event (1/0).

    The window is every monthly snapshot of the model (it ends at the as-of date), so history
    before any chosen window still counts, as everywhere else.  The first run is read off the
    customer's runs of active months (`SnapshotModel.runs`), not off the customers × months matrix:
    the same months, without a matrix-sized pass (or its copies, a gigabyte at 2 million customers).
    """
    runs = model.runs()
    first = np.ones(len(runs.code), dtype=bool)
    first[1:] = runs.code[1:] != runs.code[:-1]  # runs are sorted by customer row, then start
    code, start, end = runs.code[first], runs.start[first], runs.end[first]
    if rows is not None:
        keep = np.asarray(rows, dtype=bool)[code]
        code, start, end = code[keep], start[keep], end[keep]
    return pd.DataFrame(
        {
            "customer_id": model.customer_ids[code].to_numpy(),
            "row": code.astype(np.int64),
            "duration": (end - start).astype(np.int64),
            "event": (end < len(model.months)).astype(np.int64),
        }
    )


def survival_curves(
    model: SnapshotModel,
    customers: pd.DataFrame | None = None,
    by: str | None = None,
    rows: np.ndarray | None = None,
) -> list[SurvivalCurve]:
    """One Kaplan–Meier curve for the customers in `rows`, or one per value of attribute `by`.

    Customers without a value for `by` (missing from the customers table or blank) form the
    segment "(no value)", listed last; segments without any paying customer get no curve.
    """
    life = lifetimes(model, rows)
    if by is not None:
        life["segment"] = attribute_values(model.customer_ids, customers, by)[life["row"].to_numpy()]
    return curves(life, by is not None)


def curves(life: pd.DataFrame, split: bool) -> list[SurvivalCurve]:
    """Kaplan–Meier curves of a lifetimes frame (duration, event[, segment]): one, or one per segment value."""
    if not split:
        return [] if life.empty else [kaplan_meier(life["duration"].to_numpy(), life["event"].to_numpy())]
    values = life["segment"].to_numpy(dtype=object)
    out = []
    for value in ordered_values(values):
        mask = values == value
        out.append(kaplan_meier(life["duration"].to_numpy()[mask], life["event"].to_numpy()[mask], value))
    return out


__all__ = ["NO_VALUE", "SurvivalCurve", "curves", "kaplan_meier", "lifetimes", "survival_curves"]
