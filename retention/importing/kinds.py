"""Which kind of export a header belongs to, so a user who gives the wrong file hears which it is.

A founder with five CSVs from one billing tool easily puts the plans list or the product events
where the subscriptions go; "no column for 'start_date'" then sends them hunting for a column the
file never had.  `header_kind` names what the file looks like instead (from the same synonyms the
loaders use), `refuse_other_kind` turns that into a message that says where the file belongs, and
the CLI's `workspace import` sorts positional files with `header_kind` too.
"""

from __future__ import annotations

from collections.abc import Iterable

from retention.i18n import N_
from retention.importing.errors import LoadError
from retention.importing.events import looks_like_events
from retention.importing.mapping import normalise_name

SURVEY_SCORES = frozenset({"score", "nps", "nps_score", "csat", "csat_score", "rating", "satisfaction_score"})
CHURN_REASONS = frozenset({"reason", "reason_code", "churn_reason", "cancellation_reason", "cancel_reason", "churn_date",
                           "cancellation_feedback", "cancel_reason_code"})
PLAN_NAMES = frozenset({"name", "plan_name", "plan", "nickname", "product_name", "product"})
PLAN_INTERVALS = frozenset({"interval", "interval_unit", "billing_interval", "recurring_interval", "billing_cycle",
                            "billing_period", "billing_period_unit", "plan_interval", "period_unit"})
CUSTOMER_WORDS = frozenset({"email", "company", "company_name", "country", "industry", "segment", "city", "state", "zip",
                            "employees", "company_size", "website", "lead_created_at", "signup_date", "signed_up_at"})
MONEY_OR_DATES = frozenset({"mrr", "amount", "price", "start_date", "started_at", "end_date", "ended_at", "canceled_at",
                            "cancelled_at", "period_start", "period_end", "service_period_start", "service_period_end"})
CUSTOMER_IDS = frozenset({"customer_id", "customer", "account_id", "account", "client_id", "company_id", "external_id",
                          "customer_external_id", "customer_oid", "account_code"})
"""`external_id` names a customer in ChartMogul's customers template but a plan in its plans template."""

MESSAGES: dict[str, str] = {
    "events": N_("this file looks like product usage events (a time and a user or account on each row), not "
                 "subscriptions. Load it as the events file (app: the product events upload; CLI: --events FILE)."),
    "surveys": N_("this file looks like survey answers (a score on each row), not subscriptions. Load it as the "
                  "survey file (app: the survey upload; CLI: --surveys FILE)."),
    "churn_reasons": N_("this file looks like churn reasons (a reason for each cancellation), not subscriptions. Load "
                        "it as the churn reasons file (app: the churn reasons upload; CLI: --churn-reasons FILE)."),
    "plans": N_("this file looks like a list of plans or prices (a name and a billing interval, no customers), not "
                "subscriptions. The plans are read from the subscriptions, invoices or payments export itself: load "
                "that file instead."),
    "customers": N_("this file looks like a customers list (one row per customer, no subscription dates or amounts), "
                    "not subscriptions. Load it as the customers file (app: the customers upload; CLI: --customers "
                    "FILE) next to the subscriptions export."),
}


def header_kind(columns: Iterable[str]) -> str | None:
    """`events`, `surveys`, `churn_reasons`, `plans` or `customers` when the header clearly is one, else None."""
    columns = [str(c) for c in columns]
    names = {normalise_name(c) for c in columns}
    if looks_like_events(columns):
        return "events"
    if names & SURVEY_SCORES:
        return "surveys"
    if names & CHURN_REASONS:
        return "churn_reasons"
    if names & PLAN_NAMES and names & PLAN_INTERVALS and not names & (CUSTOMER_IDS - {"external_id"}):
        return "plans"
    if names & CUSTOMER_IDS and names & CUSTOMER_WORDS and not names & MONEY_OR_DATES:
        return "customers"
    return None


def refuse_other_kind(columns: Iterable[str], file: str) -> None:
    """Raise a `LoadError` that says where this file belongs when it is not a subscriptions file at all."""
    kind = header_kind(columns)
    if kind is not None:
        raise LoadError(file, MESSAGES[kind], {}, row=1)


__all__ = ["MESSAGES", "header_kind", "refuse_other_kind"]
