"""Payment history -> subscriptions: spans inferred from when each customer paid.

Many founders (Stripe invoices or payments exports, Paddle transactions, PayPal, an invoicing
tool) have only a ledger: who paid how much on which day, without service periods.  Retention
metrics need spans, so for each customer (or each of its subscriptions when the file says which)
this module:

1. keeps successful recurring payments and rejects the rest with a reason: failed or void
   payments, refunds (a negative amount, a refunded status, or nothing left after the refunded
   amount), payments without an invoice or subscription in a file where the others have one
   (one-off charges), and extra payments off the billing cycle (a setup fee paid a week after the
   first invoice);
2. reads the billing cadence from the billing periods the file gives (Paddle's
   `billing_period.ends_at`: a single yearly payment is then known to be yearly), or else from the
   median gap between payments: monthly, quarterly, half-yearly or yearly (a single payment is
   taken as the `default_months` cadence, said so);
3. covers each payment's billing period when the file gives it, or else its cadence; a payment
   arriving later than the covered period plus the grace period starts a new span (the customer
   churned and came back); a different amount starts a new span at that payment (expansion or
   contraction);
4. leaves the last span open when its cover, plus grace, reaches the last date of the ledger.

MRR is the payment over the cadence's months.  Every customer's inference is listed in
`LedgerResult.explanation` so a founder can check it customer by customer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from retention.i18n import N_
from retention.importing.currency import conversion_factors, dated_conversion, minor_unit_divisor
from retention.importing.errors import empty_rejects, rejects_frame
from retention.importing.mapping import normalise_name, require, resolve_mapping
from retention.importing.parse import decide_date_order, decide_decimal, parse_dates, parse_numbers, strip_text
from retention.importing.presets import GENERIC_LEDGER, LEDGER_FIELDS, LEDGER_SYNONYMS, Preset
from retention.importing.result import LoadResult

CADENCES: dict[int, str] = {1: N_("monthly"), 3: N_("quarterly"), 6: N_("half-yearly"), 12: N_("yearly")}
_MONTH_DAYS = 365.25 / 12
PAID = frozenset({"", "paid", "succeeded", "success", "successful", "completed", "complete", "settled", "captured",
                  "billed", "true", "partially_refunded", "partially refunded"})
REFUNDED = frozenset({"refunded", "refund", "reversed", "chargeback", "disputed", "charged_back"})
ONE_OFF_TYPES = frozenset({"one_time", "one-time", "onetime", "one_off", "one-off", "setup", "setup_fee", "invoiceitem",
                           "subscription_charge"})
"""`subscription_charge`: Paddle's origin of a one-time charge added to a subscription."""
ASSUMED = N_("one payment: cadence assumed")
FROM_PERIODS = N_("cadence from the billing periods in the file")


@dataclass(frozen=True)
class LedgerSettings:
    """The user's choices for reading a ledger."""

    grace_days: int = 14
    """Days a payment may come late before the customer counts as churned at the end of its cover."""
    default_months: int = 1
    """Cadence assumed for a customer with a single payment."""
    tolerance: float = 0.35
    """How far (as a share) the median gap may be from a cadence's length and still be that cadence."""


@dataclass
class LedgerResult(LoadResult):
    """A `LoadResult` whose table holds spans inferred from payments: `rows_used` counts payments."""

    payments_used: int = 0
    explanation: pd.DataFrame = field(default_factory=pd.DataFrame)
    settings: LedgerSettings = field(default_factory=LedgerSettings)

    @property
    def rows_used(self) -> int:  # type: ignore[override]
        return self.payments_used

    def summary_extra(self) -> dict[str, object]:
        exp = self.explanation
        cadences = exp["cadence"].value_counts().to_dict() if "cadence" in exp else {}
        return {"payment_ledger": {"customers": int(exp["customer_id"].nunique()) if "customer_id" in exp else 0,
                                   "spans": len(self.table), "cadences": cadences,
                                   "grace_days": self.settings.grace_days}}

    def summary_lines(self) -> list[str]:
        extra = self.summary_extra()["payment_ledger"]
        cadences = ", ".join(f"{n} {c}" for c, n in extra["cadences"].items())  # type: ignore[union-attr]
        return [f"payment history: {extra['customers']} customers, {extra['spans']} subscription spans inferred "
                f"({cadences}; grace {extra['grace_days']} days)"]


