"""Forecast: projected retention and LTV per cohort with bands, the backtest, the MRR forecast and committed MRR."""

import streamlit as st

from retention import formatting
from retention.engine.cohorts import average_retention_curve
from retention.figures.forecast import backtest_figure, mrr_forecast_figure, retention_projection
from retention.forecasts.backtest import backtest, default_cutoff
from retention.forecasts.bundle import cohort_summary, simple_ltv
from retention.forecasts.committed import committed_mrr
from retention.forecasts.mrr import MOVEMENTS, Scenario, mrr_forecast
from retention.forecasts.projection import LtvSettings, project
from retention.forecasts.reasons import reason_text
from ui import controls, forecast_state, render, state
from ui.boot import ensure_app

ensure_app()

tr = state.tr()
view = controls.sidebar()
language = tr.language
currency = state.currency()
st.title(tr("Forecast"))
st.markdown(tr(
    "Where retention and revenue are heading if the recent past continues. Solid lines are what happened; dashed "
    "lines are projections, with a shaded range that shows how sure they are. Every projection comes with what it "
    "assumed, and where the data cannot support a number the page says so instead of showing one."
))

data = forecast_state.inputs(view)
customers, revenue, monthly = data.customers, data.revenue, data.monthly
if not customers.rows or monthly.empty:
    render.no_periods_message()
    st.stop()


def money(value: float | None) -> str:
    return formatting.money(value, currency, language)


# --- projected retention and LTV --------------------------------------------------------------
st.header(tr("Projected retention and customer value"))
st.markdown(tr(
    "The model (shifted-beta-geometric, Fader & Hardie 2007) assumes every customer has their own chance of leaving "
    "at each renewal, and that these chances differ between customers. That explains why retention improves with "
    "age: the customers most likely to leave go first. It is fitted to your cohort table; the range comes from "
    "refitting it on 200 simulated versions of your data."
))
unit = {"month": tr("months"), "quarter": tr("quarters"), "year": tr("years")}[view.granularity]
left, middle, right = st.columns(3)
max_horizon = {"month": 60, "quarter": 20, "year": 10}[view.granularity]
horizon = left.slider(tr("Project to age ({unit})", unit=unit), 2, max_horizon,
                      min(max(customers.max_age + 6, 12), max_horizon) if view.granularity == "month"
                      else min(max(customers.max_age + 2, 4), max_horizon), key="forecast_horizon")
discount = middle.number_input(tr("Yearly discount rate for LTV (%)"), 0.0, 50.0, 0.0, step=1.0, key="forecast_discount",
                               help=tr("Money received later is worth less today; 10 % a year is a common choice. "
                                       "0 counts every future payment in full."))
labels = [r.label for r in customers.rows]
chosen = right.selectbox(tr("Cohort"), ["", *labels], key="forecast_cohort",
                         format_func=lambda c: tr("All cohorts (pooled)") if c == "" else c)
settings = LtvSettings(view.gross_margin, float(discount))
simple = simple_ltv(monthly)
key = ("forecast_retention", view.granularity, view.segment, view.as_of, horizon, settings)
forecast = forecast_state.cached_with_status(
    key, lambda: project(customers, revenue, horizon, settings, simple.arpa), tr("Fitting the retention model…"),
)

new = forecast.new_customer_ltv
card1, card2, card3 = st.columns(3)
if new.value is not None:
    card1.metric(tr("LTV of a new customer (model)"), money(new.value),
                 help=tr("Gross margin a customer who starts now is expected to bring over at most {years} years: "
                         "the projected share still paying each period × ARPA × gross margin, discounted. "
                         "90 % range: {low} to {high}.", years=settings.horizon_years, low=money(new.low),
                         high=money(new.high)), border=True)
    card1.caption(tr("90 % range: {low} to {high}", low=money(new.low), high=money(new.high)))
else:
    card1.metric(tr("LTV of a new customer (model)"), formatting.MISSING, border=True)
    card1.caption(tr(reason_text(new.reason)))
card2.metric(tr("Simple LTV (ARPA × margin ÷ churn)"), money(simple.value), border=True,
             help=tr("The usual formula other tools show: ARPA × gross margin × 1 ÷ average monthly logo churn of "
                     "the last six months. With few churns it can run to absurd values, or has nothing to divide by."))
