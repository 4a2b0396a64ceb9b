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
    """`interval` (amount per billing interval), `period` (amount per service period: invoices), `mrr`, `auto`, or
    `ledger` (payments without service periods: spans are inferred by `importing.ledger`)."""
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
    "stripe_invoices", N_("Stripe invoice line items"),
    {
        "customer_id": ("Customer ID", "Customer"), "subscription_id": ("Subscription ID", "Subscription"),
        "start_date": ("Period Start (UTC)", "Line Item Period Start (UTC)"),
        "end_date": ("Period End (UTC)", "Line Item Period End (UTC)"), "amount": ("Amount", "Line Item Amount", "Total", "Amount Paid"),
        "quantity": ("Quantity",), "currency": ("Currency",), "status": ("Status", "Invoice Status"),
        "plan": ("Plan", "Price", "Description"), "line_type": ("Type", "Line Item Type"),
    },
    # One row per invoice *line*: only a line's period is its service period (an invoice's own
    # period_start/end is the previous period of usage, so plain invoice exports go to the payment ledger).
    signature=(("Period Start (UTC)", "Line Item Period Start (UTC)"), ("Period End (UTC)", "Line Item Period End (UTC)"),
               ("Customer ID", "Customer"), ("Line Item ID", "Invoice Line Item ID", "Line Item Id", "Invoice Item ID"),
               ("Amount", "Line Item Amount", "Total", "Amount Paid")),
    basis="period", utc_suffix=True,
    note=N_("Each line's service period is one span; its MRR is the amount over the period's length in months."),
)

CHARGEBEE = Preset(
    "chargebee_subscriptions", N_("Chargebee subscriptions"),
    {
        "subscription_id": ("Subscription Id", "subscription[id]", "subscriptions.id"),
        "customer_id": ("Customer Id", "subscription[customer_id]", "subscriptions.customer_id", "customers.id"),
        "plan": ("Plan Id", "Plan Name", "subscription[plan_id]", "subscriptions.plan_id"),
        "quantity": ("Plan Quantity", "subscription[plan_quantity]", "subscriptions.plan_quantity"),
        "amount": ("Plan Unit Price", "subscription[plan_unit_price]", "subscriptions.plan_unit_price"),
        "currency": ("Currency Code", "Currency", "subscriptions.currency_code"),
        "status": ("Status", "subscription[status]", "subscriptions.status"),
        "trial_end": ("Trial End", "subscription[trial_end]", "subscriptions.trial_end"),
        "start_date": ("Started At", "Start Date", "subscription[started_at]", "subscriptions.started_at", "Created At",
                       "subscriptions.created_at"),
        "end_date": ("Cancelled At", "subscription[cancelled_at]", "subscriptions.cancelled_at"),
        "interval": ("Billing Period Unit", "subscription[billing_period_unit]", "subscriptions.billing_period_unit"),
        "interval_count": ("Billing Period", "subscription[billing_period]", "subscriptions.billing_period"),
        "paid_through": ("Pause Date", "subscriptions.pause_date"),
    },
    signature=(("Plan Unit Price", "subscription[plan_unit_price]", "subscriptions.plan_unit_price"),
               ("Billing Period Unit", "subscription[billing_period_unit]", "subscriptions.billing_period_unit"),
               ("Customer Id", "subscription[customer_id]", "subscriptions.customer_id"),
               ("Status", "subscription[status]", "subscriptions.status")),
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
        "customer_id": ("customer_external_id", "data_source_customer_external_id"),
        "subscription_id": ("subscription_external_id", "line_item_subscription_external_id"),
        "plan": ("plan_external_id", "line_item_plan_external_id", "plan_uuid", "line_item_plan_uuid", "plan_name"),
        "start_date": ("service_period_start", "line_item_service_period_start"),
        "end_date": ("service_period_end", "line_item_service_period_end"),
        "amount": ("amount_in_cents", "line_item_amount_in_cents"), "quantity": ("quantity", "line_item_quantity"),
        "currency": ("currency",), "line_type": ("type", "line_item_type"),
        "tax": ("tax_amount_in_cents", "line_item_tax_amount_in_cents"),
    },
    # ChartMogul's invoice line items (dev.chartmogul.com, Import Invoices and the Invoice Line Items
    # dataset): type subscription/one_time, service_period_start/end, amount_in_cents is the final amount
    # *including* tax_amount_in_cents, which MRR leaves out; the invoice's customer_external_id on each line.
    signature=(("customer_external_id", "data_source_customer_external_id"),
               ("service_period_start", "line_item_service_period_start"),
               ("service_period_end", "line_item_service_period_end"), ("amount_in_cents", "line_item_amount_in_cents")),
    cents=True, basis="period",
    note=N_("Invoice line items: amount_in_cents over the service period; one-time lines are not recurring revenue."),
)