def looks_like_ledger(columns: list[str], mapping: Mapping[str, str]) -> bool:
    """A generic file of payments: a customer, a payment date and an amount, and nothing that
    describes a subscription (no end date, no MRR, no billing interval)."""
    if any(k in mapping for k in ("end_date", "mrr", "interval")):
        return False
    names = {normalise_name(c) for c in columns}
    subscription_words = {"end", "end_date", "ended_at", "canceled_at", "cancelled_at", "mrr", "interval",
                          "billing_interval", "plan_interval", "period_end", "service_period_end", "churn_date",
                          "start", "start_date", "started_at", "subscription_start"}
    if names & subscription_words:
        return False
    resolved = resolve_mapping(list(columns), LEDGER_FIELDS, "", None, LEDGER_SYNONYMS)
    return {"customer_id", "start_date", "amount"} <= resolved.keys()


def _rules(preset: Preset) -> dict[str, tuple[str, ...]]:
    if preset.key == GENERIC_LEDGER.key:
        return dict(LEDGER_SYNONYMS)
    return {k: tuple(v) for k, v in preset.fields.items()}


def ledger_from_frame(
    raw: pd.DataFrame,
    file: str,
    preset: Preset,
    mapping: Mapping[str, str] | None = None,
    *,
    date_order: str | None = None,
    reporting_currency: str | None = None,
    rates: Mapping[str, float] | None = None,
    settings: LedgerSettings | None = None,
) -> LedgerResult:
    """Subscriptions inferred from a payment ledger (see the module docstring)."""
    settings = settings or LedgerSettings()
    columns = list(raw.columns)
    # The preset's own column order wins over a column named like the field (Stripe's Converted Amount,
    # in the account's currency, before Amount, in each charge's currency); the user's mapping wins over both.
    present = set(columns)
    first = {f: next(c for c in names if c in present) for f, names in preset.fields.items()
             if f in LEDGER_FIELDS and any(c in present for c in names)} if preset.key != GENERIC_LEDGER.key else {}
    explicit = {**first, **{k: v for k, v in (mapping or {}).items() if k in LEDGER_FIELDS}}
    resolved = resolve_mapping(columns, LEDGER_FIELDS, file, explicit, _rules(preset))
    for needed in ("customer_id", "start_date", "amount"):
        require(resolved, needed, file, columns)

    alive = pd.Series(True, index=raw.index)
    parts: list[pd.DataFrame] = []

    def reject(mask: pd.Series, fld: str, reason: str) -> None:
        nonlocal alive
        mask = mask & alive
        if mask.any():
            column = resolved.get(fld, fld)
            values = raw.loc[mask, column] if column in raw else [""] * int(mask.sum())
            parts.append(rejects_frame(file, mask[mask].index, column if column in raw else "", values, reason))
            alive &= ~mask

    def col(fld: str) -> pd.Series:
        return raw[resolved[fld]].astype(str) if fld in resolved else pd.Series("", index=raw.index, dtype=object)

    customer = strip_text(col("customer_id"))
    reject(customer.eq(""), "customer_id", N_("missing customer id"))
    order = date_order
    if order is None:
        decided, ambiguous, _ = decide_date_order({resolved["start_date"]: raw[resolved["start_date"]]})
        order = decided
    date, bad_date = parse_dates(col("start_date"), order)
    reject(bad_date, "start_date", N_("not a date"))
    reject(date.isna(), "start_date", N_("missing payment date"))

    status = col("status").str.strip().str.lower()
    reject(status.isin(REFUNDED), "status", N_("refund, not a payment"))
    reject(~status.isin(PAID) & ~status.isin(REFUNDED), "status", N_("not a successful payment"))

    kind = col("line_type").str.strip().str.lower()
    reject(kind.isin(ONE_OFF_TYPES), "line_type", N_("one-off charge, not recurring revenue"))
    for link in ("subscription_id", "invoice_id"):
        if link in resolved:
            linked = col(link).str.strip().ne("")
            if linked[alive].mean() >= 0.5:  # most payments belong to an invoice/subscription: the others are one-offs
                reject(~linked, link, N_("one-off charge (no invoice or subscription)"))
            break

    until = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
    if "period_end" in resolved:  # the end of the billing period each payment pays for, where the file says
        until, bad_until = parse_dates(col("period_end"), order)
        reject(bad_until, "period_end", N_("not a date"))
        until = until.where(until > date)

    amount_text = col("amount")
    amount, bad_amount = parse_numbers(amount_text, decide_decimal(amount_text) or ".")
    reject(bad_amount, "amount", N_("not a number"))
    reject(amount.isna(), "amount", N_("missing amount"))
    if "refunded" in resolved:
        refunded, _ = parse_numbers(col("refunded"), decide_decimal(col("refunded")) or ".")
        amount = amount - refunded.fillna(0.0)
        reject(amount.le(0) & refunded.fillna(0).gt(0), "refunded", N_("refunded in full"))
    if "tax" in resolved:  # MRR never includes tax
        tax, _ = parse_numbers(col("tax"), decide_decimal(col("tax")) or ".")
        amount = amount - tax.fillna(0.0)
    reject(amount < 0, "amount", N_("refund or credit (negative amount)"))
    reject(amount.eq(0), "amount", N_("zero amount: nothing paid"))
    currency = col("currency").str.strip().str.upper()
    if preset.cents:
        amount = amount / minor_unit_divisor(currency)

    live = alive.copy()
    codes = currency[live]
    column = resolved.get("currency", resolved["amount"])
    dated = dated_conversion(codes, date[live], file, column, reporting_currency, rates)  # ECB rate of each payment's day
    rates_source, after_last_rate = "", 0
    if dated is not None:
        factors, reporting, used_rates, rates_source, after_last_rate = dated
    else:
        factors, reporting = conversion_factors(codes, file, column, reporting_currency, rates)
        used_rates = {c: float(f) for c, f in zip(codes, factors, strict=True) if c} if reporting_currency else {}
        rates_source = "your rates" if any(c != reporting for c in used_rates) else ""
    price = amount.copy()  # in the payment's own currency: a price change is read here, never from exchange rates
    amount = amount.copy()
    amount.loc[live] = amount[live] * factors.astype(float).to_numpy()

    sub = col("subscription_id").str.strip() if "subscription_id" in resolved else pd.Series("", index=raw.index)
    payments = pd.DataFrame({"customer_id": customer, "subscription": sub, "date": date, "amount": amount,
                             "price": price, "until": until})[alive]
    ledger_end = payments["date"].max() if len(payments) else pd.NaT
    spans, explanation, off_cycle, irregular = _infer(payments, settings, ledger_end)
    reject(pd.Series(raw.index.isin(off_cycle), index=raw.index), "amount", N_("one-off charge (off the billing cycle)"))
    reject(pd.Series(raw.index.isin(irregular), index=raw.index), "start_date",
           N_("irregular payments: no monthly, quarterly, half-yearly or yearly cadence"))

    table = pd.DataFrame({
        "customer_id": spans["customer_id"].to_numpy(), "subscription_id": spans["subscription_id"].to_numpy(),
        "start_date": spans["start_date"].to_numpy(), "end_date": spans["end_date"].to_numpy(),
        "mrr": spans["mrr"].round(6).to_numpy(), "plan": spans["cadence"].to_numpy(), "quantity": 1.0,
        "currency": reporting or (currency[alive].iloc[0] if alive.any() else ""),
        "status": "", "trial_end": pd.NaT,
    }, index=pd.Index(spans["row"].astype(int), name="row"))
    table["trial_end"] = pd.to_datetime(table["trial_end"])
    if pd.notna(ledger_end):
        table.attrs["data_through"] = pd.Timestamp(ledger_end)  # the engine's default as-of date (snapshots.default_as_of)
    rejects = (pd.concat(parts, ignore_index=True).sort_values("row", kind="stable").reset_index(drop=True)
               if parts else empty_rejects())
    return LedgerResult(
        N_("subscriptions"), file, table, rejects, len(raw), resolved, preset=preset.key, date_order=order,
        currency=reporting, rates=used_rates, rates_source=rates_source, rows_after_last_rate=after_last_rate,
        payments_used=int(alive.sum()), explanation=explanation, settings=settings,
    )


