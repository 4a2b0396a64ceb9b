"""Overview charts: customer retention and churn trends, customer movements."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from retention.figures import spec
from retention.figures.revenue import rate_lines
from retention.figures.spec import column
from retention.figures.theme import COLORS, base_layout, unstyled
from retention.i18n import ENGLISH, N_, Translator


def retention_rates(table: pd.DataFrame, tr: Translator = ENGLISH) -> go.Figure:
    """CRR and the retained rate; a CRR above 100 % is explained in its hover and under the title."""
    fig = rate_lines(
        table, {"crr": N_("CRR"), "retained_rate": N_("Retained rate")}, tr("Customer retention rate"), tr
    )
    why = tr("Above 100 %: customers who came back count at the end but are not new, so they are not subtracted.")
    above = table["crr"].astype(float) > 100.0
    if above.any():
        crr = fig.data[0]
        crr.customdata = ["<br>" + why if flag else "" for flag in above]
        crr.hovertemplate = crr.hovertemplate.replace("<extra>", "%{customdata}<extra>")
        spec.relayout(fig, {"title": {"subtitle": {"font": {"size": 11, "color": COLORS["muted"]}, "text": why}},
                            "margin": {"t": 70}})  # keys in the order Plotly's `update_layout` left them
    return fig


def logo_churn(table: pd.DataFrame, tr: Translator = ENGLISH) -> go.Figure:
    return rate_lines(table, {"logo_churn_rate": N_("Logo churn")}, tr("Logo churn rate"), tr, colors=(COLORS["bad"],))


def customer_movements(table: pd.DataFrame, tr: Translator = ENGLISH) -> go.Figure:
    """New and reactivated customers above zero, churned below, customers at the end as a line."""
    periods = column(table["period"])
    data = [{
        "type": "bar", "x": periods, "y": column(sign * table[name]), "name": tr(label), "marker": {"color": color},
        "customdata": column(table[name]), "hovertemplate": tr(label) + ": %{customdata:,}<extra></extra>",
    } for name, label, color, sign in (
        ("customers_new", N_("New"), COLORS["mrr_new"], 1),
        ("customers_reactivated", N_("Reactivated"), COLORS["mrr_reactivation"], 1),
        ("customers_churned", N_("Churned"), COLORS["mrr_churned"], -1),
    )]
    data.append({
        "type": "scatter", "x": periods, "y": column(table["customers_end"]), "name": tr("Customers at end"),
        "mode": "lines+markers", "yaxis": "y2", "line": {"color": COLORS["primary"], "width": 2.5},
        "hovertemplate": tr("Customers at end") + ": %{y:,}<extra></extra>",
    })
    fig = unstyled(data, barmode="relative", yaxis2={
        "overlaying": "y", "side": "right", "showgrid": False, "title": {"text": tr("Customers")}, "tickformat": ",d"})
    return base_layout(fig, tr("Customers gained and lost"), y_title=tr("Customers per period"), language=getattr(tr, "language", "en"))


def ltv_lifetime(table: pd.DataFrame, currency: str = "USD", tr: Translator = ENGLISH) -> go.Figure:
    fig = rate_lines(table, {"ltv": N_("LTV")}, tr("Customer lifetime value"), tr, y_title=currency, suffix=" " + currency)
    return fig