BAREMETRICS = Preset(
    "baremetrics_subscriptions", N_("Baremetrics import template"),
    {
        "subscription_id": ("subscription_oid", "oid"), "customer_id": ("customer_oid",), "plan": ("plan_name", "plan_oid"),
        "amount": ("plan_amount", "amount"), "currency": ("plan_currency", "currency"), "interval": ("plan_interval", "interval"),
        "interval_count": ("plan_interval_count", "interval_count"), "quantity": ("subscription_quantity", "quantity"),
        "start_date": ("subscription_started_at", "started_at"), "end_date": ("subscription_canceled_at", "canceled_at"),
    },
    # Columns of Baremetrics' "Manual Subscription Import Guide" template (help.baremetrics.com, article
    # 5380088): plan_amount in integer cents, plan_interval + plan_interval_count, subscription_canceled_at
    # the cancellation date (not the period end), subscription_quantity (default 1).
    signature=(("customer_oid",), ("plan_amount", "amount"), ("subscription_started_at", "started_at")),
    cents=True, basis="interval",
    note=N_("Baremetrics amounts are integer cents; subscription_canceled_at ends the subscription."),
)

STRIPE_SYNC = Preset(
    "stripe_sync_subscriptions", N_("Stripe subscriptions (warehouse sync)"),
    {
        "subscription_id": ("id", "subscription_id"), "customer_id": ("customer_id", "customer"), "status": ("status",),
        "start_date": ("start_date", "created"), "end_date": ("ended_at",), "trial_end": ("trial_end",),
        "paid_through": ("current_period_start",), "quantity": ("quantity", "subscription_item_quantity"),
        "amount": ("plan_amount", "price_unit_amount", "unit_amount", "plan.amount", "amount"),
        "interval": ("plan_interval", "price_recurring_interval", "recurring_interval", "plan.interval", "interval"),
        "interval_count": ("plan_interval_count", "price_recurring_interval_count", "recurring_interval_count",
                           "plan.interval_count", "interval_count"),
        "currency": ("plan_currency", "price_currency", "currency"), "plan": ("plan_id", "price_id", "plan_nickname"),
    },
    # The subscription table that Fivetran, Stitch, Airbyte and Stripe Data Pipeline land (Stripe API
    # names: customer, start_date, ended_at, current_period_start/end, trial_end), joined with its plan
    # or price (amount/unit_amount in the smallest currency unit, interval, interval_count).
    signature=(("customer_id", "customer"), ("status",), ("current_period_start",), ("current_period_end",),
               ("ended_at",), ("plan_amount", "price_unit_amount", "unit_amount", "plan.amount", "amount")),
    cents=True, basis="interval",
    note=N_("Stripe API amounts are integer cents; ended_at ends the subscription; dates may be Unix timestamps."),
)

RECURLY = Preset(
    "recurly_subscriptions", N_("Recurly subscriptions export"),
    {
        "subscription_id": ("uuid", "subscription_id", "id"), "customer_id": ("account_code", "account_id"),
        "plan": ("plan_code", "plan_name"), "status": ("state", "subscription_state"), "quantity": ("quantity",),
        "amount": ("unit_amount", "subscription_unit_amount", "plan_unit_amount"), "currency": ("currency",),
        "start_date": ("activated_at", "subscription_activated_at"), "end_date": ("expires_at", "subscription_expires_at"),
        "trial_end": ("trial_ends_at",), "interval": ("plan_interval_unit", "interval_unit", "billing_interval_unit"),
        "interval_count": ("plan_interval_length", "interval_length", "billing_interval_length"),
    },
    # Recurly's Subscriptions export (docs.recurly.com/docs/subscriptions-exports): uuid, account_code,
    # plan_code, state, quantity, unit_amount (currency units), currency, activated_at, canceled_at (when
    # cancellation was asked: the subscription runs to its term end), expires_at (when it ends).
    signature=(("account_code",), ("activated_at", "subscription_activated_at"), ("expires_at", "subscription_expires_at"),
               ("state", "subscription_state")),
    basis="interval",
    note=N_("expires_at ends the subscription; canceled_at only says when the cancellation was asked for."),
)

