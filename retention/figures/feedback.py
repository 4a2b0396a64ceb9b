"""Feedback charts: NPS with its promoter/passive/detractor mix, CSAT, churn by NPS group.

Builders take `feedback_table` and `churn_by_group` outputs, so charts match tables and CLI.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from retention.figures.theme import COLORS, base_layout
from retention.i18n import ENGLISH, N_, Translator

GROUP_NAMES = {"promoters": N_("Promoters (9–10)"), "passives": N_("Passives (7–8)"), "detractors": N_("Detractors (0–6)")}
GROUP_COLORS = {"promoters": COLORS["good"], "passives": "#cbd5e1", "detractors": COLORS["bad"]}


def _shares(table: pd.DataFrame, column: str) -> np.ndarray:
    responses = table["responses"].to_numpy(dtype=float)
    out = np.full(len(table), np.nan)
    np.divide(table[column].to_numpy(dtype=float) * 100.0, responses, out=out, where=responses > 0)
    return out


def nps_trend(table: pd.DataFrame, tr: Translator = ENGLISH) -> go.Figure:
    """Stacked shares of promoters, passives and detractors per period; NPS (−100…100) as a line on the right."""
    fig = go.Figure()
    for group in ("detractors", "passives", "promoters"):
        name = tr(GROUP_NAMES[group])
        fig.add_bar(
            x=table["period"], y=_shares(table, group), name=name, marker_color=GROUP_COLORS[group], customdata=table[group],
            hovertemplate=name + ": %{y:.0f} % (%{customdata:,})<extra></extra>",
        )
    fig.add_scatter(
        x=table["period"], y=table["nps"], name=tr("NPS"), yaxis="y2", mode="lines+markers",
        line={"color": "#0f172a", "width": 2.5}, customdata=table["responses"],
        hovertemplate=tr("NPS") + ": %{y:.0f} (%{customdata:,} " + tr("responses") + ")<extra></extra>",
    )
    fig.update_layout(
        barmode="stack",
        yaxis={"range": [0, 100]},
        yaxis2={"overlaying": "y", "side": "right", "range": [-100, 100], "showgrid": False, "zeroline": True, "title": tr("NPS")},
    )
    return base_layout(fig, tr("Net Promoter Score and the mix of answers"), y_title=tr("% of responses"),
                      language=getattr(tr, "language", "en"))


def csat_trend(table: pd.DataFrame, tr: Translator = ENGLISH) -> go.Figure:
    """CSAT (% of 4–5 answers) per period, with the number of answers as bars on the right axis."""
    fig = go.Figure()
    fig.add_bar(
        x=table["period"], y=table["csat_responses"], name=tr("CSAT answers"), yaxis="y2", marker_color="#e2e8f0",
        hovertemplate=tr("CSAT answers") + ": %{y:,}<extra></extra>",
    )
    fig.add_scatter(
        x=table["period"], y=table["csat"], name=tr("CSAT"), mode="lines+markers", line={"color": COLORS["primary"], "width": 2.5},
        hovertemplate=tr("CSAT") + ": %{y:.1f} %<extra></extra>",
    )
    fig.update_layout(
        yaxis={"range": [0, 100]},
        yaxis2={"overlaying": "y", "side": "right", "showgrid": False, "rangemode": "tozero", "title": tr("Answers")},
    )
    return base_layout(fig, tr("Customer satisfaction (CSAT): share of 4–5 answers"), y_title="%",
                      language=getattr(tr, "language", "en"))


def churn_by_group_chart(groups: dict[str, dict], tr: Translator = ENGLISH) -> go.Figure:
    """Share of each NPS group's responses whose customer churned within 3 months, with the counts."""
    keys = [g for g in ("promoters", "passives", "detractors") if g in groups]
    rates = [groups[g]["churn_rate"] for g in keys]
    text = [
        "" if groups[g]["responses"] in (None, 0) else
        tr("{churned} of {responses}", churned=f"{groups[g]['churned']:,}", responses=f"{groups[g]['responses']:,}")
        for g in keys
    ]
    fig = go.Figure(
        go.Bar(
            x=[tr(GROUP_NAMES[g]) for g in keys], y=[np.nan if r is None else r for r in rates],
            marker_color=[GROUP_COLORS[g] for g in keys], text=text, textposition="outside",
            hovertemplate="%{x}: %{y:.1f} % (%{text})<extra></extra>",
        )
    )
    fig = base_layout(fig, tr("Churn within 3 months of answering, by NPS group"), y_title=tr("% churned"),
                      language=getattr(tr, "language", "en"))
    fig.update_layout(showlegend=False, hovermode="closest")
    fig.update_yaxes(rangemode="tozero")
    return fig
