"""Churn reason charts: reasons ranked, reasons per period, voluntary vs involuntary per period.

Builders take the `retention.churn_reasons` tables, so charts match the tables and exports.  Reasons
are the customers' and billing tools' words: they reach Plotly only through `plotly_text`.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from retention.escaping import plotly_text
from retention.figures.theme import COLORS, base_layout
from retention.i18n import ENGLISH, N_, Translator

NO_REASON_LABEL = N_("No reason recorded")
KIND_NAMES = {"voluntary": N_("Voluntary"), "involuntary": N_("Involuntary (payment failed)"), "unknown": N_("Unknown")}
KIND_COLORS = {"voluntary": COLORS["primary"], "involuntary": COLORS["mrr_contraction"], "unknown": "#cbd5e1"}
PALETTE = ("#2563eb", "#dc2626", "#16a34a", "#f59e0b", "#7c3aed", "#0d9488", "#db2777", "#65a30d", "#0891b2", "#ea580c")
MAX_REASONS = 10
"""Reasons drawn one by one; the rest are drawn together as "Other reasons"."""


def reason_label(reason: str, tr: Translator = ENGLISH) -> str:
    """A reason as a chart shows it: escaped, or "No reason recorded" in the reader's language."""
    return tr(NO_REASON_LABEL) if reason == "" else plotly_text(reason)


def _value(measure: str) -> str:
    return "mrr_churned" if measure == "mrr" else "customers"


def _axis(measure: str, tr: Translator, currency: str) -> str:
    return tr("Churned MRR ({currency})", currency=currency) if measure == "mrr" else tr("Churned customers")


def reasons_ranked(table: pd.DataFrame, measure: str = "mrr", tr: Translator = ENGLISH, currency: str = "USD") -> go.Figure:
    """Horizontal bars, one per reason (`by_reason`), the biggest on top; `measure` is mrr or customers."""
    value = _value(measure)
    ranked = table.sort_values([value, "reason"], ascending=[True, False], kind="stable")
    colors = ["#cbd5e1" if r == "" else COLORS["mrr_churned"] for r in ranked["reason"]]
    fig = go.Figure(go.Bar(
        y=[reason_label(r, tr) for r in ranked["reason"]], x=ranked[value], orientation="h", marker_color=colors,
        customdata=ranked[["customers", "mrr_churned"]].to_numpy(),
        hovertemplate="%{y}: %{customdata[0]:,} · %{customdata[1]:,.0f} " + plotly_text(currency) + "<extra></extra>",
    ))
    fig = base_layout(fig, tr("Why customers left"), language=getattr(tr, "language", "en"),
                      height=max(300, 60 + 28 * len(ranked)))
    fig.update_layout(xaxis={"type": "linear", "title": {"text": _axis(measure, tr, currency)}, "tickmode": "auto"},
                      yaxis={"type": "category", "automargin": True}, hovermode="closest", showlegend=False)
    return fig


def reasons_by_period(table: pd.DataFrame, periods: list[str], measure: str = "mrr", tr: Translator = ENGLISH,
                      currency: str = "USD") -> go.Figure:
    """Stacked bars per period (`by_period`), one colour per reason; the smallest reasons drawn as one."""
    value = _value(measure)
    totals = table.groupby("reason")[value].sum().sort_values(ascending=False, kind="stable")
    named = [r for r in totals.index if r != ""][:MAX_REASONS]
    grouped = table.assign(reason=table["reason"].where(table["reason"].isin(named) | table["reason"].eq(""), "\x00other"))
    fig = go.Figure()
    order = [*named, "\x00other", ""]
    for i, reason in enumerate(order):
        rows = grouped[grouped["reason"] == reason]
        if rows.empty:
            continue
        per = rows.groupby("period")[value].sum().reindex(periods, fill_value=0)
        name = tr("Other reasons") if reason == "\x00other" else reason_label(reason, tr)
        color = "#cbd5e1" if reason == "" else ("#94a3b8" if reason == "\x00other" else PALETTE[i % len(PALETTE)])
        fig.add_bar(x=periods, y=per.to_numpy(), name=name, marker_color=color,
                    hovertemplate=name + ": %{y:,.0f}<extra></extra>")
    fig.update_layout(barmode="stack")
    return base_layout(fig, tr("Churn reasons per period"), y_title=_axis(measure, tr, currency),
                       language=getattr(tr, "language", "en"))


def kinds_by_period(table: pd.DataFrame, measure: str = "mrr", tr: Translator = ENGLISH, currency: str = "USD") -> go.Figure:
    """Voluntary, involuntary and unknown churn stacked per period (`by_kind`)."""
    value = _value(measure)
    fig = go.Figure()
    for kind in ("voluntary", "involuntary", "unknown"):
        rows = table[table["churn_type"] == kind]
        name = tr(KIND_NAMES[kind])
        fig.add_bar(x=rows["period"], y=rows[value], name=name, marker_color=KIND_COLORS[kind],
                    hovertemplate=name + ": %{y:,.0f}<extra></extra>")
    fig.update_layout(barmode="stack")
    return base_layout(fig, tr("Voluntary and involuntary churn"), y_title=_axis(measure, tr, currency),
                       language=getattr(tr, "language", "en"))
