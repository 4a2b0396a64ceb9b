"""The customers behind the report's last period: who moved and why they left, by name and id.

A report that says "11 churned in July" is read by someone who asks at once: who?  This section
lists every customer whose MRR moved in the report's last period (biggest change first) with the
name from the customers file beside the id, and, when churn reasons are loaded, each churned
customer's reason and the window's reasons by churned MRR.  The same tables become Excel sheets.
"""

from __future__ import annotations

import pandas as pd

from retention.churn_reasons import by_reason, match_reasons
from retention.engine.base import Engine
from retention.engine.query import Query
from retention.figures.churn_reasons import NO_REASON_LABEL
from retention.figures.customer import MOVEMENT_NAMES
from retention.i18n import ENGLISH, Translator
from retention.report.html import ReportSection, ReportTable

MAX_LISTED = 200
"""Customers listed in the report's section (the Excel sheet lists them all)."""


def movers(engine: Engine, query: Query, period: str, reasons: pd.DataFrame | None = None,
           subscriptions: pd.DataFrame | None = None) -> pd.DataFrame:
    """customer_name, customer_id, movement, mrr_before, mrr_after (and reason when `reasons` is given) of
    every customer whose MRR moved in `period`, the biggest change first."""
    frame = engine.movement_customers(query, period=period).frame.copy()
    frame = frame.assign(_size=(frame["mrr_after"] - frame["mrr_before"]).abs())
    frame = frame.sort_values(["_size", "customer_id"], ascending=[False, True], kind="stable").drop(columns="_size")
    columns = ["customer_name", "customer_id", "movement", "mrr_before", "mrr_after"]
    out = frame[columns].reset_index(drop=True)
    if reasons is not None:
        found = match_reasons(engine, query, reasons, subscriptions, periods=[period]).churns
        given = dict(zip(found["customer_id"], found["reason"], strict=True))
        out["reason"] = [given.get(c, "") if m == "churned" else "" for c, m in zip(out["customer_id"], out["movement"],
                                                                                     strict=True)]
    return out


def _readable(frame: pd.DataFrame, tr: Translator, currency: str) -> pd.DataFrame:
    """Movement codes and "no reason" in words, headers in the reader's language."""
    out = frame.copy()
    out["movement"] = out["movement"].map(lambda m: tr(MOVEMENT_NAMES.get(m, m)))
    out[["mrr_before", "mrr_after"]] = out[["mrr_before", "mrr_after"]].round(2)
    headers = {"customer_name": tr("Customer name"), "customer_id": tr("Customer"), "movement": tr("Movement"),
               "mrr_before": tr("MRR before ({currency})", currency=currency),
               "mrr_after": tr("MRR after ({currency})", currency=currency), "reason": tr("Reason")}
    if "reason" in out:
        churned = frame["movement"].eq("churned")
        out["reason"] = out["reason"].where(~churned | out["reason"].ne(""), tr(NO_REASON_LABEL))
    return out.rename(columns=headers)


def customers_section(engine: Engine, query: Query, period: str, tr: Translator = ENGLISH, currency: str = "USD",
                      reasons: pd.DataFrame | None = None, subscriptions: pd.DataFrame | None = None,
                      ) -> tuple[ReportSection, dict[str, pd.DataFrame]]:
    """The report section and the Excel sheets (sheet name -> table with translated headers)."""
    listed = _readable(movers(engine, query, period, reasons, subscriptions), tr, currency)
    tables = [ReportTable(listed.head(MAX_LISTED), tr("Customers whose MRR moved in {period}", period=period))]
    sheets = {tr("Customers {period}", period=period): listed}
    if reasons is not None:
        found = match_reasons(engine, query, reasons, subscriptions)
        ranked = by_reason(found)[["reason", "customers", "mrr_churned"]]
        ranked = ranked.assign(reason=ranked["reason"].map(lambda r: tr(NO_REASON_LABEL) if r == "" else r)).rename(
            columns={"reason": tr("Reason"), "customers": tr("Churned customers"),
                     "mrr_churned": tr("Churned MRR ({currency})", currency=currency)})
        tables.append(ReportTable(ranked, tr("Churn reasons over the report's periods")))
        sheets[tr("Churn reasons")] = ranked
    intro = tr("Every customer whose MRR moved in {period}, with its name from the customers file beside its id, "
               "biggest change first.", period=period)
    return ReportSection(tr("Customers behind the numbers"), intro, tables=tables), sheets