def _cadence(daily: pd.DataFrame, settings: LedgerSettings) -> tuple[int | None, str]:
    """(months, note): from the file's billing periods where it has them, else from the gaps between payments."""
    periods = (daily["until"] - daily.index.to_series()).dropna().dt.days.to_numpy(dtype=float)
    if len(periods):
        months, note = _cadence_from(periods, settings)
        if months is not None:
            return months, FROM_PERIODS
    dates = list(daily.index)
    if len(dates) < 2:
        return settings.default_months, ASSUMED
    gaps = np.diff(np.array(dates, dtype="datetime64[D]")).astype(float)
    gaps = gaps[gaps > 0]
    if not len(gaps):
        return settings.default_months, ASSUMED
    median = float(np.median(gaps))
    best = min(CADENCES, key=lambda m: abs(median - m * _MONTH_DAYS) / (m * _MONTH_DAYS))
    if abs(median - best * _MONTH_DAYS) / (best * _MONTH_DAYS) <= settings.tolerance:
        return best, ""
    # Gaps longer than a year are churn and return, not a cadence: read the cadence from the shorter ones.
    short = gaps[gaps < 1.5 * 12 * _MONTH_DAYS]
    if len(short) and len(short) < len(gaps):
        return _cadence_from(short, settings)
    return None, N_("irregular payments: no monthly, quarterly, half-yearly or yearly cadence")


