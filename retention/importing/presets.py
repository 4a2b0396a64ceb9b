"""Format presets: the exports of the billing and analytics tools founders already use.

A preset is recognised from the header alone (`detect_preset`), says which column feeds which
canonical field, and how to read values: amounts in cents, MRR from a service period
(invoices) or from amount + interval (subscriptions), which columns are customer attributes.
Column names follow each vendor's documentation; comparisons ignore case, spaces, dots,
brackets and a `(UTC)` suffix, so `Customer ID`, `customer_id` and `customer.id` all match.
The user can still change any field on the Data page or with `--map`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from retention.i18n import N_
from retention.importing.mapping import SYNONYMS, normalise_name


@dataclass(frozen=True)
class Preset:
    """How to read one vendor's export."""

    key: str
    name: str
    """English display name, translated where shown ("Detected: {name}")."""
    fields: Mapping[str, tuple[str, ...]]
    """Canonical field -> the vendor's column names, first match wins."""
    signature: tuple[tuple[str, ...], ...] = ()
    """Groups of column names; the header must have one name of every group."""
    cents: bool = False
    """Amounts are integer minor units (cents); zero-decimal currencies such as JPY stay as they are."""
    basis: str = "auto"
    """`interval` (amount per billing interval), `period` (amount per service period: invoices), `mrr`, or `auto`."""
    attribute_suffix: str | None = None
    """Columns named `<key><suffix>` become customer attributes named `<key>` (Stripe `(metadata)`)."""
    utc_suffix: bool = False
    """The vendor writes `(UTC)` after date column names; required to recognise the preset."""
    note: str = ""

    def matches(self, columns: Iterable[str]) -> bool:
        columns = list(columns)
        names = {normalise_name(c) for c in columns}
        if not self.signature:
            return False
        if self.utc_suffix and not any(c.rstrip().endswith("(UTC)") for c in columns):
            return False
        return all(any(normalise_name(n) in names for n in group) for group in self.signature)

    def synonyms(self) -> dict[str, tuple[str, ...]]:
        return {k: tuple(v) for k, v in self.fields.items()}

    def attributes(self, columns: Iterable[str]) -> dict[str, str]:
        """Source column -> attribute name for the customer attribute columns of this header."""
        if not self.attribute_suffix:
            return {}
        suffix = self.attribute_suffix
        return {c: c[: -len(suffix)].strip() for c in columns if c.endswith(suffix) and c[: -len(suffix)].strip()}


STRIPE_SUBSCRIPTIONS = Preset(
    "stripe_subscriptions", N_("Stripe subscriptions"),
    {
        "customer_id": ("Customer ID",), "subscription_id": ("id",), "start_date": ("Start Date (UTC)", "Created (UTC)"),
        "end_date": ("Ended At (UTC)",), "trial_end": ("Trial End (UTC)",), "plan": ("Plan", "Product"),
        "quantity": ("Quantity",), "amount": ("Amount",), "interval": ("Interval",), "interval_count": ("Interval Count",),
        "currency": ("Currency",), "status": ("Status",), "paid_through": ("Current Period Start (UTC)",),
    },
    signature=(("id",), ("Customer ID",), ("Status",), ("Start Date (UTC)", "Created (UTC)"),
               ("Current Period Start (UTC)",), ("Current Period End (UTC)",)),
    basis="interval", attribute_suffix="(metadata)", utc_suffix=True,
    note=N_("Amount is the price per interval in currency units; `<key> (metadata)` columns become customer attributes."),
)

STRIPE_INVOICES = Preset(
    "stripe_invoices", N_("Stripe invoices"),
    {
        "customer_id": ("Customer ID", "Customer"), "subscription_id": ("Subscription ID", "Subscription"),
        "start_date": ("Period Start (UTC)",), "end_date": ("Period End (UTC)",), "amount": ("Amount", "Total", "Amount Paid"),
        "quantity": ("Quantity",), "currency": ("Currency",), "status": ("Status",), "plan": ("Plan", "Price", "Description"),
        "line_type": ("Type",),
    },
    signature=(("Period Start (UTC)",), ("Period End (UTC)",), ("Customer ID", "Customer"), ("Invoice ID", "id"),
               ("Amount", "Total", "Amount Paid")),
    basis="period", utc_suffix=True,
    note=N_("Each line's service period is one span; its MRR is the amount over the period's length in months."),
)

