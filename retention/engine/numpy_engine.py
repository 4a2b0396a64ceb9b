"""The in-memory engine: NumPy over the snapshot matrix, the reference every other engine must match.

It keeps one `SnapshotModel` (customers × month-end MRR) per as-of date and answers every query
by selecting rows (the segment) and columns (the granularity) of it, so changing period, window or
segment on a loaded data set costs a filter and a few bincounts.  Segment membership comes from
`retention.engine.membership`, as everywhere else.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from retention.engine.base import Engine
from retention.engine.cohorts import Basis, CohortTable, cohort_table
from retention.engine.customers import CustomerHistory, cohort_members, customer_names, history, period_members
from retention.engine.membership import attribute_values, members, ordered_values, segment_choices
from retention.engine.metrics import metrics_for_rows
from retention.engine.query import Query, Segment
from retention.engine.results import MOVEMENTS, DrillDown, Lifetimes, MetricsTable, Movement
from retention.engine.snapshots import MICRO, SnapshotModel, build_model, default_as_of
from retention.engine.survival import lifetimes as first_runs
from retention.periods import label, parse_period


class NumpyEngine(Engine):
    """Answers queries over canonical subscriptions (and customers) held in memory.

    Parameters
    ----------
    subscriptions: the canonical subscriptions table (METRICS.md §1), as the importer makes it.
    customers: the canonical customers table with attribute columns, or None.
    """

    name = "numpy"

    def __init__(self, subscriptions: pd.DataFrame, customers: pd.DataFrame | None = None) -> None:
        self.subscriptions = subscriptions
        self.customers = customers
        self._models: dict[pd.Timestamp, SnapshotModel] = {}
        self._rows: dict[tuple, np.ndarray] = {}
        self._values: dict[tuple, np.ndarray] = {}
        self._as_of: pd.Timestamp | None = None
        self._names: pd.Series | None = None
        self._segments: dict[str, list[str]] | None = None

    @classmethod
    def from_model(cls, model: SnapshotModel, customers: pd.DataFrame | None = None) -> NumpyEngine:
        """An engine over an already built model (its as-of date becomes the default)."""
        engine = cls(pd.DataFrame({"customer_id": [], "start_date": [], "end_date": []}), customers)
        engine._as_of = model.as_of
        engine._models[model.as_of] = model
        return engine

    # -- the model ----------------------------------------------------------------------------
    def default_as_of(self) -> pd.Timestamp:
        if self._as_of is None:
            self._as_of = default_as_of(self.subscriptions)
        return self._as_of

    def model(self, as_of: pd.Timestamp | None = None) -> SnapshotModel:
        """The snapshot model as of a day (default: the data's own as-of), built once per day."""
        key = pd.Timestamp(as_of).normalize() if as_of is not None else self.default_as_of()
        if key not in self._models:
            self._models[key] = build_model(self.subscriptions, key)
        return self._models[key]

    def rows(self, segment: Segment | None, as_of: pd.Timestamp | None = None) -> np.ndarray:
        """Model rows of the customers in `segment` (all True for None), cached per segment and day."""
        model = self.model(as_of)
        key = (segment, model.as_of)
        if key not in self._rows:
            if segment is None:
                self._rows[key] = members(model.customer_ids, self.customers, None)
            else:  # the same rule as `members`, on the attribute's values read once per attribute and day
                self._rows[key] = self._attribute(segment[0], as_of) == str(segment[1]).strip()
        return self._rows[key]

    def _attribute(self, attribute: str, as_of: pd.Timestamp | None = None) -> np.ndarray:
        """Each model row's value of a customer attribute (see `membership.attribute_values`), read once per
        attribute and day: the Segments page asks for every value of an attribute in turn."""
        model = self.model(as_of)
        key = (attribute, model.as_of)
        if key not in self._values:
            values = attribute_values(model.customer_ids, self.customers, attribute)
            values.flags.writeable = False  # shared by every query (and, for the built-in sample, every session)
            self._values[key] = values
        return self._values[key]

    # -- the interface ------------------------------------------------------------------------
    def period_labels(self, query: Query) -> list[str]:
        return [label(p) for p in self.model(query.as_of).periods(query.granularity)]

    def metrics(self, query: Query) -> MetricsTable:
        model = self.model(query.as_of)
        frame = metrics_for_rows(model, query, self.rows(query.segment, query.as_of))
        return MetricsTable.of(frame, query, model.as_of)

    def cohorts(self, query: Query, *, basis: Basis = "customers") -> CohortTable:
        rows = None if query.segment is None else self.rows(query.segment, query.as_of)
        return cohort_table(self.model(query.as_of), query.granularity, basis, query.start, query.end, rows)

    def lifetimes(self, query: Query, *, by: str | None = None) -> Lifetimes:
        model = self.model(query.as_of)
        rows = None if query.segment is None else self.rows(query.segment, query.as_of)
        frame = first_runs(model, rows)
        if by is not None:
            frame["segment"] = self._attribute(by, query.as_of)[frame["row"].to_numpy()]
        return Lifetimes(frame.drop(columns="row"), by)

    def segments(self) -> dict[str, list[str]]:
        from retention.importing import attribute_columns

        if self.customers is None:
            return {}
        if self._segments is None:  # every page's sidebar asks; a 20,000-customer table took 0.2 s each time
            self._segments = segment_choices(self.customers, attribute_columns(self.customers))
        return {column: list(values) for column, values in self._segments.items()}

    def segment_values(self, attribute: str, *, as_of: pd.Timestamp | None = None) -> list[str]:
        return ordered_values(self._attribute(attribute, as_of))

    def segment_customers(self, segment: Segment | None) -> set[str] | None:
        if segment is None:
            return None
        known = pd.Index(self.subscriptions["customer_id"].astype(str).unique())
        if self.customers is not None:
            known = known.union(pd.Index(self.customers["customer_id"].astype(str).unique()))
        return set(known[members(known, self.customers, segment)])

    def movement_customers(self, query: Query, *, period: str, movement: Movement | None = None) -> DrillDown:
        if movement is not None and movement not in MOVEMENTS:
            raise ValueError(f"unknown movement {movement!r}: use one of {', '.join(MOVEMENTS)}")
        model = self.model(query.as_of)
        changes = model.changes(query.granularity).select(self.rows(query.segment, query.as_of))
        wanted = parse_period(period, query.granularity)
        position = np.flatnonzero(changes.periods == wanted)
        columns = ["customer_id", "mrr_before", "mrr_after", "movement"]
        if len(position) == 0:
            return DrillDown(period, self.named(pd.DataFrame(columns=columns)), movement)
        at = changes.col == position[0]
        prev, cur, first = changes.prev[at], changes.cur[at], changes.first[at]
        kinds = np.select(
            [(prev == 0) & (cur > 0) & first, (prev == 0) & (cur > 0), (prev > 0) & (cur == 0), cur > prev, cur < prev],
            ["new", "reactivation", "churned", "expansion", "contraction"],
            default="",
        )
        frame = pd.DataFrame({
            "customer_id": model.customer_ids[changes.row[at]].astype(str),
            "mrr_before": prev / MICRO,
            "mrr_after": cur / MICRO,
            "movement": kinds,
        })
        frame = frame[frame["movement"] != ""]
        if movement is not None:
            frame = frame[frame["movement"] == movement]
        size = (frame["mrr_after"] - frame["mrr_before"]).abs()
        frame = frame.assign(_size=size).sort_values(["_size", "customer_id"], ascending=[False, True], kind="stable")
        return DrillDown(period, self.named(frame.drop(columns="_size").reset_index(drop=True)[columns]), movement)

    def cohort_customers(self, query: Query, *, cohort: str, age: int) -> DrillDown:
        model = self.model(query.as_of)
        periods = model.periods(query.granularity)
        end = query.end if query.end is not None and len(periods) and parse_period(query.end, query.granularity) <= periods[-1] else None
        period, frame = cohort_members(model, query.granularity, cohort, age, self.rows(query.segment, query.as_of), end)
        return DrillDown(period, self.named(frame), cohort=label(parse_period(cohort, query.granularity)), age=int(age))

    def segment_members(self, query: Query, *, segment: Segment | None, period: str | None = None) -> DrillDown:
        model = self.model(query.as_of)
        if period is None:
            labels = self.metrics(query.but(segment=segment))["period"]
            if labels.empty:
                raise ValueError("no complete period in the selected range")
            period = str(labels.iloc[-1])
        frame = period_members(model, query.granularity, period, self.rows(segment, query.as_of))
        return DrillDown(period, self.named(frame), segment=segment)

    def scheduled_subscriptions(self, query: Query) -> pd.DataFrame:
        from retention.forecasts.committed import NOT_RENEWING
        from retention.periods import last_complete_period

        subs = self.subscriptions
        ids = self.segment_customers(query.segment)
        if ids is not None:
            subs = subs[subs["customer_id"].astype(str).isin(ids)]
        day = last_complete_period(self.as_of_for(query), "month").end_time.normalize()
        later = subs["start_date"] > day
        for column in ("end_date", "trial_end"):
            if column in subs:
                later |= subs[column] > day
        keep = subs["customer_id"].isin(subs.loc[later, "customer_id"])
        if "status" in subs:
            keep |= subs["status"].astype(str).str.strip().str.lower().isin(NOT_RENEWING) & subs["end_date"].isna()
        return subs[keep].reset_index(drop=True)

    def customer_names(self) -> pd.Series:
        if self._names is None:
            self._names = customer_names(self.customers)
        return self._names

    def known_customers(self) -> list[str]:
        known = pd.Index(self.subscriptions["customer_id"].astype(str).unique())
        if self.customers is not None:
            known = known.union(pd.Index(self.customers["customer_id"].astype(str).unique()))
        return list(known)

    def customer(self, customer_id: str, *, as_of: pd.Timestamp | None = None) -> CustomerHistory:
        return history(self.model(as_of), self.subscriptions, self.customers, customer_id)
