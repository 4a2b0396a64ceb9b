"""Cohort retention triangles (METRICS.md §6) and the average retention curve across cohorts.

A customer's cohort is the period of its first active snapshot at the chosen granularity, so a
cohort's size equals that period's `customers_new` in the metrics table: the triangle and the
metrics never disagree about who is new when.  The whole history decides the cohort; the window
only picks which cohorts are rows and where the triangle stops, so a customer who started
before the window is never a member of a cohort inside it.

Cells are read straight off the snapshot matrix: cell (K, k) counts (or sums the MRR of) K's
customers that are active at snapshot K+k, whatever happened in between, so a customer who
churns and comes back is counted again from the period they return.  Cells after the window's
end do not exist and are left out, never filled with 0: a 0 would read as "everyone left".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from retention.engine.metrics import window_slice
from retention.engine.snapshots import MICRO, SnapshotModel
from retention.periods import Granularity, check_granularity, label

Basis = Literal["customers", "revenue"]
BASES: tuple[Basis, ...] = ("customers", "revenue")


@dataclass(frozen=True)
class CohortRow:
    """One cohort: its period, its size and its ragged row of cells by age (0, 1, 2 …).

    `size` is the age-0 cell (customers, or MRR in currency units on the revenue basis);
    `customers` is always the number of customers in the cohort, for labels such as "n=35".
    """

    label: str
    period: pd.Period
    size: float
    customers: int
    values: list[float]
    percent: list[float]


@dataclass(frozen=True)
class CohortTable:
    """The triangle for one granularity and basis; rows are cohorts in time order."""

    granularity: Granularity
    basis: Basis
    rows: list[CohortRow]

    @property
    def max_age(self) -> int:
        return max((len(r.values) for r in self.rows), default=0) - 1

    def wide(self, kind: Literal["values", "percent"] = "percent") -> pd.DataFrame:
        """Cohorts × ages (columns 0, 1, …) with NaN where a cell does not exist yet."""
        ages = list(range(self.max_age + 1))
        data = np.full((len(self.rows), len(ages)), np.nan)
        for i, row in enumerate(self.rows):
            cells = row.values if kind == "values" else row.percent
            data[i, : len(cells)] = cells
        frame = pd.DataFrame(data, columns=ages)
        frame.insert(0, "size", [r.size for r in self.rows])
        frame.insert(0, "cohort", [r.label for r in self.rows])
        return frame

    def long(self) -> pd.DataFrame:
        """One line per existing cell: cohort, size, customers, age, value, percent (tidy, for CSV)."""
        lengths = np.array([len(r.values) for r in self.rows], dtype=np.int64)
        return pd.DataFrame(
            {
                "cohort": np.repeat([r.label for r in self.rows], lengths),
                "size": np.repeat([r.size for r in self.rows], lengths),
                "customers": np.repeat([r.customers for r in self.rows], lengths).astype(np.int64),
                "age": np.concatenate([np.arange(n) for n in lengths]) if len(lengths) else np.zeros(0, np.int64),
                "value": [v for r in self.rows for v in r.values],
                "percent": [p for r in self.rows for p in r.percent],
            }
        )


def check_basis(basis: str) -> Basis:
    if basis not in BASES:
        raise ValueError(f"unknown cohort basis {basis!r}: use customers or revenue")
    return basis  # type: ignore[return-value]


def cohort_table(
    model: SnapshotModel,
    granularity: Granularity = "month",
    basis: Basis = "customers",
    start: str | None = None,
    end: str | None = None,
    rows: np.ndarray | None = None,
) -> CohortTable:
    """The retention triangle of the customers in `rows` (all when None) for the window [start, end].

    Only complete periods exist (the snapshot matrix stops at the as-of date), and periods in
    which no customer started are not rows: they have no age-0 cell to take a percentage of.
    """
    granularity = check_granularity(granularity)
    basis = check_basis(basis)
    periods = model.periods(granularity)
    t = len(periods)
    window = window_slice(periods, granularity, start, end)
    lo, hi = window.start, window.stop
    if t == 0 or hi <= lo:
        return CohortTable(granularity, basis, [])

    # Read off each customer's runs of active snapshots, not the customers × periods matrix: a run
    # [s, e) of a customer of cohort K adds 1 to ages s-K … e-K-1 of row K (a difference array
    # summed along the age), and a paid span adds its MRR to the ages it covers.  Cells whose
    # snapshot is after the window's end (age ≥ hi - K) are never read.
    runs = model.runs(granularity)
    heads = np.ones(len(runs.code), dtype=bool)
    heads[1:] = runs.code[1:] != runs.code[:-1]  # runs are sorted by customer, then start
    cohort = np.full(len(model.customer_ids), -1, dtype=np.int64)
    cohort[runs.code[heads]] = runs.start[heads]  # first active snapshot; -1: never active
    members = (cohort >= lo) & (cohort < hi)
    if rows is not None:
        members &= np.asarray(rows, dtype=bool)
    counts = _triangle(t, cohort, members, runs.code, runs.start, runs.end, None)
    if basis == "revenue":
        spans = model.period_positions(granularity)
        # int64 micro-units summed exactly, then currency units; rounding keeps cents clean.
        cells = np.round(_triangle(t, cohort, members, spans.code, spans.start, spans.end, spans.micro) / MICRO, 6)
    else:
        cells = counts.astype(np.float64)

    out: list[CohortRow] = []
    for c in range(lo, hi):  # one iteration per cohort period, not per customer
        size = cells[c, 0]
        if counts[c, 0] == 0:
            continue
        row = cells[c, : hi - c]
        values = [int(v) for v in row] if basis == "customers" else [float(v) for v in row]
        percent = [float(p) for p in row / size * 100.0]
        out.append(CohortRow(label(periods[c]), periods[c], int(size) if basis == "customers" else float(size),
                             int(counts[c, 0]), values, percent))
    return CohortTable(granularity, basis, out)


def _triangle(t: int, cohort: np.ndarray, members: np.ndarray, code: np.ndarray, start: np.ndarray, end: np.ndarray,
              weight: np.ndarray | None) -> np.ndarray:
    """t × t cells (cohort, age): each interval [start, end) of a member customer adds `weight` (1 when
    None) to the ages it covers in its customer's cohort row."""
    keep = members[code]
    k, s, e = cohort[code[keep]], start[keep], end[keep]
    size = (t + 1) * (t + 1)  # row K, column age; column t: past the grid
    enter, leave = k * (t + 1) + (s - k), k * (t + 1) + (e - k)
    if weight is None:
        diff = np.bincount(enter, minlength=size) - np.bincount(leave, minlength=size)
    else:
        w = weight[keep]
        if float(np.abs(w).sum(dtype=np.float64)) < 2.0**52:  # float sums of integers are exact below 2**53
            diff = np.rint(np.bincount(enter, w.astype(np.float64), size) - np.bincount(leave, w.astype(np.float64), size))
            diff = diff.astype(np.int64)
        else:
            diff = np.zeros(size, dtype=np.int64)
            np.add.at(diff, np.concatenate([enter, leave]), np.concatenate([w, -w]))
    return np.cumsum(diff.astype(np.int64).reshape(t + 1, t + 1), axis=1)[:t, :t]


