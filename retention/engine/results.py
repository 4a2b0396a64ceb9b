"""Typed results every engine returns, so pages, the CLI, reports, forecasts and digests never ask
which engine computed them.

`MetricsTable` and `SegmentTable` are pandas DataFrames (one row per period, one per segment) that
also carry the `Query` that made them and the as-of date it was answered for; slicing keeps both.
A DataFrame subclass, rather than a wrapper, keeps every chart builder and export working on it
unchanged.  `Lifetimes` and `DrillDown` are small frames with their own meaning; `CohortTable`
lives with the cohort code (`retention.engine.cohorts`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd

from retention.engine.query import Query

Movement = Literal["new", "reactivation", "expansion", "contraction", "churned"]
MOVEMENTS: tuple[Movement, ...] = ("new", "reactivation", "expansion", "contraction", "churned")


class _Described(pd.DataFrame):
    """A DataFrame that remembers the query and as-of date that produced it."""

    _metadata = ["query", "as_of"]

    @property
    def _constructor(self):
        return type(self)

    @classmethod
    def of(cls, frame: pd.DataFrame, query: Query, as_of: pd.Timestamp):
        out = cls(frame)
        out.query = query
        out.as_of = pd.Timestamp(as_of)
        return out


class MetricsTable(_Described):
    """One row per complete period of the query's window: `period` + every name of `METRIC_NAMES`.

    Rates are percentages, money is in the reporting currency, undefined values are NaN (null).
    """


class SegmentTable(_Described):
    """One row per value of an attribute with the window's headline metrics (see `Engine.compare_segments`)."""


@dataclass(frozen=True)
class Lifetimes:
    """Each ever-active customer's first paying run (METRICS.md §7), the input of Kaplan–Meier.

    `frame` columns: customer_id, duration (months), event (1 = churned inside the window, 0 = still
    active: censored), and `segment` (the customer's value of `by`) when asked by an attribute.
    """

    frame: pd.DataFrame
    by: str | None = None


@dataclass(frozen=True)
class DrillDown:
    """The customers behind one number: who moved in a period, who is in a cohort cell or a segment.

    `frame` columns: customer_id, customer_name ("" when the data names nobody), mrr_before (at the
    previous snapshot; for a cohort cell, at the cohort's first snapshot), mrr_after (at the period's
    snapshot), movement (one of MOVEMENTS, or "" for none) and, for cohort and segment lists, paying
    (at `period`'s snapshot).  `cohort`/`age` or `segment` say which cell or bar the list belongs to.
    """

    period: str
    frame: pd.DataFrame
    movement: Movement | None = None
    cohort: str | None = None
    age: int | None = None
    segment: tuple[str, str] | None = None