CHARGEBEE = Preset(
    "chargebee_subscriptions", N_("Chargebee subscriptions"),
    {
        "subscription_id": ("Subscription Id", "subscription[id]"), "customer_id": ("Customer Id", "subscription[customer_id]"),
        "plan": ("Plan Id", "Plan Name", "subscription[plan_id]"), "quantity": ("Plan Quantity", "subscription[plan_quantity]"),
        "amount": ("Plan Unit Price", "subscription[plan_unit_price]"), "currency": ("Currency Code", "Currency"),
        "status": ("Status", "subscription[status]"), "trial_end": ("Trial End", "subscription[trial_end]"),
        "start_date": ("Started At", "Start Date", "subscription[started_at]", "Created At"),
        "end_date": ("Cancelled At", "subscription[cancelled_at]"),
        "interval": ("Billing Period Unit", "subscription[billing_period_unit]"),
        "interval_count": ("Billing Period", "subscription[billing_period]"), "paid_through": ("Pause Date",),
    },
    signature=(("Plan Unit Price", "subscription[plan_unit_price]"), ("Billing Period Unit", "subscription[billing_period_unit]"),
               ("Customer Id", "subscription[customer_id]"), ("Status", "subscription[status]")),
    basis="interval",
    note=N_("Plan Unit Price is read in currency units, as the Chargebee export shows it."),
)

PADDLE = Preset(
    "paddle_subscriptions", N_("Paddle subscriptions"),
    {
        "subscription_id": ("id", "subscription_id"), "customer_id": ("customer_id",), "status": ("status",),
        "currency": ("currency_code",), "start_date": ("started_at", "created_at"), "end_date": ("canceled_at",),
        "trial_end": ("first_billed_at",), "paid_through": ("paused_at",), "interval": ("billing_cycle.interval",),
        "interval_count": ("billing_cycle.frequency",), "quantity": ("quantity",),
        "amount": ("unit_price.amount", "unit_price_amount"), "plan": ("price_id", "product_id"),
    },
    signature=(("billing_cycle.interval",), ("customer_id",), ("status",), ("currency_code",), ("unit_price.amount",)),
    cents=True, basis="interval",
    note=N_("Paddle Billing amounts are in the lowest currency unit (cents); a trial ends at first_billed_at."),
)

CHARTMOGUL = Preset(
    "chartmogul_line_items", N_("ChartMogul import template"),
    {
        "customer_id": ("customer_external_id",), "subscription_id": ("subscription_external_id",),
        "plan": ("plan_external_id", "plan_name"), "start_date": ("service_period_start",), "end_date": ("service_period_end",),
        "amount": ("amount_in_cents",), "quantity": ("quantity",), "currency": ("currency",),
        "line_type": ("type", "line_item_type"),
    },
    signature=(("customer_external_id",), ("service_period_start",), ("service_period_end",), ("amount_in_cents",)),
    cents=True, basis="period",
    note=N_("Invoice line items: amount_in_cents over the service period; one-time lines are not recurring revenue."),
)

BAREMETRICS = Preset(
    "baremetrics_subscriptions", N_("Baremetrics import template"),
    {
        "subscription_id": ("subscription_oid", "oid"), "customer_id": ("customer_oid",), "plan": ("plan_name", "plan_oid"),
        "amount": ("plan_amount", "amount"), "currency": ("plan_currency", "currency"), "interval": ("plan_interval", "interval"),
        "interval_count": ("plan_interval_count", "interval_count"), "quantity": ("quantity",),
        "start_date": ("started_at",), "end_date": ("canceled_at",),
    },
    signature=(("customer_oid",), ("plan_amount", "amount"), ("started_at",)),
    cents=True, basis="interval",
    note=N_("Baremetrics amounts are integer cents; dates may be Unix timestamps."),
)

DBT_MRR = Preset(
    "dbt_mrr", N_("dbt MRR playbook"),
    {
        "subscription_id": ("subscription_id",), "customer_id": ("customer_id",), "start_date": ("start_date",),
        "end_date": ("end_date",), "mrr": ("monthly_amount",),
    },
    signature=(("subscription_id",), ("customer_id",), ("start_date",), ("end_date",), ("monthly_amount",)),
    basis="mrr",
    note=N_("subscription_periods: monthly_amount is the MRR; end_date is the first day not covered."),
)

GENERIC = Preset("generic", N_("Generic columns"), SYNONYMS, note=N_("Columns recognised by their names and common synonyms."))

PRESETS: tuple[Preset, ...] = (STRIPE_SUBSCRIPTIONS, STRIPE_INVOICES, CHARGEBEE, PADDLE, CHARTMOGUL, BAREMETRICS, DBT_MRR)
BY_KEY: dict[str, Preset] = {p.key: p for p in (*PRESETS, GENERIC)}


def detect_preset(columns: Iterable[str]) -> Preset | None:
    """The vendor format this header comes from, or None for the generic synonyms."""
    columns = list(columns)
    for preset in PRESETS:
        if preset.matches(columns):
            return preset
    return None


def get_preset(preset: Preset | str | None, columns: Iterable[str]) -> Preset:
    """Resolve the caller's choice: a Preset, a key, "auto"/None (detect) or "generic"."""
    if isinstance(preset, Preset):
        return preset
    if preset is None or preset == "auto":
        return detect_preset(columns) or GENERIC
    if preset not in BY_KEY:
        raise ValueError(f"unknown preset {preset!r}; choose one of auto, {', '.join(BY_KEY)}")
    return BY_KEY[preset]


__all__ = ["BY_KEY", "GENERIC", "PRESETS", "Preset", "detect_preset", "get_preset"]