def average_retention_curve(table: CohortTable) -> pd.DataFrame:
    """Mean retention by age across the cohorts that have reached that age, weighted by cohort size.

    Weighting by size (customers, or age-0 MRR on the revenue basis) makes the curve the pooled
    rate: Σ cells at age k / Σ sizes of the cohorts that have an age-k cell × 100.  An unweighted
    mean would let a cohort of three customers swing the curve as much as one of three hundred.
    Older ages rest on fewer, older cohorts; `cohorts` says how many, so a chart can show it.

    Columns: age, percent, cohorts (how many cohorts have this age), size (their summed sizes).
    """
    max_age = table.max_age
    if max_age < 0:
        return pd.DataFrame({"age": pd.Series(dtype=np.int64), "percent": pd.Series(dtype=float),
                             "cohorts": pd.Series(dtype=np.int64), "size": pd.Series(dtype=float)})
    wide_values = table.wide("values")
    sizes = wide_values["size"].to_numpy(dtype=float)
    cells = wide_values[list(range(max_age + 1))].to_numpy(dtype=float)
    present = ~np.isnan(cells)
    weight = np.where(present, sizes[:, None], 0.0).sum(axis=0)
    retained = np.nansum(cells, axis=0)
    return pd.DataFrame(
        {
            "age": np.arange(max_age + 1, dtype=np.int64),
            "percent": retained / weight * 100.0,
            "cohorts": present.sum(axis=0).astype(np.int64),
            "size": weight,
        }
    )
