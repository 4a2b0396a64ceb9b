"""Read cancellations and churn feedback into the canonical churn reasons table.

Billing tools (Stripe's `cancellation_details`, Chargebee's cancel reason codes, Baremetrics'
cancellation insights) and survey tools export why customers left: one row per cancellation with
the customer, a date, a reason (a code such as `pricing` or a picked answer) and often a free-text
comment and a refund.  RavenStack's `churn_events` file is one: `account_id`, `churn_date`,
`reason_code`, `refund_amount_usd`, `feedback_text`.

Each row becomes `customer_id`, `date`, `reason`, `comment`, `refund`, `kind`:

- `reason` keeps the file's words (spaces for `_`, surrounding blanks removed): reasons are the
  customer's words or the tool's codes, and the app groups them without rewriting them.
- `kind` is `involuntary` when the row says payment failed (a failed or declined payment,
  `unpaid`, dunning, an expired card…), `voluntary` otherwise; a column saying so
  (`churn_type`, `voluntary`) wins over the words.
- A row needs a reason or a comment: a cancellation that says nothing is rejected with a reason,
  like every row that cannot be used (no customer, no date, a refund that is not an amount ≥ 0).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

from retention.i18n import N_
from retention.importing.events import RowRejects
from retention.importing.mapping import normalise_name, require, resolve_mapping
from retention.importing.parse import parse_dates, parse_numbers
from retention.importing.reader import read_table
from retention.importing.result import LoadResult

CHURN_REASON_FIELDS = ("customer_id", "date", "reason", "comment", "refund", "kind")
CHURN_REASON_COLUMNS = ["customer_id", "date", "reason", "comment", "refund", "kind"]
CHURN_REASON_SYNONYMS: dict[str, tuple[str, ...]] = {
    "customer_id": (
        "customer", "customer id", "account_id", "account id", "account", "client_id", "company_id",
        "organization_id", "org_id", "subscriber_id", "user_id",
    ),
    "date": (
        "churn_date", "cancellation_date", "cancelled_at", "canceled_at", "cancelled_on",
        "cancel_date", "canceled_date", "cancelled_date", "churned_at", "churned_on", "ended_at", "end_date",
        "created_at", "submitted_at", "timestamp", "event_date",
    ),
    "reason": (
        "reason_code", "churn_reason", "cancellation_feedback", "cancellation_details_feedback", "cancel_reason",
        "cancel_reason_code", "cancellation_reason", "cancellation_reason_code", "cancellation_details_reason",
        "feedback", "reason_category", "category", "primary_reason",
    ),
    "comment": (
        "comments", "feedback_text", "cancellation_comment", "cancel_comment", "churn_comment", "comment_text",
        "free_text", "text", "verbatim", "notes", "note", "details", "cancellation_details_comment", "message",
    ),
    "refund": (
        "refund_amount", "refund_amount_usd", "refund_amount_eur", "refunded", "refunded_amount", "refund_usd",
        "amount_refunded",
    ),
    "kind": ("churn_type", "cancellation_type", "voluntary", "type", "churn_kind"),
}
KINDS = ("voluntary", "involuntary")
KIND_WORDS = {
    "voluntary": "voluntary", "involuntary": "involuntary", "true": "voluntary", "false": "involuntary",
    "yes": "voluntary", "no": "involuntary", "delinquent": "involuntary", "delinquency": "involuntary",
}
_PAYMENT = re.compile(
    r"payment[ _-]?(?:failed|failure|declined|disputed|issue|problem)|failed[ _-]?(?:payment|charge|card|invoice)|unpaid|"
    r"non[ _-]?payment|declined|dunning|delinquen|card[ _-]?(?:expired|declined)|expired[ _-]?card|chargeback|"
    r"insufficient[ _-]?funds|involuntary|past[ _-]?due", re.IGNORECASE)
"""Words that say a customer left because a payment failed, not by choice."""


def is_payment_failure(text: pd.Series) -> np.ndarray:
    """True where a reason or comment says the payment failed (see `_PAYMENT`)."""
    return text.astype(str).str.contains(_PAYMENT, regex=True, na=False).to_numpy()


def tidy_reason(text: pd.Series) -> pd.Series:
    """`switched_to_competitor ` -> `switched to competitor`: codes read as words, the words kept."""
    return text.astype(str).str.replace("_", " ", regex=False).str.split().str.join(" ")


def _other_reason_columns(columns: list[str], resolved: Mapping[str, str]) -> list[str]:
    """Unmapped columns that may say a payment failed: another reason column, a status."""
    used = set(resolved.values())
    return [c for c in columns if c not in used and re.search(r"reason|status|state", normalise_name(c))]


def churn_reasons_from_frame(raw: pd.DataFrame, file: str, mapping: Mapping[str, str] | None = None) -> LoadResult:
    """Canonical churn reasons from a text table whose index is the spreadsheet row number."""
    from retention.importing.tables import _decimal_hints

    columns = list(raw.columns)
    resolved = resolve_mapping(columns, CHURN_REASON_FIELDS, file, mapping, synonyms=CHURN_REASON_SYNONYMS)
    for needed in ("customer_id", "date"):
        require(resolved, needed, file, columns)
    if "reason" not in resolved and "comment" not in resolved:
        require(resolved, "reason", file, columns)
    rj = RowRejects(file, raw, resolved)

    customer = raw[resolved["customer_id"]].astype(str).str.strip()
    rj.reject(customer.eq(""), "customer_id", N_("missing customer id"))
    dates, bad_date = parse_dates(raw[resolved["date"]])
    rj.reject(bad_date, "date", N_("not a date"))
    rj.reject(dates.isna(), "date", N_("missing date"))
    empty = pd.Series("", index=raw.index)
    reason = tidy_reason(raw[resolved["reason"]]) if "reason" in resolved else empty
    for column in _other_reason_columns(columns, resolved):
        if "reason" in normalise_name(column):
            # Stripe: the feedback code is the reason; its `cancellation_reason` speaks when feedback is empty.
            reason = reason.where(reason.ne(""), tidy_reason(raw[column]))
    comment = raw[resolved["comment"]].astype(str).str.strip() if "comment" in resolved else empty
    rj.reject(reason.eq("") & comment.eq(""), "reason" if "reason" in resolved else "comment",
              N_("no reason and no comment: the row says nothing about why the customer left"))
    if "refund" in resolved:
        decimal = _decimal_hints(raw, resolved, ("refund",))[resolved["refund"]]
        refund, bad_refund = parse_numbers(raw[resolved["refund"]], decimal)
        rj.reject(bad_refund, "refund", N_("not a number"))
        rj.reject((refund < 0).to_numpy(), "refund", N_("a refund is an amount of 0 or more"))
    else:
        refund = pd.Series(np.nan, index=raw.index)

    involuntary = is_payment_failure(reason) | is_payment_failure(comment)
    for column in _other_reason_columns(columns, resolved):
        # Stripe exports its feedback code and its reason (`payment_failed`) side by side; a status says `unpaid`.
        involuntary |= is_payment_failure(raw[column])
    kind = pd.Series(np.where(involuntary, "involuntary", "voluntary"), index=raw.index)
    if "kind" in resolved:
        words = raw[resolved["kind"]].astype(str).str.strip().str.lower()
        said = words.map(KIND_WORDS)
        rj.reject(said.isna() & words.ne(""), "kind", N_("unknown churn type (use voluntary or involuntary)"))
        kind = said.fillna(kind)

    keep = rj.alive
    table = pd.DataFrame(
        {
            "customer_id": customer[keep].astype(object),
            "date": dates[keep],
            "reason": reason[keep].astype(object),
            "comment": comment[keep].astype(object),
            "refund": refund[keep].astype(np.float64),
            "kind": pd.Categorical(kind[keep], categories=list(KINDS)),
        },
        columns=CHURN_REASON_COLUMNS,
    )
    table.index.name = "row"
    return LoadResult(N_("churn reasons"), file, table, rj.rejects(), len(raw), resolved,
                      notes=tuple(raw.attrs.get("notes", ())))


def load_churn_reasons(data: bytes, file: str, mapping: Mapping[str, str] | None = None) -> LoadResult:
    """Read cancellations / churn feedback from CSV or Excel bytes (see the module docstring)."""
    return churn_reasons_from_frame(read_table(data, file), file, mapping)