LAGO = Preset(
    "lago_subscriptions", N_("Lago subscriptions"),
    {
        "subscription_id": ("external_id", "lago_id"), "customer_id": ("external_customer_id", "lago_customer_id"),
        "plan": ("plan_code", "plan_name"), "status": ("status",), "start_date": ("started_at", "subscription_at"),
        "end_date": ("terminated_at",), "trial_end": ("trial_ended_at",),
        "amount": ("plan_amount_cents", "amount_cents"), "currency": ("plan_amount_currency", "amount_currency", "currency"),
        "interval": ("plan_interval", "interval"),
    },
    # Lago's subscription object (getlago.com/docs/api-reference/subscriptions/subscription-object):
    # external_id, external_customer_id, plan_code, status, started_at, terminated_at, trial_ended_at;
    # joined with its plan: amount_cents, amount_currency, interval (weekly, monthly, quarterly, yearly).
    signature=(("external_customer_id",), ("plan_code",), ("started_at", "subscription_at"), ("terminated_at",)),
    cents=True, basis="interval",
    note=N_("Lago amounts are in cents (amount_cents); terminated_at ends the subscription."),
)

PADDLE_CLASSIC = Preset(
    "paddle_classic_subscriptions", N_("Paddle Classic subscription users"),
    {
        "subscription_id": ("subscription_id",), "customer_id": ("user_id", "user_email"), "plan": ("plan_id", "plan_name"),
        "status": ("state", "status"), "start_date": ("signup_date",),
        "end_date": ("cancellation_effective_date", "cancelled_at", "canceled_at"), "paid_through": ("paused_from",),
        "amount": ("last_payment.amount", "next_payment.amount", "unit_price", "recurring_price"),
        "currency": ("last_payment.currency", "next_payment.currency", "currency"),
        "interval": ("billing_type", "plan_billing_type"), "interval_count": ("billing_period", "plan_billing_period"),
        "quantity": ("quantity",),
    },
    # Paddle Classic's List Users endpoint (subscription/users): subscription_id, plan_id, user_id, state,
    # signup_date, last_payment/next_payment {amount, currency} in currency units, paused_from; the
    # plan's billing_type (day, week, month, year) and billing_period give the interval.
    signature=(("subscription_id",), ("user_id", "user_email"), ("signup_date",), ("state", "status")),
    basis="interval",
    note=N_("Paddle Classic amounts are in currency units; deleted subscriptions end at their cancellation date."),
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

LEDGER_FIELDS = ("customer_id", "start_date", "amount", "currency", "status", "subscription_id", "invoice_id",
                 "refunded", "line_type", "tax", "period_end")
"""Fields of a payment ledger (`ledger`); `start_date` is the payment date, the name the mapping editor shows;
`period_end` the end of the billing period a payment pays for, where the export says."""

LEDGER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "customer_id": ("customer_id", "customer", "customer id", "customer_email", "account_id", "account", "client_id",
                    "client", "user_id", "payer", "payer_email", "email"),
    "start_date": ("date", "payment_date", "paid_at", "paid_on", "charged_at", "transaction_date", "invoice_date",
                   "billed_at", "created", "created_at", "created date", "timestamp"),
    "amount": ("amount", "amount_paid", "paid", "total", "gross", "net", "payment", "price", "value", "revenue"),
    "currency": ("currency", "currency_code", "curr"),
    "status": ("status", "state", "payment_status"),
    "subscription_id": ("subscription", "subscription_id"),
    "invoice_id": ("invoice", "invoice_id", "invoice_number"),
    "refunded": ("amount_refunded", "refunded_amount", "refunded"),
    "line_type": ("type", "kind", "charge_type"),
}

