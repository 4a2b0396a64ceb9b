"""The forecast's chapter of the HTML report and its sheets in the Excel dashboard.

The same bundle the Forecast page shows, so the report never disagrees with the screen: the
pooled projected retention and the MRR forecast as charts (dashed, with bands), the LTV of a
new customer with its range next to the simple formula, the assumptions in words, and tables.
"""

from __future__ import annotations

import pandas as pd

from retention import formatting
from retention.engine.cohorts import CohortTable, average_retention_curve
from retention.figures.forecast import mrr_forecast_figure, retention_projection
from retention.forecasts.bundle import ForecastBundle, cohort_summary
from retention.forecasts.reasons import reason_text
from retention.i18n import ENGLISH, Translator
from retention.report.html import ReportSection, ReportTable

MRR_COLUMNS = ["period", "mrr_start", "mrr_new", "mrr_expansion", "mrr_reactivation", "mrr_contraction", "mrr_churned",
               "mrr_end", "low", "high"]


def key_numbers(bundle: ForecastBundle, currency: str, tr: Translator = ENGLISH) -> pd.DataFrame:
    """Two columns, figure and value: the LTVs with their range or reason, the fit, the backtest error."""
    lang = tr.language

    def money(value: float | None) -> str:
        return formatting.money(value, currency, lang)

    new = bundle.retention.new_customer_ltv
    pooled = bundle.retention.pooled
    bt = bundle.backtest
    rows = [
        (tr("LTV of a new customer (model)"),
         tr("{value} (90 % range {low} to {high})", value=money(new.value), low=money(new.low), high=money(new.high))
         if new.value is not None else tr(reason_text(new.reason))),
        (tr("Simple LTV (ARPA × margin ÷ churn)"), money(bundle.simple_ltv.value)),
        (tr("Model parameters α · β"),
         f"{formatting.number(pooled.alpha, lang, 3)} · {formatting.number(pooled.beta, lang, 2)}"
         if pooled.converged else tr(reason_text(pooled.reason))),
        (tr("Backtest error (mean, points)"),
         tr("{model} (if nobody else left: {naive})", model=formatting.number(bt.mean_absolute_error, lang, 1),
            naive=formatting.number(bt.naive_mean_absolute_error, lang, 1))
         if bt.supported else tr(reason_text(bt.reason))),
    ]
    return pd.DataFrame(rows, columns=["figure", "value"])


def assumptions_text(bundle: ForecastBundle, currency: str, tr: Translator = ENGLISH) -> str:
    a = bundle.mrr.assumptions
    if a is None:
        return tr(reason_text(bundle.mrr.reason))
    money = formatting.money(a.start_mrr, currency, tr.language)
    mode = tr("linear (amounts)") if a.mode == "linear" else tr("compounding (rates)")
    return tr("MRR forecast: {mode}, from {mrr} at the end of {period}, continuing the average movements of {months}. "
              "The shaded range is a rough 80 % range from the last 12 months' variation.",
              mode=mode, mrr=money, period=a.start_period, months=", ".join(a.months_used))


def forecast_section(
    bundle: ForecastBundle, customers: CohortTable, currency: str = "USD", tr: Translator = ENGLISH
) -> ReportSection:
    figures = [retention_projection(bundle.retention, average_retention_curve(customers), None, tr)]
    if bundle.mrr.reason is None:
        figures.append(mrr_forecast_figure(bundle.mrr, bundle.committed, currency, tr))
    intro = " ".join([
        tr("Projected retention from the shifted-beta-geometric model fitted to the cohort table, with a 90 % range "
           "from a parametric bootstrap; dashed lines are projections, solid lines what happened."),
        assumptions_text(bundle, currency, tr),
    ])
    tables = [ReportTable(key_numbers(bundle, currency, tr), tr("Customer value"),
                          {"figure": tr("Figure"), "value": tr("Value")})]
    if len(bundle.mrr.frame):
        tables.append(ReportTable(bundle.mrr.frame[MRR_COLUMNS], tr("MRR forecast ({currency})", currency=currency),
                                  {"low": tr("Low"), "high": tr("High")}))
    if bundle.committed is not None and bundle.committed.has_changes:
        tables.append(ReportTable(bundle.committed.frame, tr("Committed MRR ({currency})", currency=currency)))
    return ReportSection(tr("Forecast"), intro, figures=figures, tables=tables)


def forecast_sheets(bundle: ForecastBundle, tr: Translator = ENGLISH) -> dict[str, pd.DataFrame]:
    """Sheets for the Excel dashboard, keyed by (translated) sheet name."""
    summary = cohort_summary(bundle.retention)
    summary["ltv_reason"] = summary["ltv_reason"].map(lambda code: tr(reason_text(code)) if code else "")
    sheets = {tr("Forecast cohorts"): summary}
    if len(bundle.mrr.frame):
        sheets[tr("MRR forecast")] = bundle.mrr.frame[MRR_COLUMNS]
    if bundle.committed is not None and len(bundle.committed.frame):
        sheets[tr("Committed MRR")] = bundle.committed.frame
    return sheets
