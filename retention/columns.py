"""What each table column is called and what kind of number it holds, for screens and exports alike.

Every table the app shows or exports goes through one description of its columns, so the same
column reads "MRR (USD)" with two decimals on screen, in the CSV and in Excel, in the reader's
language.  Metric columns take their label and kind from the glossary; the others (segment
comparisons, cohort cells, accounts at risk, raw data previews) are listed here.  An unknown
column keeps its own name and is shown as it is.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from retention.glossary import METRICS
from retention.i18n import ENGLISH, N_, Translator

DIGITS = {"count": 0, "percent": 1, "money": 0, "ratio": 2, "months": 1, "number": 1, "cents": 2, "share": 3}
"""Decimals shown (and kept in exports) per kind; `cents` is money per account or per row."""

MONEY_WITH_CENTS = frozenset({"arpa", "mrr", "amount", "value_money"})


@dataclass(frozen=True)
class Column:
    label: str
    kind: str | None = None  # count, percent, money, ratio, months, number, cents, date, text; None: as it is
    help: str = ""


EXTRA_COLUMNS: dict[str, Column] = {
    "period": Column(N_("Period"), "text"),
    "segment": Column(N_("Segment"), "text"),
    "periods": Column(N_("Periods"), "count", N_("Number of complete periods in the selected range.")),
    "customer_id": Column(N_("Customer"), "text"),
    "customer_name": Column(N_("Customer name"), "text"),
    "mrr_before": Column(N_("MRR before"), "cents", N_("MRR at the previous snapshot (for a cohort cell: at the cohort's start).")),
    "mrr_after": Column(N_("MRR after"), "cents", N_("MRR at the end of the period.")),
    "movement": Column(N_("Movement"), "text"),
    "paying": Column(N_("Paying at the end"), "bool"),
    "subscription_id": Column(N_("Subscription"), "text"),
    "mrr": Column(N_("MRR"), "cents"),
    "amount": Column(N_("Amount"), "cents"),
    "quantity": Column(N_("Quantity"), "count"),
    "interval": Column(N_("Billing interval"), "text"),
    "status": Column(N_("Status"), "text"),
    "plan": Column(N_("Plan"), "text"),
    "currency": Column(N_("Currency"), "text"),
    "start_date": Column(N_("Start date"), "date"),
    "end_date": Column(N_("End date"), "date"),
    "trial_end": Column(N_("Trial end"), "date"),
    "signup_date": Column(N_("Sign-up date"), "date"),
    "recent_weekly_events": Column(N_("Events per week, last 4 weeks"), "number"),
    "previous_weekly_events": Column(N_("Events per week, 8 weeks before"), "number"),
    "usage_change": Column(N_("Usage change (%)"), "percent"),
    "usage_falling": Column(N_("Usage falling"), "bool"),
    "last_nps": Column(N_("Last NPS answer"), "count"),
    "last_nps_date": Column(N_("Answered on"), "date"),
    "detractor": Column(N_("Detractor"), "bool"),
    "reasons": Column(N_("Why"), "text"),
    "date": Column(N_("Date"), "date"),
    "score": Column(N_("Score"), "count"),
    "comment": Column(N_("Comment"), "text"),
    "mrr_share": Column(N_("Share of MRR (%)"), "percent"),
    "small": Column(N_("Small segment"), "bool"),
    "cohort": Column(N_("Cohort"), "text"),
    "size": Column(N_("Size"), None),
    "customers": Column(N_("Customers"), "count"),
    "age": Column(N_("Age (periods)"), "count"),
    "value": Column(N_("Value"), "number"),
    "percent": Column(N_("Percent of start"), "percent"),
    "active": Column(N_("Active"), "count"),
    "months": Column(N_("Months"), "number"),
    "survival": Column(N_("Share still paying"), "share"),
    "lower": Column(N_("95% band, low"), "share"),
    "upper": Column(N_("95% band, high"), "share"),
    "responses": Column(N_("Answers"), "count"),
    "promoters": Column(N_("Promoters"), "count"),
    "passives": Column(N_("Passives"), "count"),
    "detractors": Column(N_("Detractors"), "count"),
    "nps": Column(N_("NPS"), "count"),
    "csat_responses": Column(N_("CSAT answers"), "count"),
    "csat": Column(N_("CSAT"), "percent"),
    "mrr_net_change": Column(N_("Net change"), "money"),
    "metric": Column(N_("Metric"), "text"),
    "period_basis": Column(N_("Per"), "text"),
    "label": Column(N_("Label"), "text"),
    "source": Column(N_("Source"), "text"),
    "year": Column(N_("Year"), None),
    "link": Column(N_("Link"), "text"),
    "statistic": Column(N_("Statistic"), "text"),
    "unit": Column(N_("Unit"), "text"),
    "low": Column(N_("Low"), "number"),
    "high": Column(N_("High"), "number"),
    "arpa_min": Column(N_("ARPA from"), "number"),
    "arpa_max": Column(N_("ARPA below"), "number"),
    "acv_min": Column(N_("ACV from"), "number"),
    "acv_max": Column(N_("ACV below"), "number"),
    "group": Column(N_("Group"), "text"),
    "reason": Column(N_("Reason"), "text"),
    "row": Column(N_("Row"), "text"),
    "reject_reason": Column(N_("Reason it will be rejected"), "text"),
    "churn_type": Column(N_("Churn type"), "text", N_("Voluntary, involuntary (a payment failed) or unknown (no record).")),
    "churn_type_from": Column(N_("Type from"), "text",
                              N_("What told the churn type: the cancellation record (reason) or the billing status.")),
    "refund": Column(N_("Refund"), "cents"),
    "plan_new": Column(N_("New"), "money", N_("MRR of new customers in this plan.")),
    "plan_reactivation": Column(N_("Reactivation"), "money", N_("MRR of returning customers in this plan.")),
    "plan_expansion": Column(N_("Expansion"), "money", N_("Growth of customers who stayed in this plan.")),
    "plan_moved_in": Column(N_("Moved in"), "money", N_("MRR of customers who came to this plan from another one.")),
    "plan_contraction": Column(N_("Contraction"), "money", N_("Decrease of customers who stayed in this plan.")),
    "plan_moved_out": Column(N_("Moved out"), "money", N_("MRR customers took from this plan to another one.")),
    "plan_churned": Column(N_("Churned"), "money", N_("MRR of customers who stopped paying, in this plan.")),
    "plan_net_change": Column(N_("Net change"), "money"),
    "from_plan": Column(N_("Plan at the start"), "text"),
    "to_plan": Column(N_("Plan at the end"), "text"),
    "churned_customers_share": Column(N_("Share of churned customers (%)"), "percent"),
    "churned_mrr_share": Column(N_("Share of churned MRR (%)"), "percent"),
    # Engagement and feedback metrics: named in the benchmark catalogue, never shown as their keys.
    "day_7_retention": Column(N_("Day-7 retention"), "percent"),
    "drop_off_7d": Column(N_("7-day drop-off"), "percent"),
    "week_8_retention": Column(N_("Week-8 retention"), "percent"),
    "stickiness": Column(N_("Stickiness"), "percent"),
}
_AVERAGE = N_("{metric}, range average")


def describe(name: str, tr: Translator = ENGLISH) -> Column:
    """The translated label, kind and help text of a column (window averages say so)."""
    base = name.removesuffix("_avg")
    info = METRICS.get(base)
    if info is not None:
        kind = "cents" if base in MONEY_WITH_CENTS else info.kind
        label = tr(info.label)
        if name.endswith("_avg"):
            label = tr(_AVERAGE, metric=label)
        return Column(label, kind, tr(info.definition))
    extra = EXTRA_COLUMNS.get(name)
    if extra is not None:
        return Column(tr(extra.label), extra.kind, tr(extra.help) if extra.help else "")
    return Column(str(name), None)


def header(name: str, tr: Translator = ENGLISH, currency: str = "") -> str:
    """A column header for people: translated, money columns name their currency (`MRR (EUR)`)."""
    column = describe(name, tr)
    if column.kind in ("money", "cents") and currency:
        return f"{column.label} ({currency})"
    return column.label


def digits(name: str, series: pd.Series | None = None) -> int | None:
    """Decimals a numeric column is shown with; None for columns that are not numbers."""
    kind = describe(name).kind
    if kind in DIGITS:
        return DIGITS[kind]
    if kind is None and series is not None and pd.api.types.is_float_dtype(series.dtype):
        return 2
    return None


def rounded(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with every numeric column rounded to the decimals it is shown with (no 97.22222222222223 in exports)."""
    out = frame.copy()
    for name in out.columns:
        series = out[name]
        if pd.api.types.is_bool_dtype(series.dtype) or not pd.api.types.is_numeric_dtype(series.dtype):
            continue
        places = digits(str(name), series)
        if places is None:
            continue
        values = series.astype(float).round(places)
        if places == 0 and pd.api.types.is_float_dtype(series.dtype) and values.notna().all():
            values = values.astype(np.int64)
        out[name] = values
    return out


def human_frame(frame: pd.DataFrame, tr: Translator = ENGLISH, currency: str = "") -> pd.DataFrame:
    """Rounded values under translated headers: what a person reads in an export."""
    out = rounded(frame)
    out.columns = [header(str(c), tr, currency) for c in frame.columns]
    return out
