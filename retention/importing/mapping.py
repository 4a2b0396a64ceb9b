"""Which source column feeds which canonical field (METRICS.md §1).

A mapping is resolved in three steps: what the user said (`--map mrr=monthly_amount` or the
Data page), then a column named like the field, then known synonyms from exports.  Format
presets (Stripe, Chargebee, …) plug in as extra synonym tables.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from retention.importing.errors import LoadError

SUBSCRIPTION_FIELDS = (
    "customer_id", "start_date", "end_date", "mrr", "amount", "interval", "interval_count",
    "subscription_id", "plan", "quantity", "currency", "status", "trial_end",
)
CUSTOMER_FIELDS = ("customer_id", "signup_date")

SYNONYMS: dict[str, tuple[str, ...]] = {
    "customer_id": ("customer", "customer id", "account_id", "account id", "account", "client_id", "user_id"),
    "subscription_id": ("subscription", "subscription id", "sub_id", "id"),
    "start_date": ("start", "started_at", "start date", "start_at", "created", "created_at", "subscription_start"),
    "end_date": ("end", "ended_at", "end date", "end_at", "canceled_at", "cancelled_at", "churn_date"),
    "mrr": ("monthly_amount", "mrr_amount", "monthly_revenue", "monthly recurring revenue", "mrr (usd)"),
    "amount": ("price", "plan_amount", "total", "value"),
    "interval": ("billing_period", "billing_interval", "billing_frequency", "billing cycle", "period"),
    "interval_count": ("interval count", "billing_period_count"),
    "quantity": ("seats", "units", "qty"),
    "plan": ("plan_name", "plan_id", "plan_tier", "product", "tier"),
    "trial_end": ("trial_end_date", "trial_ends_at", "trial end"),
    "signup_date": ("signup", "signed_up_at", "created", "created_at", "first_seen"),
}


def normalise_name(name: str) -> str:
    """Compare column names without case, spaces, dashes or a `(UTC)` suffix."""
    name = re.sub(r"\(utc\)", "", name.lower())
    return re.sub(r"[\s_\-.]+", "_", name).strip("_")


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
                "the mapping names column '{source}' for {field}, but the file has no such column; "
                "columns found: {columns}",
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
            "no column for '{field}'; columns found: {columns}. Rename one or map it "
            "(CLI: --map {field}=YOUR_COLUMN; app: the column mapping on the Data page)",
            {"field": needed, "columns": ", ".join(columns)},
            row=1,
        )