lifetime = simple.lifetime_months
card2.caption(tr("implied lifetime: {months} months", months=formatting.months(lifetime, language))
              if lifetime is not None else tr("no churn in the last six months"))
pooled = forecast.pooled
if pooled.converged:
    card3.metric(tr("Model parameters α · β"), f"{formatting.number(pooled.alpha, language, 3)} · "
                 f"{formatting.number(pooled.beta, language, 2)}", border=True,
                 help=tr("α / (α + β) is the average chance of leaving at the first renewal; the larger α + β, the "
                         "more alike customers are."))
    card3.caption(tr("fitted on {n} customers, {churned} of whom left", n=formatting.number(pooled.size, language),
                     churned=formatting.number(pooled.churned, language)))
else:
    card3.metric(tr("Model parameters α · β"), formatting.MISSING, border=True)
    card3.caption(tr(reason_text(pooled.reason)))

selected = next((c for c in forecast.cohorts if c.cohort == chosen), None)
render.chart(retention_projection(forecast, average_retention_curve(customers), selected, tr), key="forecast_projection")
if selected is not None:
    if selected.model == "pooled":
        st.caption(tr("Cohort {cohort} uses the fit of all cohorts pooled: its own data gives {why}.",
                      cohort=render.md(selected.cohort), why=tr(reason_text(selected.own_fit_reason))))
    if selected.ltv.value is not None:
        st.markdown(tr("**LTV per customer of cohort {cohort}: {value}** (90 % range {low} to {high}): {realised} "
                       "already earned + {projected} expected from the {n} still paying.",
                       cohort=render.md(selected.cohort), value=money(selected.ltv.value), low=money(selected.ltv.low),
                       high=money(selected.ltv.high), realised=money(selected.ltv.realised),
                       projected=money(selected.ltv.projected),
                       n=formatting.number(customers.rows[labels.index(selected.cohort)].values[-1], language)))
    else:
        st.markdown(tr("**LTV per customer of cohort {cohort}:** {why}", cohort=render.md(selected.cohort),
                       why=tr(reason_text(selected.ltv.reason))))

summary = cohort_summary(forecast)
summary["ltv_reason"] = summary["ltv_reason"].map(lambda code: tr(reason_text(code)) if code else "")
summary["model"] = summary["model"].map({"cohort": tr("own fit"), "pooled": tr("pooled fit")})
with st.expander(tr("Per cohort: fit, LTV and residual value")):
    st.caption(tr("Residual value: gross margin still expected from the cohort's paying customers within the horizon."))
    render.table_with_exports(summary, "forecast_cohorts", key="forecast_cohorts")

# --- backtest ---------------------------------------------------------------------------------
st.header(tr("Backtest: how well would it have predicted?"))
st.markdown(tr(
    "Every cohort is cut at an age, as if the data ended there; the model is fitted to what came before and its "
    "prediction is compared with what really happened next. The error is in percentage points of each cohort's "
    "starting customers, next to the error of simply assuming nobody else leaves."
))
if customers.max_age >= 3:
    cutoff = st.slider(tr("Cut-off age ({unit})", unit=unit), 2, max(2, customers.max_age - 1),
                       min(default_cutoff(customers), max(2, customers.max_age - 1)), key="forecast_cutoff")
    result = state.cached(("forecast_backtest", view.granularity, view.segment, view.as_of, cutoff),
                          lambda: backtest(customers, cutoff))
else:
    result = None
if result is not None and result.supported:
    b1, b2, b3 = st.columns(3)
    b1.metric(tr("Model error (mean, points)"), formatting.number(result.mean_absolute_error, language, 1), border=True)
    b2.metric(tr("Error if nobody else left"), formatting.number(result.naive_mean_absolute_error, language, 1), border=True)
    b3.metric(tr("Bias (points)"), formatting.signed(formatting.number(result.bias, language, 1), result.bias or 0.0),
              border=True, help=tr("Above 0: the model expected more customers to stay than did."))
    render.chart(backtest_figure(result, view.granularity, tr), key="forecast_backtest")
    render.download_buttons(result.rows, "forecast_backtest", key="forecast_backtest_export")
else:
    st.info(tr("No backtest: {why}", why=tr(reason_text(result.reason if result is not None else "too_young"))))

