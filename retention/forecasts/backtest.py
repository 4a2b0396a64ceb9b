"""Backtest: would the model have predicted what happened?

Every cohort is cut at age k (as if the data ended k periods after each cohort started), the
pooled sBG is fitted to those first k periods only, and each cohort observed beyond k is projected
from its age-k share: predicted(t) = share(k) × S(t) / S(k).  The prediction is compared with
the cohort's real share at every later age.  Errors are in percentage points of the cohort's
starting customers; the same error of the naive guess "nobody else leaves" (share stays at its
age-k value) is given next to it, so a founder can see what the model adds on their own data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from retention.engine.cohorts import CohortTable
from retention.forecasts.sbg import CohortData, SbgFit, fit_pooled, survival


@dataclass(frozen=True)
class Backtest:
    """Cut-off age, the fit on data up to it, and one row per (cohort, later age)."""

    cutoff: int
    fit: SbgFit
    rows: pd.DataFrame  # cohort, size, age, actual, predicted, error, naive_error (percent / points)

    @property
    def supported(self) -> bool:
        return self.fit.supported and len(self.rows) > 0

    @property
    def reason(self) -> str | None:
        if not self.fit.supported:
            return self.fit.reason
        return None if len(self.rows) else "too_young"

    def _weighted(self, column: str) -> float | None:
        if not len(self.rows):
            return None
        weights = self.rows["size"].to_numpy(dtype=float)
        return float(np.average(np.abs(self.rows[column].to_numpy(dtype=float)), weights=weights))

    @property
    def mean_absolute_error(self) -> float | None:
        """Mean absolute error in points, each cohort weighted by its size."""
        return self._weighted("error")

    @property
    def naive_mean_absolute_error(self) -> float | None:
        return self._weighted("naive_error")

    @property
    def bias(self) -> float | None:
        """Mean signed error (predicted − actual) in points: above 0, the model was too optimistic."""
        if not len(self.rows):
            return None
        return float(np.average(self.rows["error"], weights=self.rows["size"].astype(float)))

    def by_age(self) -> pd.DataFrame:
        """Size-weighted actual and predicted share by age after the cut-off, for a chart."""
        if not len(self.rows):
            return pd.DataFrame(columns=["age", "actual", "predicted", "cohorts"])
        frame = self.rows.assign(wa=self.rows["actual"] * self.rows["size"], wp=self.rows["predicted"] * self.rows["size"])
        grouped = frame.groupby("age", as_index=False).agg(wa=("wa", "sum"), wp=("wp", "sum"), size=("size", "sum"),
                                                             cohorts=("cohort", "count"))
        return pd.DataFrame({"age": grouped["age"], "actual": grouped["wa"] / grouped["size"],
                             "predicted": grouped["wp"] / grouped["size"], "cohorts": grouped["cohorts"]})


def default_cutoff(table: CohortTable) -> int:
    """Half the oldest cohort's age (at least 2), so older cohorts have as much to predict as to learn from."""
    return max(2, table.max_age // 2)


def backtest(table: CohortTable, cutoff: int | None = None) -> Backtest:
    """Fit on every cohort's first `cutoff` periods, predict the rest, report the errors."""
    k = default_cutoff(table) if cutoff is None else int(cutoff)
    data = [CohortData(r.label, np.asarray(r.values[: k + 1], dtype=float)) for r in table.rows]
    fit = fit_pooled(data)
    records: list[dict[str, object]] = []
    if fit.converged:
        for row in table.rows:
            if len(row.values) <= k + 1 or row.values[0] == 0:
                continue
            size = float(row.values[0])
            ages = np.arange(k, len(row.values))
            s = survival(fit.alpha, fit.beta, ages.astype(float))
            base = float(row.values[k]) / size
            predicted = base * s[1:] / s[0] * 100
            actual = np.asarray(row.values[k + 1:], dtype=float) / size * 100
            for age, a, p in zip(ages[1:], actual, predicted, strict=True):
                records.append({"cohort": row.label, "size": size, "age": int(age), "actual": float(a),
                                "predicted": float(p), "error": float(p - a), "naive_error": float(base * 100 - a)})
    rows = pd.DataFrame(records, columns=["cohort", "size", "age", "actual", "predicted", "error", "naive_error"])
    return Backtest(k, fit, rows)
