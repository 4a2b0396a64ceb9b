"""A source table in a database, read as canonical subscriptions (METRICS.md §1), inside the database.

The same rules as a file import, as Ibis expressions: the column mapping (`--map CANONICAL=SOURCE`,
then same-named columns, then the importer's synonyms), monthly normalisation of amount + interval,
and the status policy (`exclude` drops, `trial` needs a trial end, `churn` ends an open span on its
`paid_through` day).  Rows that cannot be used are counted by reason (`Intake.rejected`), so rows
read = rows used + rows rejected holds for a table too; nothing is pulled into Python to do it.

`stripe_sync` reads the standard Stripe sync schema (Stripe Data Pipeline, Fivetran, Airbyte):
`subscriptions` + `subscription_items` + `prices`, amounts in minor units, `ended_at`/`cancel_at`,
trials.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

from retention.i18n import N_
from retention.importing.mapping import CUSTOMER_FIELDS, SUBSCRIPTION_FIELDS, resolve_mapping
from retention.importing.status import StatusPolicy

MONTHS = {"day": 12 / 365, "week": 12 / 52, "month": 1.0, "quarter": 3.0, "year": 12.0}
"""Months per billing interval (METRICS.md §1); `monthly`, `yearly`, `annual`… are read as these."""
INTERVAL_WORDS = {"daily": "day", "weekly": "week", "monthly": "month", "quarterly": "quarter", "yearly": "year",
                  "annual": "year", "annually": "year", "months": "month", "years": "year", "weeks": "week", "days": "day"}
ZERO_DECIMAL = ("bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf")
"""Currencies Stripe stores without minor units (an amount of 500 JPY is 500, not 5.00)."""


class SourceError(ValueError):
    """A source table cannot be read as subscriptions; the message names the table and column."""


@dataclass(frozen=True)
class Intake:
    """A source table made canonical, with what was rejected and why (counted in the backend)."""

    subscriptions: ir.Table
    customers: ir.Table | None
    mapping: dict[str, str]
    rows_read: int
    rejected: dict[str, int]

    @property
    def rows_used(self) -> int:
        return self.rows_read - sum(self.rejected.values())


def canonical_subscriptions(table: ir.Table, name: str, mapping: Mapping[str, str] | None = None,
                            policy: StatusPolicy | None = None) -> tuple[ir.Table, ir.Table, dict[str, str]]:
    """(canonical table, table of every row with its `reason` or null, resolved mapping)."""
    columns = list(table.columns)
    try:
        resolved = resolve_mapping(columns, SUBSCRIPTION_FIELDS, name, mapping)
    except Exception as exc:  # LoadError: same message as for a file
        raise SourceError(str(exc)) from None
    for needed in ("customer_id", "start_date"):
        if needed not in resolved:
            raise SourceError(f"table {name}: no column for '{needed}'; columns found: {', '.join(columns)}. "
                              f"Map one with --map {needed}=COLUMN")
    if "mrr" not in resolved and not {"amount", "interval"} <= set(resolved):
        raise SourceError(f"table {name}: needs an 'mrr' column, or 'amount' and 'interval'; columns found: {', '.join(columns)}")
    col = {field: table[source] for field, source in resolved.items()}
    policy = policy or StatusPolicy()

    start = col["start_date"].cast("date")
    end = col["end_date"].cast("date") if "end_date" in col else ibis.null().cast("date")
    trial = col["trial_end"].cast("date") if "trial_end" in col else ibis.null().cast("date")
    reason = ibis.null().cast("string")
    if "mrr" in col:
        mrr = col["mrr"].cast("float64")
    else:
        word = col["interval"].cast("string").strip().lower()
        word = word.substitute(INTERVAL_WORDS, else_=word)
        months = word.substitute({k: ibis.literal(v) for k, v in MONTHS.items()}, else_=ibis.null().cast("float64"))
        count = col["interval_count"].cast("float64").fill_null(1.0) if "interval_count" in col else ibis.literal(1.0)
        quantity = col["quantity"].cast("float64").fill_null(1.0) if "quantity" in col else ibis.literal(1.0)
        mrr = col["amount"].cast("float64") * quantity / (months * count).nullif(0.0)
        reason = ibis.ifelse(months.isnull(), N_("unknown interval"), reason)
    if "status" in col:
        status = col["status"].cast("string").strip().lower()
        action = status.substitute(dict(policy.actions), else_="count")
        paid_through = col["paid_through"].cast("date") if "paid_through" in col else ibis.null().cast("date")
        end = ibis.ifelse((action == "churn") & end.isnull(), paid_through, end)
        reason = ibis.ifelse(action == "exclude", N_("status excluded by the status policy"), reason)
        reason = ibis.ifelse((action == "trial") & trial.isnull(), N_("trial without a trial end"), reason)
        reason = ibis.ifelse((action == "churn") & end.isnull(), N_("stopped paying, but no end or paid-through date"), reason)
    customer = col["customer_id"].cast("string").strip()
    reason = ibis.ifelse(mrr < 0, N_("negative amount"), reason)
    reason = ibis.ifelse(end.notnull() & (end < start), N_("end before start"), reason)
    reason = ibis.ifelse(start.isnull(), N_("no start date"), reason)
    reason = ibis.ifelse(customer.isnull() | (customer == ""), N_("no customer id"), reason)
    every = table.select(
        customer_id=customer, subscription_id=_text(col, "subscription_id"), start_date=start, end_date=end, mrr=mrr,
        plan=_text(col, "plan"), quantity=col["quantity"].cast("float64").fill_null(1.0) if "quantity" in col else ibis.literal(1.0),
        currency=_text(col, "currency").upper(), status=_text(col, "status").lower(), trial_end=trial, reason=reason,
    )
    used = every.filter(every.reason.isnull()).drop("reason")
    return used, every, resolved


def _text(col: Mapping[str, ir.Value], field: str) -> ir.Value:
    """A descriptive field as the importer keeps it: stripped text, "" when the source has none."""
    if field not in col:
        return ibis.literal("")
    return col[field].cast("string").strip().fill_null("")


def canonical_customers(table: ir.Table, name: str, mapping: Mapping[str, str] | None = None) -> ir.Table:
    """customer_id (text) and every other column as a segment attribute."""
    columns = list(table.columns)
    resolved = resolve_mapping(columns, CUSTOMER_FIELDS, name, mapping)
    if "customer_id" not in resolved:
        raise SourceError(f"table {name}: no column for 'customer_id'; columns found: {', '.join(columns)}")
    source = resolved["customer_id"]
    rest = {c: table[c] for c in columns if c != source}
    return table.select(customer_id=table[source].cast("string").strip(), **rest)


def stripe_sync(con, *, schema: str | None = None) -> ir.Table:
    """Subscriptions from the Stripe sync schema, one span per subscription item, MRR in major units.

    subscriptions (id, customer, status, start_date, ended_at, cancel_at, trial_end),
    subscription_items (subscription, price, quantity), prices (id, unit_amount, currency,
    recurring_interval, recurring_interval_count).  A subscription scheduled to cancel (`cancel_at`)
    ends then; `ended_at` wins when it has ended.  The status column feeds the status policy.
    """
    kw = {"database": schema} if schema else {}
    subs, items, prices = (con.table(t, **kw) for t in ("subscriptions", "subscription_items", "prices"))
    _need(subs, "subscriptions", "id", "customer", "start_date")
    _need(items, "subscription_items", "subscription", "price")
    _need(prices, "prices", "id", "unit_amount", "recurring_interval")
    s = subs.select(
        sub_id=subs.id, customer=subs.customer, start_date=subs.start_date,
        ended_at=_ts(subs, "ended_at"), cancel_at=_ts(subs, "cancel_at"), trial_end=_ts(subs, "trial_end"),
        status=subs.status.cast("string") if "status" in subs.columns else ibis.literal("active"),
    )
    i = items.select(
        subscription=items.subscription, price=items.price,
        quantity=items.quantity.cast("float64").fill_null(1.0) if "quantity" in items.columns else ibis.literal(1.0),
    )
    p = prices.select(
        price_id=prices.id, unit_amount=prices.unit_amount.cast("float64"),
        currency=prices.currency.cast("string").lower() if "currency" in prices.columns else ibis.literal("usd"),
        interval=prices.recurring_interval.cast("string"),
        interval_count=(prices.recurring_interval_count.cast("float64").fill_null(1.0)
                        if "recurring_interval_count" in prices.columns else ibis.literal(1.0)),
    )
    joined = i.join(s, i.subscription == s.sub_id).join(p, i.price == p.price_id)
    minor = ibis.ifelse(joined.currency.isin(list(ZERO_DECIMAL)), 1.0, 100.0)
    return joined.select(
        customer_id=joined.customer.cast("string"),
        subscription_id=joined.subscription.cast("string"),
        start_date=joined.start_date.cast("timestamp").cast("date"),
        end_date=joined.ended_at.coalesce(joined.cancel_at),
        amount=joined.unit_amount / minor,
        interval=joined.interval,
        interval_count=joined.interval_count,
        quantity=joined.quantity,
        status=joined.status,
        trial_end=joined.trial_end,
        currency=joined.currency,
    )


def _ts(table: ir.Table, column: str) -> ir.Value:
    return table[column].cast("timestamp").cast("date") if column in table.columns else ibis.null().cast("date")


def _need(table: ir.Table, name: str, *columns: str) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise SourceError(f"table {name}: no column {', '.join(missing)} (Stripe sync schema); columns found: "
                          f"{', '.join(table.columns)}")


def _open_table(con, table: str) -> ir.Table:
    """A table by name, or files by path (Parquet or CSV; how a local Spark reads data it has no catalog for)."""
    lowered = table.lower()
    if lowered.endswith((".parquet", ".pq")) or ("/" in table and not lowered.endswith((".csv", ".csv.gz"))):
        return con.read_parquet(table)
    if lowered.endswith((".csv", ".csv.gz")):
        return con.read_csv(table)
    return con.table(table)


def intake(con, *, table: str | None, customers_table: str | None = None, preset: str | None = None,
           mapping: Mapping[str, str] | None = None, policy: StatusPolicy | None = None) -> Intake:
    """Open the source's tables as canonical subscriptions (and customers), counting rejects by reason."""
    if preset == "stripe-sync":
        source, name = stripe_sync(con), "subscriptions (Stripe sync)"
    elif table:
        try:
            source = _open_table(con, table)
        except Exception as exc:  # noqa: BLE001 - every backend names a missing table differently
            raise SourceError(f"no table {table!r} in the source ({type(exc).__name__})") from None
        name = table
    else:
        raise SourceError("--source needs --table NAME (or --preset stripe-sync)")
    used, every, resolved = canonical_subscriptions(source, name, mapping, policy)
    counts = every.group_by("reason").aggregate(n=every.count()).to_pandas()
    rejected = {str(r): int(n) for r, n in zip(counts["reason"], counts["n"], strict=True) if r is not None and r == r}
    customers = None
    if customers_table:
        try:
            customers = canonical_customers(_open_table(con, customers_table), customers_table)
        except SourceError:
            raise
        except Exception as exc:  # noqa: BLE001
            raise SourceError(f"no table {customers_table!r} in the source ({type(exc).__name__})") from None
    return Intake(used, customers, resolved, int(counts["n"].sum()), rejected)
