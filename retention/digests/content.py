"""What a digest says, as numbers and codes (words are chosen in `render.py`).

A *month* digest reviews the last complete month against the month before (the same numbers as
the Overview).  A *week* digest reviews the seven days ending on the as-of date: MRR and paying
customers on that day against seven days earlier, and who moved in between; its KPI block still
shows the last complete month, because rates such as churn or NRR are defined per period
(METRICS.md §3–§4) and a week of a B2B company is too short for a stable rate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from retention.churn_reasons.matching import LAG_DAYS, LEAD_DAYS, NO_REASON, match_reasons
from retention.dataset import Dataset
from retention.engine import Query
from retention.engine.at_risk import at_risk_accounts
from retention.engine.kpis import Kpi, kpi_summary
from retention.engine.snapshots import MICRO, paid_spans

DigestPeriod = Literal["week", "month"]
DIGEST_KPIS = ["mrr_end", "customers_end", "logo_churn_rate", "nrr", "grr", "arpa", "quick_ratio"]
TOP_MOVES = 5
TOP_AT_RISK = 5
TREND_PERIODS = 12
_KINDS = ("new", "reactivation", "expansion", "contraction", "churned")


@dataclass(frozen=True)
class Move:
    """One customer's MRR change in the reviewed span."""

    customer_id: str
    name: str
    kind: str  # new, reactivation, expansion, contraction, churned
    before: float
    after: float


@dataclass(frozen=True)
class Breach:
    """A KPI compared with a benchmark or a target: `ok` is False when it is on the wrong side."""

    metric: str
    label: str
    value: float
    ok: bool
    source: str = ""


@dataclass
class Digest:
    """Everything one message says about one dataset."""

    dataset: str
    period: DigestPeriod
    label: str  # "2024-07" for a month, "2024-07-24 – 2024-07-31" for a week
    as_of: pd.Timestamp
    currency: str
    kpis: list[Kpi]
    moves: list[Move]
    moves_total: dict[str, tuple[int, float]]  # kind -> (customers, MRR moved)
    at_risk: pd.DataFrame
    comparisons: list[Breach] = field(default_factory=list)
    trend: list[tuple[str, float]] = field(default_factory=list)  # (period, MRR at its end)
    notes: list[tuple[str, str]] = field(default_factory=list)  # (date, text)
    churn_reasons: list[tuple[str, int]] = field(default_factory=list)  # (reason, customers)
    link: str = ""
    week_change: tuple[float, float, int, int] | None = None  # MRR before/after, customers before/after
    churned: list[str] = field(default_factory=list)  # every customer who churned in the reviewed span

    @property
    def key(self) -> str:
        """What makes two digests the same message: dataset, kind and reviewed span (for the delivery log)."""
        return f"{self.dataset}|{self.period}|{self.label}"


def customer_names(data: Dataset) -> dict[str, str]:
    """Customer id -> display name from the customers file (name, company or e-mail), when it has one."""
    table = data.customers_table
    if table is None:
        return {}
    for column in ("name", "company", "customer_name", "company_name", "email", "customer_email"):
        if column in table.columns:
            names = table[["customer_id", column]].dropna()
            return dict(zip(names["customer_id"].astype(str), names[column].astype(str), strict=True))
    return {}


def build_digest(
    data: Dataset, *, dataset: str, period: DigestPeriod = "month", as_of: pd.Timestamp | None = None,
    link: str = "", notes: list[tuple[str, str]] | None = None, targets: list | None = None,
) -> Digest:
    """The digest of `data` (one dataset) for the last complete month, or the week ending on `as_of`."""
    if period not in ("week", "month"):
        raise ValueError(f"unknown digest period {period!r}: use week or month")
    engine = data.engine()
    as_of = pd.Timestamp(as_of).normalize() if as_of is not None else engine.default_as_of()
    history = engine.metrics(Query(granularity="month", as_of=as_of))
    last = str(history["period"].iloc[-1]) if len(history) else ""
    names = customer_names(data)
    digest = Digest(
        dataset=dataset, period=period, label=last, as_of=as_of, currency=data.currency(),
        kpis=kpi_summary(history, last, DIGEST_KPIS) if last else [], moves=[], moves_total={},
        at_risk=_at_risk(data, as_of, names), notes=list(notes or []), link=link,
        trend=[(str(p), float(v)) for p, v in zip(history["period"].tail(TREND_PERIODS), history["mrr_end"].tail(TREND_PERIODS),
                                                   strict=True)],
    )
    digest.comparisons = _comparisons(digest.kpis, history, targets or [])
    if period == "month" and last:
        frame = engine.movement_customers(Query(granularity="month", as_of=as_of), period=last).frame
        _set_moves(digest, frame, names)
    elif period == "week":
        start = as_of - pd.Timedelta(days=7)
        digest.label = f"{start.date().isoformat()} – {as_of.date().isoformat()}"
        frame = moves_between(data.subscriptions.table, start, as_of)
        _set_moves(digest, frame, names)
        before, after = customer_mrr_on(data.subscriptions.table, start), customer_mrr_on(data.subscriptions.table, as_of)
        digest.week_change = (float(before.sum()), float(after.sum()), int((before > 0).sum()), int((after > 0).sum()))
    digest.churn_reasons = _churn_reasons(data, digest)
    return digest


