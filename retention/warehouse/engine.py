"""`IbisEngine`: the metrics computed inside the database (DuckDB, PostgreSQL, Spark, any Ibis backend).

The engine holds two lazy Ibis tables in canonical form (METRICS.md §1: customer_id, start_date,
end_date, mrr[, trial_end]; customers: customer_id + attribute columns) and answers the same
`Query`s as the NumPy reference, built from the steps in `retention.warehouse.steps`.  What comes
back to Python is small: one row per period (metrics, renewals), one per cohort cell, one per
customer only where the result is per customer by definition (lifetimes for Kaplan–Meier, one
period's drill-down).  Segments filter in the backend, by a semi-join on the customers table.

Two facts are read per engine and kept on the instance (never in module globals): the data's
first paid day and its default as-of date.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from retention.engine.base import Engine
from retention.engine.cohorts import Basis, CohortRow, CohortTable, check_basis
from retention.engine.membership import MAX_SEGMENT_VALUES, NO_VALUE
from retention.engine.metrics import METRIC_NAMES, window_slice
from retention.engine.query import Query, Segment
from retention.engine.results import MOVEMENTS, DrillDown, Lifetimes, MetricsTable, Movement
from retention.periods import Granularity, check_granularity, label, parse_period
from retention.warehouse import steps
from retention.warehouse.calendar import calendar_frame, periods

MONEY = ["mrr_start", "mrr_end", "mrr_new", "mrr_reactivation", "mrr_expansion", "mrr_contraction", "mrr_churned"]
COUNTS = ["customers_start", "customers_end", "customers_new", "customers_reactivated", "customers_churned"]


class IbisEngine(Engine):
    """Answers queries where the data lives.

    Parameters
    ----------
    subscriptions: an Ibis table with the canonical subscription columns (customer_id, start_date,
        end_date, mrr, optional trial_end); see `retention.warehouse.sources` to map a source's own.
    customers: an Ibis table with customer_id and attribute columns, or None.
    today: the day after which no date counts as "as of" (default: today, UTC).
    """

    name = "ibis"

    def __init__(self, subscriptions: ir.Table, customers: ir.Table | None = None, *, today: pd.Timestamp | None = None) -> None:
        self.subscriptions = subscriptions
        self.customers = customers
        self._today = today
        self._facts: dict[str, pd.Timestamp | None] | None = None
        self._tables: dict[tuple, pd.DataFrame] = {}  # every period of (granularity, segment, as-of), per instance

    @property
    def backend_name(self) -> str:
        return self.subscriptions.get_backend().name

    # -- facts read once ------------------------------------------------------------------------
    def _read_facts(self) -> dict[str, pd.Timestamp | None]:
        if self._facts is None:
            s = self.subscriptions
            spans = steps.paid_spans(s)
            row = s.aggregate(
                last_start=s.start_date.cast("date").max(), last_end=s.end_date.cast("date").max()
            ).to_pandas().iloc[0]
            first = spans.aggregate(first=spans.start.min()).to_pandas().iloc[0]["first"]
            dates = [pd.Timestamp(v) for v in (row["last_start"], row["last_end"]) if not pd.isna(v)]
            self._facts = {"latest": max(dates) if dates else None, "first_paid": None if pd.isna(first) else pd.Timestamp(first)}
        return self._facts

    def default_as_of(self) -> pd.Timestamp:
        today = pd.Timestamp(self._today or pd.Timestamp.now(tz="UTC").tz_convert(None)).normalize()
        latest = self._read_facts()["latest"]
        return today if latest is None else min(latest, today)

    def _periods(self, granularity: Granularity, as_of: pd.Timestamp | None) -> pd.PeriodIndex:
        return periods(self._read_facts()["first_paid"], self.as_of_for(Query(as_of=as_of)), granularity)

    def _calendar(self, granularity: Granularity, as_of: pd.Timestamp | None) -> tuple[pd.DataFrame, ir.Table]:
        frame = calendar_frame(self._periods(granularity, as_of), self._read_facts()["first_paid"])
        table = ibis.memtable(frame.drop(columns="label")).mutate(
            snap=ibis._.snap.cast("date"), first_day=ibis._.first_day.cast("date")
        )
        return frame, table

    # -- segments, in the backend ---------------------------------------------------------------
    def _values(self, attribute: str) -> ir.Table:
        """customer_id, value: the attribute as stripped text, one row per customer (blank = no value)."""
        if self.customers is None or attribute not in self.customers.columns:
            raise ValueError(f"no customer attribute {attribute!r} to filter on")
        c = self.customers
        value = c[attribute].cast("string").strip()
        t = c.select(customer_id=c.customer_id.cast("string"), value=value)
        t = t.filter(t.value.notnull() & (t.value != ""))
        return t.group_by("customer_id").aggregate(value=t.value.min())

    def _spans(self, segment: Segment | None) -> ir.Table:
        spans = steps.paid_spans(self.subscriptions)
        if segment is None:
            return spans
        attribute, value = segment
        values = self._values(attribute)
        if str(value).strip() == NO_VALUE:
            return spans.anti_join(values, spans.customer_id == values.customer_id)
        members = values.filter(values.value == str(value).strip())
        return spans.semi_join(members, spans.customer_id == members.customer_id)

    # -- the interface --------------------------------------------------------------------------
    def period_labels(self, query: Query) -> list[str]:
        frame = calendar_frame(self._periods(query.granularity, query.as_of), self._read_facts()["first_paid"])
        return frame["label"].tolist()

    def metrics(self, query: Query) -> MetricsTable:
        granularity = check_granularity(query.granularity)
        as_of = self.as_of_for(query)
        frame, calendar = self._calendar(granularity, query.as_of)
        if frame.empty:
            return MetricsTable.of(pd.DataFrame(columns=["period", *METRIC_NAMES]), query, as_of)
        key = (granularity, query.segment, as_of)
        if key not in self._tables:
            self._tables[key] = self._every_period(granularity, query.segment, query.as_of, calendar, len(frame))
        result = self._tables[key]
        return MetricsTable.of(self._finish(result, frame, self._periods(granularity, query.as_of), query), query, as_of)

    def _every_period(self, granularity: Granularity, segment: Segment | None, as_of: pd.Timestamp | None,
                      calendar: ir.Table, n: int) -> pd.DataFrame:
        """One backend query: counts, movements, rates, lifetime and renewals of every period."""
        spans = self._spans(segment)
        snaps = steps.customer_snapshots(spans, calendar)
        rates = steps.period_rates(steps.period_movements(steps.changes(snaps, n), calendar))
        if granularity == "month":
            monthly = rates
        else:
            month_frame, month_cal = self._calendar("month", as_of)
            month_snaps = steps.customer_snapshots(spans, month_cal)
            monthly = steps.period_movements(steps.changes(month_snaps, len(month_frame)), month_cal)
        life = steps.monthly_lifetime(monthly)
        renewal = steps.renewals(spans, steps.paid_spans(self.subscriptions), calendar)
        table = rates.left_join(life, rates.month == life.month).select(rates, life.customer_lifetime_months)
        table = table.left_join(renewal, table.p == renewal.p).select(table, renewal.ended, renewal.renewed)
        return table.order_by("p").to_pandas()

    @staticmethod
    def _finish(result: pd.DataFrame, frame: pd.DataFrame, found: pd.PeriodIndex, query: Query) -> pd.DataFrame:
        """Micro-units to money, nulls to NaN, LTV and renewal rate from their parts, then the window."""
        out = pd.DataFrame({"period": frame["label"].to_numpy()})
        for name in COUNTS:
            out[name] = result[name].to_numpy(dtype=np.int64)
        for name in METRIC_NAMES:
            if name in COUNTS:
                continue
            if name in MONEY:
                out[name] = result[name].to_numpy(dtype=np.float64) / steps.MICRO
            elif name in result.columns:
                out[name] = pd.to_numeric(result[name], errors="coerce").to_numpy(dtype=np.float64)
        out["ltv"] = out["arpa"] * (query.gross_margin / 100.0) * out["customer_lifetime_months"]
        ended = pd.to_numeric(result["ended"], errors="coerce").fillna(0).to_numpy(dtype=float)
        renewed = pd.to_numeric(result["renewed"], errors="coerce").fillna(0).to_numpy(dtype=float)
        rate = np.full(len(ended), np.nan)
        np.divide(renewed * 100.0, ended, out=rate, where=ended != 0)
        out["renewal_rate"] = rate
        window = window_slice(found, query.granularity, query.start, query.end)
        return out.iloc[window].reset_index(drop=True)[["period", *METRIC_NAMES]]

    def cohorts(self, query: Query, *, basis: Basis = "customers") -> CohortTable:
        granularity = check_granularity(query.granularity)
        basis = check_basis(basis)
        found = self._periods(granularity, query.as_of)
        window = window_slice(found, granularity, query.start, query.end)
        lo, hi = window.start, window.stop
        if len(found) == 0 or hi <= lo:
            return CohortTable(granularity, basis, [])
        _, calendar = self._calendar(granularity, query.as_of)
        snaps = steps.customer_snapshots(self._spans(query.segment), calendar)
        cells = steps.cohort_cells(snaps, lo, hi).to_pandas()
        rows: list[CohortRow] = []
        for cohort, group in cells.groupby("cohort", sort=True):
            k = int(cohort)
            counts = np.zeros(hi - k, dtype=np.int64)
            money = np.zeros(hi - k, dtype=np.int64)
            ages = group["p"].to_numpy(dtype=np.int64) - k
            counts[ages] = group["customers"].to_numpy(dtype=np.int64)
            money[ages] = group["mrr"].to_numpy(dtype=np.int64)
            if counts[0] == 0:
                continue
            if basis == "customers":
                cells_k = counts.astype(np.float64)
                values: list = [int(v) for v in counts]
                size: float = int(counts[0])
            else:
                cells_k = np.round(money.astype(np.float64) / steps.MICRO, 6)
                values = [float(v) for v in cells_k]
                size = float(cells_k[0])
            percent = [float(p) for p in cells_k / cells_k[0] * 100.0]
            period = found[k]
            rows.append(CohortRow(label(period), period, size, int(counts[0]), values, percent))
        return CohortTable(granularity, basis, rows)

    def lifetimes(self, query: Query, *, by: str | None = None) -> Lifetimes:
        frame, calendar = self._calendar("month", query.as_of)
        columns = ["customer_id", "duration", "event"] + (["segment"] if by is not None else [])
        if frame.empty:
            return Lifetimes(pd.DataFrame({c: [] for c in columns}), by)
        runs = steps.first_runs(steps.customer_snapshots(self._spans(query.segment), calendar), len(frame))
        if by is not None:
            values = self._values(by)
            runs = runs.left_join(values, runs.customer_id == values.customer_id).select(runs, segment=values.value)
        out = runs.order_by("customer_id").to_pandas()
        out["duration"] = out["duration"].astype(np.int64)
        out["event"] = out["event"].astype(np.int64)
        if by is not None:
            out["segment"] = out["segment"].where(out["segment"].notna(), NO_VALUE).astype(object)
        return Lifetimes(out[columns].reset_index(drop=True), by)

    def segments(self) -> dict[str, list[str]]:
        if self.customers is None:
            return {}
        found: dict[str, list[str]] = {}
        for column in self.customers.columns:
            if column in ("customer_id", "signup_date"):
                continue
            c = self.customers
            value = c[column].cast("string").strip()
            distinct = c.select(value=value).filter(ibis._.value.notnull() & (ibis._.value != "")).distinct()
            values = distinct.limit(MAX_SEGMENT_VALUES + 1).to_pandas()["value"].tolist()
            if 1 <= len(values) <= MAX_SEGMENT_VALUES:
                found[column] = sorted(str(v) for v in values)
        return found

    def segment_values(self, attribute: str, *, as_of: pd.Timestamp | None = None) -> list[str]:
        values = self._values(attribute)
        paying = steps.paid_spans(self.subscriptions).select("customer_id").distinct()
        joined = paying.left_join(values, paying.customer_id == values.customer_id)
        t = joined.select(value=joined.value.fill_null(NO_VALUE)).distinct().to_pandas()
        found = {str(v) for v in t["value"]}
        return sorted(found - {NO_VALUE}) + ([NO_VALUE] if NO_VALUE in found else [])

    def segment_customers(self, segment: Segment | None) -> set[str] | None:
        if segment is None:
            return None
        s = self.subscriptions
        known = s.select(customer_id=s.customer_id.cast("string"))
        if self.customers is not None:
            c = self.customers
            known = known.union(c.select(customer_id=c.customer_id.cast("string")), distinct=False)
        known = known.distinct()
        attribute, value = segment
        values = self._values(attribute)
        if str(value).strip() == NO_VALUE:
            chosen = known.anti_join(values, known.customer_id == values.customer_id)
        else:
            members = values.filter(values.value == str(value).strip())
            chosen = known.semi_join(members, known.customer_id == members.customer_id)
        return set(chosen.to_pandas()["customer_id"].astype(str))

    def movement_customers(self, query: Query, *, period: str, movement: Movement | None = None) -> DrillDown:
        if movement is not None and movement not in MOVEMENTS:
            raise ValueError(f"unknown movement {movement!r}: use one of {', '.join(MOVEMENTS)}")
        granularity = check_granularity(query.granularity)
        columns = ["customer_id", "mrr_before", "mrr_after", "movement"]
        found = self._periods(granularity, query.as_of)
        wanted = parse_period(period, granularity)
        position = np.flatnonzero(found == wanted)
        if len(position) == 0:
            return DrillDown(period, pd.DataFrame(columns=columns), movement)
        frame, calendar = self._calendar(granularity, query.as_of)
        cells = steps.changes(steps.customer_snapshots(self._spans(query.segment), calendar), len(frame))
        at = cells.filter((cells.p == int(position[0])) & (cells.prev != cells.cur)).to_pandas()
        prev = at["prev"].to_numpy(dtype=np.int64)
        cur = at["cur"].to_numpy(dtype=np.int64)
        first = at["first"].to_numpy(dtype=bool)
        kinds = np.select(
            [(prev == 0) & (cur > 0) & first, (prev == 0) & (cur > 0), (prev > 0) & (cur == 0), cur > prev, cur < prev],
            ["new", "reactivation", "churned", "expansion", "contraction"],
            default="",
        )
        out = pd.DataFrame({
            "customer_id": at["customer_id"].astype(str).to_numpy(),
            "mrr_before": prev / steps.MICRO,
            "mrr_after": cur / steps.MICRO,
            "movement": kinds,
        })
        out = out[out["movement"] != ""]
        if movement is not None:
            out = out[out["movement"] == movement]
        size = (out["mrr_after"] - out["mrr_before"]).abs()
        out = out.assign(_size=size).sort_values(["_size", "customer_id"], ascending=[False, True], kind="stable")
        return DrillDown(period, out.drop(columns="_size").reset_index(drop=True)[columns], movement)