def _cadence_from(gaps: np.ndarray, settings: LedgerSettings) -> tuple[int | None, str]:
    median = float(np.median(gaps))
    best = min(CADENCES, key=lambda m: abs(median - m * _MONTH_DAYS) / (m * _MONTH_DAYS))
    if abs(median - best * _MONTH_DAYS) / (best * _MONTH_DAYS) <= settings.tolerance:
        return best, ""
    return None, N_("irregular payments: no monthly, quarterly, half-yearly or yearly cadence")


def _infer(payments: pd.DataFrame, settings: LedgerSettings,
           ledger_end: pd.Timestamp) -> tuple[pd.DataFrame, pd.DataFrame, list[int], list[int]]:
    """(spans with the row of their first payment, one explanation row per customer/subscription,
    off-cycle rows, rows of customers without a cadence)."""
    spans: list[dict[str, object]] = []
    explained: list[dict[str, object]] = []
    off_cycle: list[int] = []
    irregular: list[int] = []
    grace = pd.Timedelta(days=settings.grace_days)
    ordered = payments.sort_values(["customer_id", "subscription", "date"], kind="stable")
    groups = []
    for key, group in ordered.groupby(["customer_id", "subscription"], sort=True):
        # Same-day payments of one customer are one charge (several invoice lines, a split payment).
        daily = group.groupby("date", sort=True).agg(amount=("amount", "sum"), price=("price", "sum"),
                                                     until=("until", "max"), row=("amount", lambda s: s.index[0]))
        groups.append((key, group, daily, _cadence(daily, settings)))
    # A single payment says nothing about its cadence: take the one of customers paying the same amount.
    by_amount: dict[float, list[int]] = {}
    for _, _, daily, (months, note) in groups:
        if months is not None and note != ASSUMED:
            for value in daily["amount"].round(2).unique():
                by_amount.setdefault(float(value), []).append(months)
    for (customer, subscription), group, daily, (months, note) in groups:
        dates = list(daily.index)
        if note == ASSUMED and len(dates) == 1:
            peers = by_amount.get(round(float(daily["amount"].iloc[0]), 2))
            if peers:
                months = max(set(peers), key=peers.count)
                note = N_("one payment: cadence of customers paying the same amount")
        if months is None:
            irregular.extend(group.index.tolist())
            explained.append({"customer_id": customer, "subscription": subscription, "payments": len(group),
                              "cadence": "", "mrr": np.nan, "first_payment": dates[0], "last_payment": dates[-1],
                              "spans": 0, "ends": pd.NaT, "note": note})
            continue
        cadence_days = months * _MONTH_DAYS
        usual = float(daily["price"].round(2).mode().iloc[0])
        # (day, converted amount, own-currency price, row, end of the billing period paid for or NaT)
        keep: list[tuple[pd.Timestamp, float, float, int, pd.Timestamp]] = []
        for day, row in daily.iterrows():
            if keep and (day - keep[-1][0]).days < 0.4 * cadence_days and abs(row["price"] - usual) > 0.01 * usual:
                off_cycle.extend(group.index[group["date"].eq(day)].tolist())
                continue
            keep.append((day, float(row["amount"]), float(row["price"]), int(row["row"]), row["until"]))
        label = f"{subscription}" if subscription else f"{customer}"
        count = 0
        start, amount, current, first_row, until = keep[0]
        cover = _covered(start, until, months)
        for day, paid, price, row, until in keep[1:]:
            if day > cover + grace:
                spans.append(_span(customer, label, count, start, cover, amount, months, first_row))
                count += 1
                start, amount, current, first_row = day, paid, price, row
            elif abs(price - current) > 0.01 * current:
                spans.append(_span(customer, label, count, start, day, amount, months, first_row))
                count += 1
                start, amount, current, first_row = day, paid, price, row
            cover = _covered(day, until, months)
        open_end = cover + grace >= ledger_end
        spans.append(_span(customer, label, count, start, pd.NaT if open_end else cover, amount, months, first_row))
        explained.append({
            "customer_id": customer, "subscription": subscription, "payments": int(group["date"].isin([k[0] for k in keep]).sum()),
            "cadence": CADENCES[months],
            "mrr": round(amount / months, 2),
            "first_payment": keep[0][0], "last_payment": keep[-1][0], "spans": count + 1,
            "ends": pd.NaT if open_end else cover, "note": note,
        })
    span_frame = pd.DataFrame(spans, columns=["customer_id", "subscription_id", "start_date", "end_date", "mrr", "cadence", "row"])
    span_frame["start_date"] = pd.to_datetime(span_frame["start_date"])
    span_frame["end_date"] = pd.to_datetime(span_frame["end_date"])
    explanation = pd.DataFrame(explained, columns=["customer_id", "subscription", "payments", "cadence", "mrr",
                                                   "first_payment", "last_payment", "spans", "ends", "note"])
    if not explanation["subscription"].astype(str).ne("").any():
        explanation = explanation.drop(columns="subscription")
    return span_frame, explanation, off_cycle, irregular


def _covered(day: pd.Timestamp, until: pd.Timestamp, months: int) -> pd.Timestamp:
    """Until when a payment on `day` keeps the customer paying: its billing period's end when the file
    says, else one cadence later."""
    return until if pd.notna(until) else day + pd.DateOffset(months=months)


def _span(customer: str, label: str, n: int, start: pd.Timestamp, end: pd.Timestamp, amount: float, months: int,
          row: int) -> dict[str, object]:
    return {"customer_id": customer, "subscription_id": f"{label}#{n + 1}", "start_date": start, "end_date": end,
            "mrr": amount / months, "cadence": CADENCES[months], "row": row}

