"""Revenue charts: MRR over time, MRR movements, the bridge of one period, NRR/GRR, ARPA.

Every builder takes the metrics table of `compute_metrics` (one row per period), so the charts
show exactly the numbers of the tables and exports.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from retention.figures.theme import COLORS, base_layout
from retention.i18n import ENGLISH, N_, Translator

MOVEMENTS = {
    "mrr_new": N_("New"),
    "mrr_expansion": N_("Expansion"),
    "mrr_reactivation": N_("Reactivation"),
    "mrr_contraction": N_("Contraction"),
    "mrr_churned": N_("Churned"),
}
_NEGATIVE = ("mrr_contraction", "mrr_churned")


def mrr_line(table: pd.DataFrame, currency: str = "USD", tr: Translator = ENGLISH) -> go.Figure:
    fig = go.Figure(
        go.Scatter(
            x=table["period"], y=table["mrr_end"], mode="lines+markers", name=tr("MRR"),
            line={"color": COLORS["primary"], "width": 3},
            hovertemplate="%{x}: %{y:,.0f} " + currency + "<extra></extra>",
        )
    )
    return base_layout(fig, tr("MRR at the end of each period"), y_title=currency)


def mrr_movements(table: pd.DataFrame, currency: str = "USD", tr: Translator = ENGLISH) -> go.Figure:
    """Stacked bars: gains above zero, losses below, net change as a line."""
    fig = go.Figure()
    for column, name in MOVEMENTS.items():
        sign = -1 if column in _NEGATIVE else 1
        fig.add_bar(
            x=table["period"], y=sign * table[column], name=tr(name), marker_color=COLORS[column],
            customdata=table[column], hovertemplate=tr(name) + ": %{customdata:,.0f}<extra></extra>",
        )
    net = (
        table["mrr_new"] + table["mrr_expansion"] + table["mrr_reactivation"]
        - table["mrr_contraction"] - table["mrr_churned"]
    )
    fig.add_scatter(
        x=table["period"], y=net, name=tr("Net change"), mode="lines+markers",
        line={"color": "#0f172a", "width": 2}, hovertemplate=tr("Net change") + ": %{y:,.0f}<extra></extra>",
    )
    fig.update_layout(barmode="relative")
    return base_layout(fig, tr("MRR movements per period"), y_title=currency)


def mrr_bridge(row: pd.Series, currency: str = "USD", tr: Translator = ENGLISH) -> go.Figure:
    """Waterfall from MRR at the start of one period to MRR at its end."""
    labels = [tr("Start MRR"), *(tr(name) for name in MOVEMENTS.values()), tr("End MRR")]
    values = [row["mrr_start"]]
    values += [(-1 if c in _NEGATIVE else 1) * row[c] for c in MOVEMENTS]
    values.append(row["mrr_end"])
    fig = go.Figure(
        go.Waterfall(
            x=labels, y=values, measure=["absolute", *["relative"] * len(MOVEMENTS), "total"],
            increasing={"marker": {"color": COLORS["mrr_new"]}},
            decreasing={"marker": {"color": COLORS["mrr_churned"]}},
            totals={"marker": {"color": COLORS["primary"]}},
            connector={"line": {"color": "#cbd5e1"}},
            texttemplate="%{y:,.0f}", textposition="outside",
            hovertemplate="%{x}: %{y:,.0f} " + currency + "<extra></extra>",
        )
    )
    fig = base_layout(fig, tr("MRR bridge for {period}", period=row["period"]), y_title=currency)
    fig.update_layout(hovermode="closest", showlegend=False)
    return fig


def rate_lines(
    table: pd.DataFrame, columns: dict[str, str], title: str, tr: Translator = ENGLISH, y_title: str = "%",
    colors: tuple[str, ...] = (COLORS["primary"], COLORS["secondary"], COLORS["muted"]), suffix: str = "%",
) -> go.Figure:
    """One line per metric column; gaps where a metric is undefined (null stays a gap)."""
    fig = go.Figure()
    for (column, name), color in zip(columns.items(), colors, strict=False):
        fig.add_scatter(
            x=table["period"], y=table[column], name=tr(name), mode="lines+markers",
            line={"color": color, "width": 2.5}, connectgaps=False,
            hovertemplate=tr(name) + ": %{y:,.1f}" + suffix + "<extra></extra>",
        )
    return base_layout(fig, title, y_title=y_title)


def nrr_grr(table: pd.DataFrame, tr: Translator = ENGLISH) -> go.Figure:
    return rate_lines(table, {"nrr": N_("NRR"), "grr": N_("GRR")}, tr("Net and gross revenue retention"), tr)


def arpa(table: pd.DataFrame, currency: str = "USD", tr: Translator = ENGLISH) -> go.Figure:
    return rate_lines(
        table, {"arpa": N_("ARPA")}, tr("Average revenue per account (ARPA)"), tr, y_title=currency, suffix=" " + currency
    )


def quick_ratio(table: pd.DataFrame, tr: Translator = ENGLISH) -> go.Figure:
    fig = rate_lines(table, {"quick_ratio": N_("Quick ratio")}, tr("SaaS quick ratio"), tr, y_title="", suffix="")
    fig.add_hline(y=4, line_dash="dot", line_color=COLORS["muted"],
                  annotation_text=tr("4 = efficient growth"), annotation_position="top left")
    fig.add_hline(y=1, line_dash="dot", line_color=COLORS["bad"],
                  annotation_text=tr("1 = losing as fast as gaining"), annotation_position="bottom left")
    return fig
