"""Revenue charts: MRR over time, MRR movements, the bridge of one period, NRR/GRR, ARPA.

Every builder takes the metrics table of `compute_metrics` (one row per period), so the charts
show exactly the numbers of the tables and exports.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from retention import formatting
from retention.figures import spec
from retention.figures.benchmark_lines import reference_line
from retention.figures.spec import column
from retention.figures.theme import COLORS, base_layout, unstyled
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
    fig = unstyled([{
        "type": "scatter", "x": column(table["period"]), "y": column(table["mrr_end"]), "mode": "lines+markers",
        "name": tr("MRR"), "line": {"color": COLORS["primary"], "width": 3},
        "hovertemplate": "%{x}: %{y:,.0f} " + currency + "<extra></extra>",
    }])
    return base_layout(fig, tr("MRR at the end of each period"), y_title=currency, language=getattr(tr, "language", "en"))


def mrr_movements(table: pd.DataFrame, currency: str = "USD", tr: Translator = ENGLISH) -> go.Figure:
    """Stacked bars: gains above zero, losses below, net change as a line."""
    periods = column(table["period"])
    data = [{
        "type": "bar", "x": periods, "y": column((-1 if name in _NEGATIVE else 1) * table[name]), "name": tr(label),
        "marker": {"color": COLORS[name]}, "customdata": column(table[name]),
        "hovertemplate": tr(label) + ": %{customdata:,.0f}<extra></extra>",
    } for name, label in MOVEMENTS.items()]
    net = (
        table["mrr_new"] + table["mrr_expansion"] + table["mrr_reactivation"]
        - table["mrr_contraction"] - table["mrr_churned"]
    )
    data.append({
        "type": "scatter", "x": periods, "y": column(net), "name": tr("Net change"), "mode": "lines+markers",
        "line": {"color": "#0f172a", "width": 2}, "hovertemplate": tr("Net change") + ": %{y:,.0f}<extra></extra>",
    })
    fig = unstyled(data, barmode="relative")
    return base_layout(fig, tr("MRR movements per period"), y_title=currency, language=getattr(tr, "language", "en"))


def mrr_bridge(row: pd.Series, currency: str = "USD", tr: Translator = ENGLISH) -> go.Figure:
    """Waterfall from MRR at the start of one period to MRR at its end.

    The y axis starts just below the lowest level the bridge reaches, not at zero: the movements
    are a few percent of MRR, and from zero they would be slivers.  The opening and closing bars are
    cut by the axis and say so in their labels; every amount is written the reader's way.
    """
    language = getattr(tr, "language", "en")
    signed = [(-1 if c in _NEGATIVE else 1) * float(row[c] or 0.0) for c in MOVEMENTS]
    start, end = float(row["mrr_start"] or 0.0), float(row["mrr_end"] or 0.0)
    # Labels on two short lines stay horizontal in a narrow column ("MRR de<br>début").
    labels = ["<br>".join(textwrap.wrap(text, 11, break_long_words=False)) for text in
              [tr("Start MRR"), *(tr(name) for name in MOVEMENTS.values()), tr("End MRR")]]
    values = [start, *signed, end]
    levels = np.cumsum([start, *signed])
    low, high = float(min(levels.min(), end)), float(max(levels.max(), end))
    moved = max(high - low, 0.02 * max(abs(high), 1.0))
    floor = max(0.0, low - 0.6 * moved)
    text = [formatting.money(start, currency, language),
            *(formatting.signed(formatting.money(v, currency, language), v) for v in signed),
            formatting.money(end, currency, language)]
    fig = unstyled([{
        "type": "waterfall", "x": labels, "y": values, "measure": ["absolute", *["relative"] * len(MOVEMENTS), "total"],
        "base": 0, "increasing": {"marker": {"color": COLORS["mrr_new"]}},
        "decreasing": {"marker": {"color": COLORS["mrr_churned"]}},
        "totals": {"marker": {"color": COLORS["primary"]}},
        "connector": {"line": {"color": "#cbd5e1"}},
        "text": text, "textposition": "outside", "cliponaxis": False,
        "hovertemplate": "%{x}: %{text}<extra></extra>",
    }])
    fig = base_layout(fig, tr("MRR bridge for {period}", period=row["period"]), y_title=currency, language=language)
    spec.relayout(fig, {"hovermode": "closest", "showlegend": False, "margin": {"t": 70}})
    # No fixed angle: Plotly slants the labels only when they would overlap (German and French names
    # of the seven steps do not fit side by side on a half-width chart; English ones mostly do).
    spec.relayout(fig, {"yaxis": {"range": [floor, high + 0.35 * moved], "tickformat": ",.0f"}})
    if floor > 0:
        spec.relayout(fig, {"title": {"subtitle": {  # keys in the order Plotly's `update_layout` left them
            "font": {"size": 11, "color": COLORS["muted"]},
            "text": tr("The axis starts at {amount} so the movements stay visible.",
                       amount=formatting.money(floor, currency, language)),
        }}})
    return fig


def rate_lines(
    table: pd.DataFrame, columns: dict[str, str], title: str, tr: Translator = ENGLISH, y_title: str = "%",
    colors: tuple[str, ...] = (COLORS["primary"], COLORS["secondary"], COLORS["muted"]), suffix: str = "%",
) -> go.Figure:
    """One line per metric column; gaps where a metric is undefined (null stays a gap)."""
    periods = column(table["period"])
    fig = unstyled([{
        "type": "scatter", "x": periods, "y": column(table[metric]), "name": tr(name), "mode": "lines+markers",
        "line": {"color": color, "width": 2.5}, "connectgaps": False,
        "hovertemplate": tr(name) + ": %{y:,.1f}" + suffix + "<extra></extra>",
    } for (metric, name), color in zip(columns.items(), colors, strict=False)])
    return base_layout(fig, title, y_title=y_title, language=getattr(tr, "language", "en"))


def nrr_grr(table: pd.DataFrame, tr: Translator = ENGLISH) -> go.Figure:
    return rate_lines(table, {"nrr": N_("NRR"), "grr": N_("GRR")}, tr("Net and gross revenue retention"), tr)


def arpa(table: pd.DataFrame, currency: str = "USD", tr: Translator = ENGLISH) -> go.Figure:
    return rate_lines(
        table, {"arpa": N_("ARPA")}, tr("Average revenue per account (ARPA)"), tr, y_title=currency, suffix=" " + currency
    )


def quick_ratio(table: pd.DataFrame, tr: Translator = ENGLISH) -> go.Figure:
    fig = rate_lines(table, {"quick_ratio": N_("Quick ratio")}, tr("SaaS quick ratio"), tr, y_title="", suffix="")
    reference_line(fig, 4, tr("4 = efficient growth"), COLORS["muted"], dash="dot")
    reference_line(fig, 1, tr("1 = losing as fast as gaining"), COLORS["bad"], dash="dot")
    return fig
