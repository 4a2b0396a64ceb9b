"""The engine interface: what every engine answers, and the parts all engines share.

Modelled on lifelines' fitters and Ibis' backends: one base class, many implementations, one test
suite (`tests/contract/`) run against each.  An engine turns canonical tables (METRICS.md §1),
wherever they live, into the per-period results of METRICS.md §2–§7.  Implementations:

- `retention.engine.numpy_engine.NumpyEngine`: in memory, the reference every other engine is
  tested against.

Engines return codes and numbers, never translated text: words are chosen where results are shown
(pages, CLI, reports).  Subclasses implement the abstract methods; `survival` and
`compare_segments` are computed here from them, so every engine gets them for free and they agree
by construction.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

import numpy as np
import pandas as pd

from retention.engine.cohorts import Basis, CohortTable
from retention.engine.query import Query, Segment
from retention.engine.results import DrillDown, Lifetimes, MetricsTable, Movement, SegmentTable

SMALL_SEGMENT = 30
"""Fewer customers than this at the start of the last period make a segment `small`: one churned
customer then moves its logo churn by more than 3 points."""

LAST_PERIOD = [
    "customers_start", "customers_end", "crr", "logo_churn_rate", "nrr", "grr", "mrr_end", "arpa",
    "quick_ratio", "customer_lifetime_months", "ltv",
]
WINDOW_AVERAGES = ["crr_avg", "logo_churn_rate_avg", "nrr_avg", "grr_avg"]
SEGMENT_COLUMNS = ["segment", "period", "periods", *LAST_PERIOD, "mrr_share", *WINDOW_AVERAGES, "small"]


class Engine(ABC):
    """Answers `Query`s over one data set's canonical tables."""

    name: ClassVar[str]

    # -- what an engine implements -------------------------------------------------------------
    @abstractmethod
    def default_as_of(self) -> pd.Timestamp:
        """The latest start or end date in the subscriptions, never after today."""

    @abstractmethod
    def period_labels(self, query: Query) -> list[str]:
        """Labels of every complete period of the query's granularity up to its as-of date."""

    @abstractmethod
    def metrics(self, query: Query) -> MetricsTable:
        """One row per complete period of the window with every metric of METRICS.md §3–§5."""

    @abstractmethod
    def cohorts(self, query: Query, *, basis: Basis = "customers") -> CohortTable:
        """The cohort triangle of METRICS.md §6 for the query's granularity, window and segment."""

    @abstractmethod
    def lifetimes(self, query: Query, *, by: str | None = None) -> Lifetimes:
        """Per-customer first-run durations and churn events on monthly snapshots (METRICS.md §7)."""

    @abstractmethod
    def segments(self) -> dict[str, list[str]]:
        """Attribute -> its values, for segment pickers (columns with few distinct values only)."""

    @abstractmethod
    def segment_values(self, attribute: str, *, as_of: pd.Timestamp | None = None) -> list[str]:
        """Every value of `attribute` among paying customers, sorted, "(no value)" last when some lack one."""

    @abstractmethod
    def segment_customers(self, segment: Segment | None) -> set[str] | None:
        """Ids of the customers in `segment` (None = everyone), to filter events and surveys."""

    @abstractmethod
    def movement_customers(self, query: Query, *, period: str, movement: Movement | None = None) -> DrillDown:
        """The customers whose MRR moved in `period` (of the query's granularity), with MRR before and after."""

    @abstractmethod
    def cohort_customers(self, query: Query, *, cohort: str, age: int) -> DrillDown:
        """Cohort `cohort`'s customers (METRICS.md §6) at age `age`, paying then or not, with MRR.

        The paying rows are the heatmap cell (K, k); `mrr_before` is their MRR at age 0.  A cell after
        the window's end (or the data's) is a ValueError saying so.
        """

    @abstractmethod
    def segment_members(self, query: Query, *, segment: Segment | None, period: str | None = None) -> DrillDown:
        """Customers of `segment` (None: everyone) paying at `period`'s snapshot (default: the window's
        last period) or at the one before, with MRR before and after and their movement ("" for
        unchanged).  The `paying` rows are the segment's customers at the end of `period`."""

    @abstractmethod
    def customer_names(self) -> pd.Series:
        """Customer id -> name or company from the customers file ("" for none; empty when no file names them)."""

    @abstractmethod
    def customer(self, customer_id: str, *, as_of: pd.Timestamp | None = None):
        """One customer's story (`retention.engine.customers.CustomerHistory`): spans, MRR per month,
        movements, attributes.  ValueError when no file knows the id."""

    @abstractmethod
    def scheduled_subscriptions(self, query: Query) -> pd.DataFrame:
        """The canonical subscription rows committed MRR reads (`retention.forecasts.committed`): every row
        of the customers (of the query's segment) with a start, end or trial end after the last complete
        month of the as-of date, plus open-ended rows whose status says they will not renew.  A few rows
        per scheduled change, so a warehouse engine sends only these."""

    # -- shared by every engine ----------------------------------------------------------------
    def named(self, frame: pd.DataFrame) -> pd.DataFrame:
        """`frame` with a `customer_name` column right after `customer_id` ("" where there is no name)."""
        names = self.customer_names()
        ids = frame["customer_id"].astype(str)
        column = ids.map(names).fillna("").astype(object) if len(names) else pd.Series("", index=frame.index, dtype=object)
        out = frame.drop(columns="customer_name", errors="ignore")
        out.insert(list(out.columns).index("customer_id") + 1, "customer_name", column.to_numpy(dtype=object))
        return out

    def find_customers(self, text: str, *, limit: int = 50) -> pd.DataFrame:
        """Customers whose id or name contains `text` (case-insensitive): customer_id, customer_name.

        Exact id matches come first, then ids and names that start with the text, then the rest.
        """
        ids = pd.Index(self.known_customers(), dtype=object)
        names = self.customer_names()
        frame = pd.DataFrame({"customer_id": ids.astype(str)})
        frame["customer_name"] = frame["customer_id"].map(names).fillna("") if len(names) else ""
        needle = str(text).strip().casefold()
        if not needle:
            return frame.sort_values("customer_id").head(limit).reset_index(drop=True)
        low_id, low_name = frame["customer_id"].str.casefold(), frame["customer_name"].astype(str).str.casefold()
        hit = low_id.str.contains(needle, regex=False) | low_name.str.contains(needle, regex=False)
        rank = np.where(low_id == needle, 0, np.where(low_id.str.startswith(needle) | low_name.str.startswith(needle), 1, 2))
        found = frame.assign(_rank=rank)[hit].sort_values(["_rank", "customer_name", "customer_id"], kind="stable")
        return found.drop(columns="_rank").head(limit).reset_index(drop=True)

    @abstractmethod
    def known_customers(self) -> list[str]:
        """Every customer id in the subscriptions or customers file."""

    def history(self, query: Query) -> MetricsTable:
        """Every complete period (the window removed): what trend charts and KPI deltas read."""
        return self.metrics(query.history())

    def survival(self, query: Query, *, by: str | None = None) -> list:
        """Kaplan–Meier curves (lifelines) from `lifetimes`: one, or one per value of `by`."""
        from retention.engine.survival import curves  # lifelines is imported only when a curve is asked for

        return curves(self.lifetimes(query, by=by).frame, by is not None)

    def compare_segments(self, query: Query, attribute: str, *, small: int = SMALL_SEGMENT) -> SegmentTable:
        """One row per value of `attribute` with the window's headline metrics.

        Each segment's numbers are this engine's `metrics` with that segment picked, so a segment's
        NRR here equals the NRR the Overview shows with that segment chosen.  Customers without a
        value are the segment "(no value)", so segments add up to the whole.  Two kinds of columns:
        the last period of the window (what a KPI card shows), and `*_avg`, the window's pooled rate
        (Σ numerators / Σ denominators), far steadier than one period for small segments.  A segment
        is `small` when fewer than `small` customers were active at the start of its last
        period.  `query.segment` is ignored.  Rows: largest MRR at the end first, "(no value)" last.
        """
        from retention.engine.membership import NO_VALUE

        records = []
        for value in self.segment_values(attribute, as_of=query.as_of):
            table = self.metrics(query.but(segment=(attribute, value)))
            if table.empty:
                continue
            records.append(_segment_record(value, table, small))
        frame = pd.DataFrame.from_records(records, columns=[c for c in SEGMENT_COLUMNS if c != "mrr_share"])
        total = frame["mrr_end"].sum()
        frame.insert(SEGMENT_COLUMNS.index("mrr_share"), "mrr_share", frame["mrr_end"] / total * 100.0 if total else np.nan)
        for column in ("customers_start", "customers_end"):
            frame[column] = frame[column].astype(np.int64)
        frame["small"] = frame["small"].astype(bool)
        order = frame.assign(_none=frame["segment"] == NO_VALUE).sort_values(
            ["_none", "mrr_end", "segment"], ascending=[True, False, True], kind="stable"
        )
        result = order.drop(columns="_none").reset_index(drop=True)[SEGMENT_COLUMNS]
        return SegmentTable.of(result, query.but(segment=None), self.as_of_for(query))

    def as_of_for(self, query: Query) -> pd.Timestamp:
        """The as-of date a query is answered for: its own, or the data's default."""
        return query.as_of if query.as_of is not None else self.default_as_of()


def _pooled(num: float, den: float) -> float:
    return float(num) / float(den) * 100.0 if den else float("nan")


def _segment_record(value: str, table: pd.DataFrame, small: int) -> dict[str, object]:
    """A segment's row: its last period's headline numbers and its window's pooled rates."""
    last = table.iloc[-1]
    s = table["customers_start"].sum()
    mrr_start = table["mrr_start"].sum()
    lost = (table["mrr_contraction"] + table["mrr_churned"]).sum()
    record: dict[str, object] = {"segment": value, "period": last["period"], "periods": len(table)}
    record.update({column: last[column] for column in LAST_PERIOD})
    record.update(
        crr_avg=_pooled((table["customers_end"] - table["customers_new"]).sum(), s),
        logo_churn_rate_avg=_pooled(table["customers_churned"].sum(), s),
        nrr_avg=_pooled(mrr_start + table["mrr_expansion"].sum() - lost, mrr_start),
        grr_avg=_pooled(mrr_start - lost, mrr_start),
        small=bool(last["customers_start"] < small),
    )
    return record
