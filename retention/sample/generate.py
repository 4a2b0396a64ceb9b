"""`generate`: the whole made-up company, customers to survey answers, from one seed.

Each part draws from its own child of the seed (numpy `SeedSequence.spawn`), so the usage log
can be regenerated at another size without changing the billing history, and the result never
depends on today's date: the data ends on the last day of `end_month`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from retention.sample import catalog
from retention.sample.billing import ADDON_TIER, BAD_MONTH_BACK, health_paths, simulate
from retention.sample.churn_reasons import churn_records
from retention.sample.customers import draw_customers
from retention.sample.events import DEFAULT_EVENT_MONTHS, UsageInputs, usage_events
from retention.sample.surveys import draw_surveys
from retention.sample.timeline import DEFAULT_END_MONTH, Timeline

EVENTS_PER_CUSTOMER = 85  # default event rows per customer: about 50 thousand for 600 customers
MAX_DEFAULT_EVENTS = 1_000_000  # beyond this, ask generate_events for the size you need


@dataclass(frozen=True)
class Settings:
    """The arguments a data set was generated with (written into its README)."""

    customers: int
    months: int
    seed: int
    end_month: str = DEFAULT_END_MONTH
    event_rows: int = 0
    event_months: int = DEFAULT_EVENT_MONTHS


@dataclass
class SampleData:
    """The four tables, typed (dates as datetime64), in the canonical column order of their CSVs."""

    customers: pd.DataFrame
    subscriptions: pd.DataFrame
    events: pd.DataFrame
    surveys: pd.DataFrame
    settings: Settings
    usage: UsageInputs = field(repr=False, compare=False)
    churn_reasons: pd.DataFrame | None = None
    """Cancellation records of the churned customers (`retention.sample.churn_reasons`)."""

    @property
    def as_of(self) -> pd.Timestamp:
        """The last day of the data: the latest start or end date in the subscriptions."""
        return pd.Timestamp(Timeline(self.settings.end_month, self.settings.months).last_day)


def default_event_rows(customers: int) -> int:
    return min(EVENTS_PER_CUSTOMER * customers, MAX_DEFAULT_EVENTS)


def _seeds(seed: int) -> list[np.random.SeedSequence]:
    """Customers, billing, surveys, events: one independent stream each."""
    return np.random.SeedSequence(seed).spawn(4)


def _dates(values: np.ndarray) -> np.ndarray:
    return values.astype("datetime64[D]").astype("datetime64[ns]")


def generate(
    customers: int = 600,
    months: int = 36,
    seed: int = 7,
    *,
    end_month: str = DEFAULT_END_MONTH,
    event_rows: int | None = None,
    event_months: int = DEFAULT_EVENT_MONTHS,
) -> SampleData:
    """A believable B2B SaaS: `customers` signups over `months` months ending with `end_month`.

    `event_rows` is the size of the usage log (default 85 per customer, at most one million;
    0 for none).  The same arguments always give the same tables.
    """
    if months < 1:
        raise ValueError("months must be at least 1")
    timeline = Timeline(end_month, months)
    seed_customers, seed_billing, seed_surveys, seed_events = _seeds(seed)
    cust = draw_customers(np.random.default_rng(seed_customers), customers, timeline)
    billing_rng = np.random.default_rng(seed_billing)
    health = health_paths(billing_rng, cust.fit, months)
    billing = simulate(billing_rng, cust, timeline, health)
    surveys = draw_surveys(np.random.default_rng(seed_surveys), cust, timeline, health, billing.paying, billing.seats_max)

    customers_frame = pd.DataFrame({
        "customer_id": cust.ids.astype(object),
        "customer_name": cust.names.astype(object),
        "signup_date": _dates(cust.signup),
        "plan": np.asarray(catalog.PLANS, dtype=object)[cust.tier],
        "country": np.asarray(catalog.COUNTRIES, dtype=object)[cust.country],
        "industry": np.asarray(catalog.INDUSTRIES, dtype=object)[cust.industry],
        "size": np.asarray(catalog.SIZES, dtype=object)[cust.size],
        "channel": np.asarray(catalog.CHANNELS, dtype=object)[cust.channel],
    })

    sp = billing.spans
    order = np.lexsort((sp["tier"] == ADDON_TIER, sp["customer"], sp["start"]))
    sp = {k: v[order] for k, v in sp.items()}
    width = max(6, len(str(len(order))))
    plan_names = np.asarray((*catalog.PLANS, catalog.ADDON_PLAN), dtype=object)  # index -1 = add-on
    running = np.isnat(sp["end"])
    trialing = running & ~np.isnat(sp["trial_end"]) & (sp["trial_end"] > timeline.last_day)
    subscriptions = pd.DataFrame({
        "subscription_id": np.char.add("sub_", np.char.zfill(np.arange(1, len(order) + 1).astype(str), width)).astype(object),
        "customer_id": cust.ids.astype(object)[sp["customer"]],
        "plan": plan_names[sp["tier"]],
        "start_date": _dates(sp["start"]),
        "end_date": _dates(sp["end"]),
        "amount": sp["amount"],
        "interval": np.where(sp["annual"], "year", "month").astype(object),
        "quantity": sp["seats"],
        "currency": "USD",
        "status": np.where(trialing, "trialing", np.where(running, "active", "canceled")).astype(object),
        "trial_end": _dates(sp["trial_end"]),
    })

    span_order = np.argsort(sp["customer"], kind="stable")
    running_until = np.where(np.isnat(sp["end"]), timeline.last_day, sp["end"] - np.timedelta64(1, "D"))
    last_seen = np.full(customers, cust.signup.min())
    np.maximum.at(last_seen, sp["customer"], running_until)
    usage = UsageInputs(
        timeline=timeline, customer_ids=cust.ids, signup=cust.signup, last_seen=last_seen, seats=billing.seats_max,
        utc_offset=cust.utc_offset, health=health, span_customer=sp["customer"][span_order],
        span_start=sp["start"][span_order], span_end=sp["end"][span_order],
    )
    rows = default_event_rows(customers) if event_rows is None else event_rows
    events = usage_events(usage, rows, event_months, seed_events)
    settings = Settings(customers, months, seed, end_month, rows, event_months)
    bad = months - BAD_MONTH_BACK if months > BAD_MONTH_BACK + 3 else -1
    reasons = churn_records(np.random.default_rng(np.random.SeedSequence(seed).spawn(5)[4]), subscriptions,
                            timeline.starts[bad] if bad >= 0 else None)
    return SampleData(customers_frame, subscriptions, events, surveys, settings, usage, reasons)


def generate_events(
    data: SampleData, target_rows: int, months: int | None = None, seed: int | None = None,
) -> pd.DataFrame:
    """A usage log of about `target_rows` rows for an already generated company.

    For the performance benchmark: `generate_events(generate(200_000, 48, 1, event_rows=0), 10_000_000)`.
    Without `seed`, the log is the one `generate` would have made at that size.
    """
    stream = _seeds(data.settings.seed)[3] if seed is None else seed
    return usage_events(data.usage, target_rows, months or data.settings.event_months, stream)


__all__ = ["SampleData", "Settings", "default_event_rows", "generate", "generate_events"]
