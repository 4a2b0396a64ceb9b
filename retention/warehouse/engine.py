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
from retention.engine.customers import NAME_COLUMNS, CustomerHistory, _normal, _position, classify, customer_names, history
from retention.engine.membership import MAX_SEGMENT_VALUES, NO_VALUE
from retention.engine.metrics import METRIC_NAMES, window_slice
from retention.engine.query import Query, Segment
from retention.engine.results import MOVEMENTS, DrillDown, Lifetimes, MetricsTable, Movement
from retention.engine.snapshots import build_model
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
        self._tables: dict[tuple, pd.DataFrame] = {}
        self._names: pd.Series | None = None  # every period of (granularity, segment, as-of), per instance

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
        t = t.filter(t.customer_id.notnull() & t.value.notnull() & (t.value != ""))
        return t.group_by("customer_id").aggregate(value=t.value.min())

    def _spans(self, segment: Segment | None) -> ir.Table:
        return self._of_segment(steps.paid_spans(self.subscriptions), segment)

    def _of_segment(self, table: ir.Table, segment: Segment | None) -> ir.Table:
        """The rows of `table` (customer_id as text) whose customer is in `segment`."""
        if segment is None:
            return table
        attribute, value = segment
        values = self._values(attribute)
        # IN / NOT IN subqueries rather than semi/anti joins: every backend's SQL spells them alike
        if str(value).strip() == NO_VALUE:
            return table.filter(~table.customer_id.isin(values.customer_id))
        members = values.filter(values.value == str(value).strip())
        return table.filter(table.customer_id.isin(members.customer_id))

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
        if granularity == "month":
            snaps = steps.customer_snapshots(spans, calendar)
            rates = steps.period_rates(steps.period_movements(steps.changes(snaps, n), calendar))
            monthly = rates
        else:  # one range join: the quarter's (year's) snapshots are picked from the monthly grid
            month_frame, month_cal = self._calendar("month", as_of)
            month_snaps = steps.customer_snapshots(spans, month_cal)
            snaps = steps.coarser_snapshots(month_snaps, calendar)
            rates = steps.period_rates(steps.period_movements(steps.changes(snaps, n), calendar))
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
        known = self._known()
        attribute, value = segment
        values = self._values(attribute)
        if str(value).strip() == NO_VALUE:
            chosen = known.filter(~known.customer_id.isin(values.customer_id))
        else:
            members = values.filter(values.value == str(value).strip())
            chosen = known.filter(known.customer_id.isin(members.customer_id))
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
            return DrillDown(period, self.named(pd.DataFrame(columns=columns)), movement)
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
        return DrillDown(period, self.named(out.drop(columns="_size").reset_index(drop=True)[columns]), movement)

    # -- the customers behind a number ----------------------------------------------------------
    def _members_at(self, query: Query, segment: Segment | None, positions: list[int]) -> pd.DataFrame:
        """customer_id, p, mrr, first_p of the customers of `segment` active at any of `positions`."""
        _, calendar = self._calendar(query.granularity, query.as_of)
        snaps = steps.customer_snapshots(self._spans(segment), calendar)
        t = snaps.mutate(first_p=snaps.p.min().over(ibis.window(group_by=snaps.customer_id)))
        return t.filter(t.p.isin([int(x) for x in positions])).to_pandas()

    def _cohort_members(self, query: Query, k: int) -> pd.DataFrame:
        """customer_id, p, mrr of cohort k's customers at each snapshot where they pay."""
        _, calendar = self._calendar(query.granularity, query.as_of)
        snaps = steps.customer_snapshots(self._spans(query.segment), calendar)
        t = snaps.mutate(first_p=snaps.p.min().over(ibis.window(group_by=snaps.customer_id)))
        return t.filter(t.first_p == int(k)).select("customer_id", "p", "mrr").to_pandas()

    def cohort_customers(self, query: Query, *, cohort: str, age: int) -> DrillDown:
        granularity = check_granularity(query.granularity)
        if int(age) != age or age < 0:
            raise ValueError(f"age {age} is not a whole number of periods ≥ 0")
        age = int(age)
        found = self._periods(granularity, query.as_of)
        end = query.end if query.end is not None and len(found) and parse_period(query.end, granularity) <= found[-1] else None
        k = _position(found, cohort, granularity, "cohort")
        last = len(found) - 1 if end is None else _position(found, end, granularity, "end")
        if k + age > last:
            raise ValueError(f"cohort {cohort} has no age {age} yet: its snapshot is after {label(found[last])}")
        j = k + age
        key = ("cohort", granularity, query.segment, self.as_of_for(query), k)
        if key not in self._tables:  # the cohort's customers at every age, fetched once per cohort
            self._tables[key] = self._cohort_members(query, k)
        cells = self._tables[key]
        cells = cells[cells["p"].isin([k, j - 1, j])]
        wide = _wide(cells)
        before = wide.get(k, pd.Series(0, index=wide.index)).to_numpy(dtype=np.int64)
        cur = wide.get(j, pd.Series(0, index=wide.index)).to_numpy(dtype=np.int64)
        prev = wide.get(j - 1, pd.Series(0, index=wide.index)).to_numpy(dtype=np.int64) if j > k else np.zeros_like(cur)
        frame = pd.DataFrame({
            "customer_id": wide.index.astype(str),
            "mrr_before": before / steps.MICRO,
            "mrr_after": cur / steps.MICRO,
            "movement": classify(prev, cur, np.full(len(cur), age == 0)),
            "paying": cur > 0,
        })
        frame = frame.sort_values(["paying", "mrr_after", "customer_id"], ascending=[False, False, True], kind="stable")
        return DrillDown(label(found[j]), self.named(frame.reset_index(drop=True)), cohort=label(found[k]), age=age)

    def segment_members(self, query: Query, *, segment: Segment, period: str | None = None) -> DrillDown:
        granularity = check_granularity(query.granularity)
        if period is None:
            labels = self.metrics(query.but(segment=segment))["period"]
            if labels.empty:
                raise ValueError("no complete period in the selected range")
            period = str(labels.iloc[-1])
        found = self._periods(granularity, query.as_of)
        p = _position(found, period, granularity, "period")
        cells = self._members_at(query, segment, [p - 1, p] if p > 0 else [p])
        wide = _wide(cells)
        cur = wide.get(p, pd.Series(0, index=wide.index)).to_numpy(dtype=np.int64)
        prev = wide.get(p - 1, pd.Series(0, index=wide.index)).to_numpy(dtype=np.int64) if p > 0 else np.zeros_like(cur)
        first_p = cells.groupby("customer_id")["first_p"].min().reindex(wide.index).to_numpy(dtype=np.int64)
        frame = pd.DataFrame({
            "customer_id": wide.index.astype(str),
            "mrr_before": prev / steps.MICRO,
            "mrr_after": cur / steps.MICRO,
            "movement": classify(prev, cur, ~(first_p < p)),
            "paying": cur > 0,
        })
        frame = frame.sort_values(["mrr_after", "customer_id"], ascending=[False, True], kind="stable").reset_index(drop=True)
        return DrillDown(period, self.named(frame), segment=segment)

    def scheduled_subscriptions(self, query: Query) -> pd.DataFrame:
        from retention.forecasts.committed import NOT_RENEWING
        from retention.periods import last_complete_period

        s = self.subscriptions
        s = self._of_segment(s.mutate(customer_id=s.customer_id.cast("string")), query.segment)
        day = ibis.literal(last_complete_period(self.as_of_for(query), "month").end_time.date())
        later = s.start_date.cast("date") > day
        for column in ("end_date", "trial_end"):
            if column in s.columns:
                later |= (s[column].cast("date") > day).fill_null(False)
        who = s.filter(later).select("customer_id").distinct()
        keep = s.customer_id.isin(who.customer_id)
        if "status" in s.columns:
            status = s.status.cast("string").strip().lower()
            keep |= (status.isin(sorted(NOT_RENEWING)) & s.end_date.isnull()).fill_null(False)
        rows = _with_timestamps(s.filter(keep).to_pandas())
        rows["customer_id"] = rows["customer_id"].astype(str)
        return rows

    def customer_names(self) -> pd.Series:
        if self._names is None:
            self._names = pd.Series(dtype=object, name="customer_name")
            if self.customers is not None:
                wanted = [c for c in self.customers.columns if c != "customer_id" and _normal(c) in NAME_COLUMNS]
                if wanted:
                    frame = self.customers.select("customer_id", *wanted).to_pandas()
                    frame["customer_id"] = frame["customer_id"].astype(str)
                    self._names = customer_names(frame)
        return self._names

    def known_customers(self) -> list[str]:
        return sorted(self._known().to_pandas()["customer_id"].astype(str))

    def _known(self) -> ir.Table:
        s = self.subscriptions
        known = s.select(customer_id=s.customer_id.cast("string"))
        if self.customers is not None:
            c = self.customers
            known = known.union(c.select(customer_id=c.customer_id.cast("string")), distinct=False)
        return known.distinct()

    def customer(self, customer_id: str, *, as_of: pd.Timestamp | None = None) -> CustomerHistory:
        wanted = str(customer_id).strip()
        s = self.subscriptions
        own = _with_timestamps(s.filter(s.customer_id.cast("string") == wanted).to_pandas())
        own["customer_id"] = own["customer_id"].astype(str)
        mine = None
        if self.customers is not None:
            c = self.customers
            mine = _with_timestamps(c.filter(c.customer_id.cast("string") == wanted).to_pandas())
            mine["customer_id"] = mine["customer_id"].astype(str)
        model = build_model(own, self.as_of_for(Query(as_of=as_of)))
        return history(model, own, mine, wanted)


def _wide(cells: pd.DataFrame) -> pd.DataFrame:
    """customer × period MRR (micro-units, 0 where inactive) from long cells."""
    if cells.empty:
        return pd.DataFrame(index=pd.Index([], dtype=object, name="customer_id"))
    cells = cells.assign(customer_id=cells["customer_id"].astype(str), mrr=cells["mrr"].astype(np.int64))
    return cells.pivot_table(index="customer_id", columns="p", values="mrr", aggfunc="sum", fill_value=0)


def _with_timestamps(frame: pd.DataFrame) -> pd.DataFrame:
    """Backend dates back as pandas timestamps, as the importer makes them."""
    for column in frame.columns:
        if column in ("start_date", "end_date", "trial_end", "signup_date"):
            frame[column] = pd.to_datetime(frame[column])
    return frame
