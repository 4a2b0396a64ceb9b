"""Which source column feeds which canonical field (METRICS.md §1).

A mapping is resolved in three steps: what the user said (`--map mrr=monthly_amount` or the
Data page), then a column named like the field, then known synonyms from exports.  Format
presets (Stripe, Chargebee, …, see `presets`) plug in as their own synonym tables.  A mapping
can be saved as JSON and loaded again for next month's export.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from retention.i18n import N_
from retention.importing.errors import LoadError

SUBSCRIPTION_FIELDS = (
    "customer_id", "start_date", "end_date", "mrr", "amount", "interval", "interval_count",
    "subscription_id", "plan", "quantity", "currency", "status", "trial_end", "paid_through", "line_type", "tax",
)
"""`paid_through`: the last paid day's start for subscriptions that stopped paying (status policy
`churn`); `line_type`: invoice line kind, one-time lines are not recurring revenue; `tax`: tax included in
`amount` (ChartMogul line items), taken off because MRR excludes tax."""
CUSTOMER_FIELDS = ("customer_id", "signup_date")

SYNONYMS: dict[str, tuple[str, ...]] = {
    "customer_id": ("customer", "customer id", "account_id", "account id", "account", "client_id", "client",
                    "company_id", "organization_id", "org_id", "user_id", "external_id", "customer_external_id"),
    "subscription_id": ("subscription", "subscription id", "sub_id", "contract_id", "id"),
    "start_date": ("start", "started_at", "start date", "start_at", "subscription_start", "subscription_start_date",
                   "period_start", "service_period_start", "begin_date", "created", "created_at"),
    "end_date": ("end", "ended_at", "end date", "end_at", "subscription_end", "subscription_end_date", "period_end",
                 "service_period_end", "canceled_at", "cancelled_at", "cancellation_date", "churn_date", "churned_at"),
    "mrr": ("monthly_amount", "mrr_amount", "monthly_revenue", "monthly recurring revenue", "mrr (usd)", "mrr_usd",
            "monthly_price", "monthly_value"),
    "amount": ("price", "plan_amount", "unit_price", "amount_paid", "total", "value"),
    "interval": ("billing_period", "billing_interval", "billing_frequency", "billing cycle", "plan_interval", "period"),
    "interval_count": ("interval count", "billing_period_count", "plan_interval_count"),
    "quantity": ("seats", "units", "qty", "licenses"),
    "plan": ("plan_name", "plan_id", "plan_tier", "product", "product_name", "tier"),
    "currency": ("currency_code", "curr"),
    "status": ("subscription_status", "state"),
    "trial_end": ("trial_end_date", "trial_ends_at", "trial end"),
    "signup_date": ("signup", "signed_up_at", "signup_at", "sign_up_date", "created", "created_at", "first_seen"),
}


def normalise_name(name: str) -> str:
    """Compare column names without case, spaces, dashes or a `(UTC)` suffix."""
    name = re.sub(r"\(utc\)", "", name.lower())
    return re.sub(r"[\s_\-.\[\]]+", "_", name).strip("_")


def parse_map_args(items: Iterable[str]) -> dict[str, str]:
    """Parse CLI `CANONICAL=SOURCE` pairs."""
    mapping: dict[str, str] = {}
    for item in items:
        canonical, sep, source = item.partition("=")
        if not sep or not canonical.strip() or not source.strip():
            raise ValueError(f"--map takes CANONICAL=SOURCE, got {item!r}")
        mapping[canonical.strip()] = source.strip()
    return mapping


def resolve_mapping(
    columns: list[str],
    fields: Iterable[str],
    file: str,
    explicit: Mapping[str, str] | None = None,
    synonyms: Mapping[str, tuple[str, ...]] = SYNONYMS,
) -> dict[str, str]:
    """Return canonical field -> source column for the fields this file has."""
    explicit = dict(explicit or {})
    by_norm: dict[str, str] = {}
    for column in columns:
        by_norm.setdefault(normalise_name(column), column)
    mapping: dict[str, str] = {}
    for canonical, source in explicit.items():
        if source in columns:
            mapping[canonical] = source
        elif normalise_name(source) in by_norm:
            mapping[canonical] = by_norm[normalise_name(source)]
        else:
            raise LoadError(
                file,
                N_("the mapping names column '{source}' for {field}, but the file has no such column; "
                "columns found: {columns}"),
                {"source": source, "field": canonical, "columns": ", ".join(columns)},
                row=1,
            )
    used = set(mapping.values())
    for canonical in fields:
        if canonical in mapping:
            continue
        for candidate in (canonical, *synonyms.get(canonical, ())):
            source = by_norm.get(normalise_name(candidate))
            if source is not None and source not in used:
                mapping[canonical] = source
                used.add(source)
                break
    return mapping


def require(mapping: Mapping[str, str], needed: str, file: str, columns: list[str]) -> None:
    if needed not in mapping:
        raise LoadError(
            file,
            N_("no column for '{field}'; columns found: {columns}. Rename one or map it "
            "(CLI: --map {field}=YOUR_COLUMN; app: the column mapping on the Data page)"),
            {"field": needed, "columns": ", ".join(columns)},
            row=1,
        )


@dataclass(frozen=True)
class SavedMapping:
    """A mapping saved by the user, with the reading options that go with it."""

    mapping: dict[str, str]
    preset: str | None = None
    date_order: str | None = None
    sheet: str | None = None


def mapping_to_json(
    mapping: Mapping[str, str], *, preset: str | None = None, date_order: str | None = None, sheet: str | None = None
) -> str:
    """The mapping (canonical field -> source column) and its options as a small JSON document."""
    document = {"version": 1, "mapping": dict(mapping), "preset": preset, "date_order": date_order, "sheet": sheet}
    return json.dumps(document, indent=2, ensure_ascii=False)


def mapping_from_json(text: str | bytes, file: str = "mapping.json") -> SavedMapping:
    """Read a saved mapping; a plain `{"field": "column"}` object works too."""
    try:
        document = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise LoadError(file, N_("this is not a saved mapping (not valid JSON)")) from exc
    if isinstance(document, dict) and "mapping" not in document:
        document = {"mapping": document}
    mapping = document.get("mapping") if isinstance(document, dict) else None
    if not isinstance(mapping, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()):
        raise LoadError(file, N_("this is not a saved mapping (it needs field names mapped to column names)"))
    unknown = sorted(set(mapping) - set(SUBSCRIPTION_FIELDS) - set(CUSTOMER_FIELDS))
    if unknown:
        raise LoadError(file, N_("the saved mapping names unknown fields: {fields}"), {"fields": ", ".join(unknown)})
    order = document.get("date_order")
    if order not in (None, "dmy", "mdy"):
        raise LoadError(file, N_("the saved date order must be dmy or mdy, got {order}"), {"order": order})
    preset, sheet = document.get("preset"), document.get("sheet")
    return SavedMapping(dict(mapping), preset if isinstance(preset, str) else None, order,
                        sheet if isinstance(sheet, str) else None)
