"""One customer's charts: subscriptions on a timeline, MRR per month with its movements, events per week.

Plan names and subscription ids come from the user's files, so they pass through
`escaping.plotly_text` before they reach a label or a hover template.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from retention.escaping import plotly_text
from retention.figures.theme import COLORS, DAY_TICKS, base_layout
from retention.i18n import ENGLISH, N_, Translator

MOVEMENT_COLORS = {
    "new": COLORS["mrr_new"], "reactivation": COLORS["mrr_reactivation"], "expansion": COLORS["mrr_expansion"],
    "contraction": COLORS["mrr_contraction"], "churned": COLORS["mrr_churned"],
}
MOVEMENT_NAMES = {
    "new": N_("New"), "reactivation": N_("Reactivation"), "expansion": N_("Expansion"),
    "contraction": N_("Contraction"), "churned": N_("Churned"),
}


def subscription_timeline(spans: pd.DataFrame, as_of: pd.Timestamp, currency: str = "USD",
                          tr: Translator = ENGLISH) -> go.Figure:
    """One horizontal bar per subscription from its start to its end (open ones run to the as-of date)."""
    fig = go.Figure()
    for i, span in enumerate(spans.itertuples(index=False)):
        start = pd.Timestamp(span.start_date)
        end = pd.Timestamp(span.end_date) if pd.notna(getattr(span, "end_date", pd.NaT)) else pd.Timestamp(as_of)
        ident = getattr(span, "subscription_id", None)
        plan = getattr(span, "plan", None)
        label = plotly_text(ident if isinstance(ident, str) and ident else tr("Subscription {n}", n=i + 1))
        plan_text = plotly_text(plan) if isinstance(plan, str) and plan else "—"
        mrr = float(getattr(span, "mrr", 0.0) or 0.0)
        fig.add_bar(
            x=[max((end - start).total_seconds() * 1000.0, 86_400_000.0)], base=[start], y=[label], orientation="h",
            marker_color=COLORS["primary"] if pd.isna(getattr(span, "end_date", pd.NaT)) else COLORS["muted"],
            showlegend=False, name=label,
            hovertemplate=(label + "<br>" + tr("Plan") + ": " + plan_text + "<br>"
                           + f"{start.date()} → {end.date() if pd.notna(span.end_date) else tr('running')}<br>"
                           + tr("MRR") + f": {mrr:,.2f} {currency}<extra></extra>"),
        )
    fig = base_layout(fig, tr("Subscriptions"), height=max(220, 40 * len(spans) + 120))
    fig.update_xaxes(type="date", tickformat=DAY_TICKS)
    fig.update_yaxes(type="category", autorange="reversed")
    fig.update_layout(hovermode="closest")
    return fig


def mrr_history(mrr: pd.DataFrame, movements: pd.DataFrame, currency: str = "USD", tr: Translator = ENGLISH) -> go.Figure:
    """MRR at each month end as a step line, each movement a coloured marker on it."""
    fig = go.Figure(go.Scatter(
        x=mrr["period"], y=mrr["mrr"], mode="lines", line={"shape": "hv", "color": COLORS["primary"], "width": 2.5},
        name=tr("MRR"), hovertemplate="%{x}: %{y:,.2f} " + currency + "<extra></extra>",
    ))
    for code, name in MOVEMENT_NAMES.items():
        moved = movements[movements["movement"] == code]
        if moved.empty:
            continue
        fig.add_scatter(
            x=moved["period"], y=moved["mrr_after"], mode="markers", name=tr(name),
            marker={"size": 11, "color": MOVEMENT_COLORS[code], "line": {"width": 1, "color": "white"}},
            customdata=moved[["mrr_before"]].to_numpy(),
            hovertemplate=tr(name) + " %{x}: %{customdata[0]:,.2f} → %{y:,.2f} " + currency + "<extra></extra>",
        )
    fig = base_layout(fig, tr("MRR at the end of each month"), y_title=currency)
    fig.update_layout(hovermode="closest")
    return fig


def weekly_events(weeks: pd.DataFrame, tr: Translator = ENGLISH) -> go.Figure:
    """Events per week (Monday to Sunday), zero weeks included."""
    fig = go.Figure(go.Bar(
        x=weeks["week"], y=weeks["events"], marker_color=COLORS["primary"], name=tr("Events"),
        hovertemplate=tr("Week of {date}", date="%{x}") + ": %{y:,}<extra></extra>",
    ))
    return base_layout(fig, tr("Product activity: events per week"), y_title=tr("Events"))

