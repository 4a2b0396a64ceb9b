"""Plan charts: MRR entering and leaving each plan over a range, and customers flowing between plans.

Builders take `retention.plan_movements` tables.  Plan names come from the user's files and reach
Plotly only through `plotly_text`.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from retention.escaping import plotly_text
from retention.figures import spec
from retention.figures.spec import column
from retention.figures.theme import COLORS, base_layout, unstyled
from retention.i18n import ENGLISH, N_, Translator
from retention.plan_movements import NO_PLAN, OUTSIDE

PLAN_MOVEMENT_NAMES = {
    "plan_new": N_("New"), "plan_reactivation": N_("Reactivation"), "plan_expansion": N_("Expansion"),
    "plan_moved_in": N_("Moved in from other plans"), "plan_contraction": N_("Contraction"),
    "plan_moved_out": N_("Moved out to other plans"), "plan_churned": N_("Churned"),
}
PLAN_MOVEMENT_COLORS = {
    "plan_new": COLORS["mrr_new"], "plan_reactivation": COLORS["mrr_reactivation"], "plan_expansion": COLORS["mrr_expansion"],
    "plan_moved_in": COLORS["primary"], "plan_contraction": COLORS["mrr_contraction"], "plan_moved_out": COLORS["secondary"],
    "plan_churned": COLORS["mrr_churned"],
}
LOSSES = ("plan_contraction", "plan_moved_out", "plan_churned")


def plan_label(plan: str, tr: Translator = ENGLISH) -> str:
    """A plan as a chart shows it: escaped, "No plan" for rows naming none, "New or back"/"Churned" outside."""
    if plan == NO_PLAN:
        return tr("No plan")
    return plotly_text(plan)


def plan_totals(table: pd.DataFrame) -> pd.DataFrame:
    """The range's movements per plan (`movements_by_plan` summed over its periods), biggest plan first."""
    moves = list(PLAN_MOVEMENT_NAMES)
    totals = table.groupby("plan", sort=False)[moves].sum()
    totals["plan_net_change"] = totals[["plan_new", "plan_reactivation", "plan_expansion", "plan_moved_in"]].sum(axis=1) \
        - totals[list(LOSSES)].sum(axis=1)
    last = table[table["period"] == table["period"].iloc[-1]].set_index("plan")["mrr_end"] if len(table) else None
    totals["mrr_end"] = last.reindex(totals.index).fillna(0.0) if last is not None else 0.0
    return totals.sort_values(["mrr_end"], ascending=False, kind="stable").reset_index()


def plan_movements_chart(totals: pd.DataFrame, currency: str = "USD", tr: Translator = ENGLISH) -> go.Figure:
    """Per plan, MRR entering (above zero) and leaving (below) over the range, by movement."""
    plans = [plan_label(p, tr) for p in totals["plan"]]
    data = [{
        "type": "bar", "x": plans, "y": column((-1 if name in LOSSES else 1) * totals[name]), "name": tr(label),
        "marker": {"color": PLAN_MOVEMENT_COLORS[name]}, "customdata": column(totals[name]),
        "hovertemplate": "%{x} · " + tr(label) + ": %{customdata:,.0f}<extra></extra>",
    } for name, label in PLAN_MOVEMENT_NAMES.items()]
    data.append({"type": "scatter", "x": plans, "y": column(totals["plan_net_change"]), "name": tr("Net change"),
                 "mode": "markers", "marker": {"color": "#0f172a", "size": 10, "symbol": "diamond"},
                 "hovertemplate": "%{x} · " + tr("Net change") + ": %{y:,.0f}<extra></extra>"})
    fig = unstyled(data, barmode="relative")
    fig = base_layout(fig, tr("MRR entering and leaving each plan"), y_title=currency, language=getattr(tr, "language", "en"))
    # Plan names are longer than period labels and the eight-entry legend wraps into a column on a
    # half-width chart: it starts lower, and the chart is taller, so the legend never covers a name.
    return spec.relayout(fig, {"hovermode": "closest", "legend": {"y": -0.22}, "height": 440})


def plan_flow_chart(flows: pd.DataFrame, tr: Translator = ENGLISH, currency: str = "USD") -> go.Figure:
    """Sankey of customers from their main plan at the start of the range (left) to the end (right)."""
    def name(plan: str, side: str) -> str:
        if plan == OUTSIDE:
            return tr("New or back") if side == "start" else tr("Churned")
        return plan_label(plan, tr)

    starts = list(dict.fromkeys(flows["from_plan"]))
    ends = list(dict.fromkeys(flows["to_plan"]))
    labels = [name(p, "start") for p in starts] + [name(p, "end") for p in ends]
    source = [starts.index(p) for p in flows["from_plan"]]
    target = [len(starts) + ends.index(p) for p in flows["to_plan"]]
    colors = ["rgba(22,163,74,0.35)" if f == OUTSIDE else "rgba(220,38,38,0.35)" if t == OUTSIDE
              else "rgba(100,116,139,0.25)" if f == t else "rgba(37,99,235,0.45)"
              for f, t in zip(flows["from_plan"], flows["to_plan"], strict=True)]
    fig = spec.figure([{
        "type": "sankey", "arrangement": "snap",
        "node": {"label": labels, "pad": 14, "thickness": 16, "color": "#94a3b8"},
        "link": {"source": source, "target": target, "value": flows["customers"].tolist(), "color": colors,
                 "customdata": flows[["mrr_start", "mrr_end"]].to_numpy(),
                 "hovertemplate": "%{source.label} → %{target.label}: %{value:,} " + tr("customers")
                                  + " · %{customdata[0]:,.0f} → %{customdata[1]:,.0f} " + plotly_text(currency)
                                  + "<extra></extra>"},
    }])  # Plotly's default template, as `go.Figure` gives it: this chart has no axes for `base_layout` to style
    # Keys in the order Plotly's `update_layout` left them.
    return spec.relayout(fig, {
        "title": {"font": {"size": 16}, "text": tr("Customers from plan to plan"), "x": 0, "xanchor": "left"},
        "margin": {"l": 10, "r": 10, "t": 50, "b": 10}, "height": max(320, 40 * (len(starts) + len(ends)))})
