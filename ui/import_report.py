"""Data page: how each loaded file was read (format, column mapping, rows) and what was read on the
user's behalf (far-future end dates taken as "still running", payment cadences, exchange rates).

Kept apart from the page so the Data page only calls `show_import_decisions`.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from retention.dataset import Dataset
from retention.importing.summary import describe
from ui import state
from ui.render import md


def show_import_decisions(data: Dataset) -> None:
    """One expander per file with the decisions made while reading it."""
    tr = state.tr()
    for result in data.results():
        info = describe(result)
        with st.expander(tr("How {file} was read", file=md(result.file)), expanded=bool(result.open_end_sentinels)):
            st.caption(md(tr("Format: {preset}. {read} rows read, {used} used, {rejected} rejected.",
                             preset=tr(info["preset_name"]), read=result.rows_read, used=result.rows_used,
                             rejected=result.rows_rejected)))
            if result.mapping:
                mapping = pd.DataFrame({tr("Field"): list(result.mapping), tr("Column in your file"): list(result.mapping.values())})
                st.dataframe(mapping, hide_index=True, width="stretch")
            if result.open_end_sentinels:
                values = ", ".join(f"{value} ({count})" for value, count in result.open_end_sentinels.items())
                st.info(md(tr("{n} end dates far in the future were read as \"still running\" (no end): {values}. "
                              "The data's as-of date ignores them.", n=sum(result.open_end_sentinels.values()), values=values)))
            if result.rates:
                rates = ", ".join(f"{code} {rate:g}" for code, rate in result.rates.items())
                st.caption(md(tr("Amounts converted to {currency} with: {rates}", currency=result.currency, rates=rates)))
                if result.rates_source:
                    st.caption(md(tr("Rates used: {source}. Each amount is converted at the rate of its own date (the "
                                     "subscription's start or the payment's day); the numbers above are each currency's "
                                     "average.", source=result.rates_source)))
                if result.rows_after_last_rate:
                    st.caption(md(tr("{n} rows are dated after the last bundled ECB rate and were converted at that last "
                                     "rate.", n=result.rows_after_last_rate)))
            explain = getattr(result, "explanation", None)
            if isinstance(explain, pd.DataFrame) and not explain.empty:
                _show_ledger(result, explain)


def _show_ledger(result, explain: pd.DataFrame) -> None:
    """Payment history: the cadence and spans inferred per customer, so each can be checked."""
    tr = state.tr()
    st.caption(tr("Payments turned into subscriptions: for each customer, the billing cadence read from the gaps "
                  "between payments, and the spans it gives. A customer churns when no payment comes within the "
                  "cadence plus the grace period."))
    shown = explain.copy()
    if "cadence" in shown:
        shown["cadence"] = shown["cadence"].map(lambda c: tr(c) if isinstance(c, str) else c)
    for column in ("first_payment", "last_payment", "ends"):
        if column in shown:
            days = pd.to_datetime(shown[column]).dt.strftime("%Y-%m-%d")
            shown[column] = days.fillna(tr("still active") if column == "ends" else "")
    if "note" in shown:
        shown["note"] = shown["note"].map(lambda c: tr(c) if isinstance(c, str) and c else c)
    headers = {"customer_id": tr("Customer"), "subscription": tr("Subscription"), "payments": tr("Payments used"),
               "cadence": tr("Cadence"), "mrr": tr("MRR"), "first_payment": tr("First payment"),
               "last_payment": tr("Last payment"), "spans": tr("Spans"), "ends": tr("Churned on"), "note": tr("Note")}
    st.dataframe(shown.rename(columns=headers), hide_index=True, width="stretch")