def customer_mrr_on(subscriptions: pd.DataFrame, day: pd.Timestamp) -> pd.Series:
    """Each customer's MRR on `day` (paid spans running that day, METRICS.md §2), in currency units."""
    spans = paid_spans(subscriptions)
    running = (spans["start"] <= day) & (spans["end"].isna() | (spans["end"] > day))
    return spans[running].groupby("customer_id")["mrr_micro"].sum() / MICRO


def moves_between(subscriptions: pd.DataFrame, first: pd.Timestamp, last: pd.Timestamp) -> pd.DataFrame:
    """Customers whose MRR differs between two days, classified as in METRICS.md §4.

    Reactivation: paying on some month-end before `first` (or on `first`-independent earlier days is
    not known from snapshots, so month-ends are what count, as everywhere else).
    """
    before = customer_mrr_on(subscriptions, first)
    after = customer_mrr_on(subscriptions, last)
    ids = before.index.union(after.index)
    prev = before.reindex(ids, fill_value=0.0).to_numpy()
    cur = after.reindex(ids, fill_value=0.0).to_numpy()
    spans = paid_spans(subscriptions)
    earlier = spans[spans["start"] < first]
    ever = set(earlier["customer_id"])
    seen_before = np.array([c in ever for c in ids], dtype=bool)
    kinds = np.select(
        [(prev == 0) & (cur > 0) & ~seen_before, (prev == 0) & (cur > 0), (prev > 0) & (cur == 0), cur > prev, cur < prev],
        ["new", "reactivation", "churned", "expansion", "contraction"], default="",
    )
    frame = pd.DataFrame({"customer_id": ids.astype(str), "mrr_before": prev, "mrr_after": cur, "movement": kinds})
    return frame[frame["movement"] != ""].reset_index(drop=True)


def _set_moves(digest: Digest, frame: pd.DataFrame, names: dict[str, str]) -> None:
    """The biggest moves (largest MRR change first) and each kind's totals."""
    size = (frame["mrr_after"] - frame["mrr_before"]).abs()
    ordered = frame.assign(_size=size).sort_values(["_size", "customer_id"], ascending=[False, True], kind="stable")
    digest.moves = [
        Move(str(r.customer_id), names.get(str(r.customer_id), ""), str(r.movement), float(r.mrr_before), float(r.mrr_after))
        for r in ordered.head(TOP_MOVES).itertuples(index=False)
    ]
    digest.churned = sorted(frame.loc[frame["movement"] == "churned", "customer_id"].astype(str))
    digest.moves_total = {
        kind: (int((frame["movement"] == kind).sum()), float(size[frame["movement"] == kind].sum())) for kind in _KINDS
    }


def _at_risk(data: Dataset, as_of: pd.Timestamp, names: dict[str, str]) -> pd.DataFrame:
    events = data.events.table if data.events is not None else None
    surveys = data.surveys.table if data.surveys is not None else None
    table = at_risk_accounts(events, surveys, data.model(as_of), as_of=as_of)
    table = table.head(TOP_AT_RISK).copy()
    table.insert(1, "name", table["customer_id"].astype(str).map(names).fillna(""))
    return table


def _comparisons(kpis: list[Kpi], history: pd.DataFrame, targets: list) -> list[Breach]:
    """Each KPI against the benchmarks on its monthly chart and the user's targets (same basis)."""
    from retention.benchmarks.selection import benchmarks_for

    out: list[Breach] = []
    arpa = float(history["arpa"].iloc[-1]) if len(history) and not pd.isna(history["arpa"].iloc[-1]) else None
    higher = {"logo_churn_rate": False, "nrr": True, "grr": True, "crr": True, "quick_ratio": True}
    for kpi in kpis:
        if kpi.value is None or kpi.name not in higher:
            continue
        for line in benchmarks_for(kpi.name, "month", arpa):
            ok = kpi.value >= line.value if higher[kpi.name] else kpi.value <= line.value
            out.append(Breach(kpi.name, line.name, line.value, ok, line.citation))
        for target in targets:
            if getattr(target, "metric", None) == kpi.name:
                ok = kpi.value >= target.value if higher[kpi.name] else kpi.value <= target.value
                out.append(Breach(kpi.name, str(target.name), float(target.value), ok, ""))
    return out


def _churn_reasons(data: Dataset, digest: Digest) -> list[tuple[str, int]]:
    """Reasons of the customers who churned in the reviewed span, most frequent first (when loaded).

    Matched as the Churn reasons page matches them, so the digest and the page agree: a customer's
    record counts when dated from LEAD_DAYS before the span to LAG_DAYS after it (a cancellation is
    asked for before the paid term ends), one record per customer; a record from an earlier churn
    of the same customer does not explain this one."""
    reasons = data.extra.get("churn_reasons")
    if reasons is None or "reason" not in reasons.table or not digest.churned:
        return []
    if digest.period == "month":
        churns = match_reasons(data.engine(), Query(granularity="month", as_of=digest.as_of), reasons.table,
                               periods=[digest.label]).churns
        said = churns.loc[churns["reason"] != NO_REASON, "reason"]
    else:
        start = digest.as_of - pd.Timedelta(days=7)
        table = reasons.table[reasons.table["customer_id"].astype(str).isin(set(digest.churned))]
        dates = pd.to_datetime(table["date"])
        near = table[(dates >= start - pd.Timedelta(days=LEAD_DAYS)) & (dates <= digest.as_of + pd.Timedelta(days=LAG_DAYS))]
        said = near.sort_values("date", kind="stable").drop_duplicates("customer_id", keep="last")["reason"]
    counts = said.astype(str).value_counts()
    return [(str(k), int(v)) for k, v in counts.items()]