# --- MRR forecast -----------------------------------------------------------------------------
st.header(tr("MRR forecast"))
st.markdown(tr(
    "The next months if new, expansion, reactivation, contraction and churned MRR continue at their recent average. "
    "Change the assumptions to see a scenario; the history never changes."
))
c1, c2, c3 = st.columns(3)
months_ahead = c1.slider(tr("Months ahead"), 3, 24, 12, key="forecast_months")
window = c2.slider(tr("Average over the last … months"), 1, 12, 3, key="forecast_window")
mode = c3.segmented_control(tr("Growth"), ["linear", "compounding"], default="linear", key="forecast_mode",
                            format_func={"linear": tr("Linear (amounts)"), "compounding": tr("Compounding (rates)")}.get) \
    or "linear"
s1, s2, s3 = st.columns(3)
churn_change = s1.number_input(tr("Churn rate change (points per month)"), -10.0, 10.0, 0.0, step=0.5,
                               key="forecast_churn_change", help=tr("−1 means one point less of MRR lost to churn "
                                                                    "each month."))
new_change = s2.number_input(tr("New MRR change (%)"), -100.0, 500.0, 0.0, step=5.0, key="forecast_new_change")
expansion_change = s3.number_input(tr("Expansion MRR change (%)"), -100.0, 500.0, 0.0, step=5.0,
                                   key="forecast_expansion_change")
scenario = Scenario(float(churn_change), float(new_change), float(expansion_change))
mrr = mrr_forecast(monthly, months_ahead, window, mode, scenario)
committed = state.cached(
    ("forecast_committed", view.segment, view.as_of, months_ahead),
    lambda: committed_mrr(data.model, data.subscriptions, months_ahead, data.rows, **data.committed_options))
if mrr.reason is not None:
    st.info(tr(reason_text(mrr.reason)))
else:
    render.chart(mrr_forecast_figure(mrr, committed, currency, tr), key="forecast_mrr")
    a = mrr.assumptions
    names = {"mrr_new": tr("New MRR"), "mrr_expansion": tr("Expansion MRR"), "mrr_reactivation": tr("Reactivation MRR"),
             "mrr_contraction": tr("Contraction MRR"), "mrr_churned": tr("Churned MRR")}
    lines = [tr("**Assumptions.** Starting from {mrr} MRR at the end of {period}; averages of {months}:",
                mrr=money(a.start_mrr), period=a.start_period, months=", ".join(a.months_used))]
    for name in MOVEMENTS:
        if a.mode == "compounding" and name in a.rates:
            lines.append(f"- {names[name]}: " + tr("{rate} of MRR per month", rate=formatting.percent(a.rates[name], language, 2)))
        else:
            lines.append(f"- {names[name]}: " + tr("{amount} per month", amount=money(a.averages[name])))
    if not scenario.is_baseline:
        lines.append(tr("- Scenario: churn rate {churn} points, new MRR {new} %, expansion MRR {expansion} %.",
                        churn=formatting.number(scenario.churn_change_points, language, 1),
                        new=formatting.number(scenario.new_change_percent, language, 0),
                        expansion=formatting.number(scenario.expansion_change_percent, language, 0)))
    lines.append(tr("- The shaded range is a rough 80 % range from how much the monthly net change varied over the "
                    "last 12 months; it does not foresee changes in the business."))
    st.markdown("\n".join(lines))
    render.download_buttons(mrr.frame, "mrr_forecast", key="forecast_mrr_export")

st.subheader(tr("Committed MRR"))
st.markdown(tr(
    "What your data already schedules: subscriptions that end on a future date, and subscriptions or trials that "
    "start paying on one. Subscriptions without an end date are assumed to keep running. This is not a forecast: "
    "it is the floor and the known changes, shown apart from the projection (dotted line above)."
))
if committed.has_changes:
    render.table_with_exports(committed.frame, "committed_mrr", key="forecast_committed")
else:
    st.info(tr("No scheduled change in the data after {period}.", period=monthly["period"].iloc[-1]))
if committed.at_risk_subscriptions:
    st.warning(tr("{n} subscriptions marked as not renewing have no end date: {mrr} MRR at risk, not placed in a month.",
                  n=committed.at_risk_subscriptions, mrr=money(committed.at_risk_mrr)))

metrics_table = state.metrics(view)
if not metrics_table.empty:
    with st.container(border=True):
        st.subheader(tr("Share this forecast"))
        st.caption(tr("The report and workbook include this forecast next to the dashboard's metrics."))
        render.report_downloads(view, metrics_table, key="forecast_report")