STRIPE_INVOICE_LEDGER = Preset(
    "stripe_invoice_payments", N_("Stripe invoices (payment history)"),
    {
        "customer_id": ("Customer", "Customer ID"), "start_date": ("Paid At (UTC)", "Date (UTC)", "Created (UTC)"),
        "amount": ("Amount Paid", "Total"), "tax": ("Tax",), "currency": ("Currency",), "status": ("Status",),
        "subscription_id": ("Subscription", "Subscription ID"), "invoice_id": ("id", "Number"),
    },
    # Stripe Dashboard invoices export, one row per invoice: id, Customer, Date (UTC), Amount Paid, Tax,
    # Currency, Status, Subscription.  An invoice's own period is not its service period, so invoices
    # are payments whose cadence is read from their dates.
    signature=(("Customer", "Customer ID"), ("Date (UTC)", "Paid At (UTC)"), ("Amount Paid", "Amount Due"), ("Subscription",)),
    basis="ledger", utc_suffix=True,
    note=N_("Each paid invoice is a payment; the billing cadence is read from the dates between them."),
)

STRIPE_PAYMENTS = Preset(
    "stripe_payments", N_("Stripe payments"),
    {
        "customer_id": ("Customer ID", "Customer Email"), "start_date": ("Created date (UTC)", "Created (UTC)"),
        "amount": ("Converted Amount", "Amount"), "currency": ("Converted Currency", "Currency"),
        "refunded": ("Converted Amount Refunded", "Amount Refunded"), "status": ("Status",), "invoice_id": ("Invoice ID",),
    },
    # Stripe Dashboard payments export (unified_payments.csv): id, Created date (UTC), Amount, Amount
    # Refunded, Currency, Converted Amount, Converted Currency, Status, Customer ID, Invoice ID.
    signature=(("Created date (UTC)", "Created (UTC)"), ("Customer ID",), ("Amount",), ("Amount Refunded",), ("Status",)),
    basis="ledger", utc_suffix=True,
    note=N_("Payments net of refunds; payments without an invoice are one-off charges."),
)

PADDLE_TRANSACTIONS = Preset(
    "paddle_transactions", N_("Paddle transactions"),
    {
        "customer_id": ("customer_id",), "start_date": ("billed_at", "created_at"),
        "amount": ("details.totals.total", "totals.total", "total"), "tax": ("details.totals.tax", "totals.tax", "tax"),
        "currency": ("currency_code",), "status": ("status",), "subscription_id": ("subscription_id",),
        "invoice_id": ("invoice_number", "invoice_id"), "line_type": ("origin",),
        "period_end": ("billing_period.ends_at", "billing_period_ends_at"),
    },
    # Paddle Billing transaction entity (developer.paddle.com/api-reference/transactions): customer_id,
    # subscription_id, status (completed, paid, past_due, canceled…), origin, billed_at, currency_code,
    # details.totals.total and .tax in the lowest currency unit; billing_period.starts_at/ends_at, the
    # period a renewal pays for (empty for one-time charges).  Paddle's transaction reports "mirror fields
    # in the Paddle API" (developer.paddle.com/build/finance/reports/transactions).
    signature=(("customer_id",), ("billed_at",), ("currency_code",), ("origin",)),
    cents=True, basis="ledger",
    note=N_("Paddle amounts are in cents; tax is taken off; one-time charges are not recurring revenue."),
)

GENERIC_LEDGER = Preset("generic_ledger", N_("Payment history (generic columns)"), LEDGER_SYNONYMS, basis="ledger",
                        note=N_("Customer, payment date and amount: subscriptions are inferred from the payments."))

GENERIC = Preset("generic", N_("Generic columns"), SYNONYMS, note=N_("Columns recognised by their names and common synonyms."))

PRESETS: tuple[Preset, ...] = (STRIPE_SUBSCRIPTIONS, STRIPE_INVOICES, CHARGEBEE, PADDLE, CHARTMOGUL, BAREMETRICS, STRIPE_SYNC,
                               RECURLY, LAGO, PADDLE_CLASSIC, DBT_MRR, STRIPE_INVOICE_LEDGER, STRIPE_PAYMENTS, PADDLE_TRANSACTIONS)
BY_KEY: dict[str, Preset] = {p.key: p for p in (*PRESETS, GENERIC_LEDGER, GENERIC)}


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
