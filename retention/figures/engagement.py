"""Engagement charts: cohort heatmap, day-N retention against benchmarks, active users and stickiness.

Builders take the engine's outputs (`engagement_cohorts`, `day_n_curve`, `week_n_curve`,
`active_users`, `stickiness`) so every chart shows exactly the numbers of the tables and the CLI.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from retention.figures.theme import COLORS, base_layout
from retention.i18n import ENGLISH, N_, Translator

DAY_7_BENCHMARK = 7.0
WEEK_8_BENCHMARK = 35.0
_AGE_WORDS = {"day": N_("Day {n}"), "week": N_("Week {n}"), "month": N_("Month {n}")}
_INTERVAL_WORDS = {"day": N_("day"), "week": N_("week"), "month": N_("month")}


def cohort_heatmap(cohorts: list[dict], interval: str = "day", tr: Translator = ENGLISH) -> go.Figure:
    """Cohorts down, age across, % of the cohort active in each period; missing cells are blank (not 0)."""
    width = max((len(c["percent"]) for c in cohorts), default=0)
    z = np.full((len(cohorts), width), np.nan)
    counts = np.full((len(cohorts), width), np.nan)
    for i, cohort in enumerate(cohorts):  # one row per cohort, not per event
        z[i, : len(cohort["percent"])] = cohort["percent"]
        counts[i, : len(cohort["values"])] = cohort["values"]
    ages = [tr(_AGE_WORDS[interval], n=str(k)) for k in range(width)]
    rows = [f"{c['cohort']} (n={c['size']:,})" for c in cohorts]
    text = np.where(np.isnan(z), "", np.char.add(np.round(np.nan_to_num(z), 0).astype(int).astype(str), " %"))
    fig = go.Figure(
        go.Heatmap(
            z=z, x=ages, y=rows, text=text, texttemplate="%{text}", customdata=counts, colorscale="Blues", zmin=0, zmax=100,
            colorbar={"title": "%"}, hoverongaps=False,
            hovertemplate="%{y}, %{x}: %{z:.1f} % (%{customdata:,} " + tr("active") + ")<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed", type="category")
    height = max(320, min(900, 60 + 24 * len(cohorts)))
    return base_layout(
        fig, tr("Engagement cohorts: % of each {interval}'s new actors active later", interval=tr(_INTERVAL_WORDS[interval])),
        y_title=tr("First seen"), x_title=tr("Periods since first seen"), height=height,
    )


def retention_curve(day_curve: pd.DataFrame, week_curve: pd.DataFrame | None = None, tr: Translator = ENGLISH) -> go.Figure:
    """Day-N retention (and pooled weekly cohorts' week-N retention) with the two published benchmarks.

    Weekly points are drawn at day 7 × N so both curves share one time axis.
    """
    fig = go.Figure()
    fig.add_scatter(
        x=day_curve["day"], y=day_curve["retention"], name=tr("Day-N retention"), mode="lines+markers",
        line={"color": COLORS["primary"], "width": 2.5}, customdata=day_curve[["eligible", "retained"]].to_numpy(),
        hovertemplate=tr("Day {n}", n="%{x}") + ": %{y:.1f} % (%{customdata[1]:,} / %{customdata[0]:,})<extra></extra>",
    )
    if week_curve is not None and len(week_curve):
        fig.add_scatter(
            x=week_curve["week"] * 7, y=week_curve["retention"], name=tr("Week-N retention (weekly cohorts)"),
            mode="lines+markers", line={"color": COLORS["secondary"], "width": 2, "dash": "dot"},
            customdata=week_curve[["week", "eligible", "retained"]].to_numpy(),
            hovertemplate=tr("Week {n}", n="%{customdata[0]}")
            + ": %{y:.1f} % (%{customdata[2]:,} / %{customdata[1]:,})<extra></extra>",
        )
    fig.add_hline(
        y=DAY_7_BENCHMARK, line={"color": COLORS["muted"], "dash": "dash"},
        annotation_text=tr("Day 7: 7 % puts a product in the top quarter (Amplitude)"), annotation_position="top right",
    )
    fig.add_hline(
        y=WEEK_8_BENCHMARK, line={"color": COLORS["good"], "dash": "dash"},
        annotation_text=tr("Week 8: 35 % is good (SaaS retention articles; Statsig)"), annotation_position="top right",
    )
    fig = base_layout(fig, tr("Usage retention by days since first seen"), y_title="%", x_title=tr("Days since first seen"))
    fig.update_xaxes(type="linear", rangemode="tozero")
    fig.update_yaxes(range=[0, 105])
    fig.update_layout(hovermode="closest")
    return fig


def active_users_chart(daily: pd.DataFrame, monthly: pd.DataFrame | None = None, tr: Translator = ENGLISH) -> go.Figure:
    """DAU, WAU (trailing 7 days) and MAU (trailing 30 days); monthly stickiness on the right axis."""
    fig = go.Figure()
    for column, name, color in (
        ("mau", N_("Monthly active (30 days)"), COLORS["muted"]),
        ("wau", N_("Weekly active (7 days)"), COLORS["secondary"]),
        ("dau", N_("Daily active"), COLORS["primary"]),
    ):
        fig.add_scatter(
            x=daily["date"], y=daily[column], name=tr(name), mode="lines", line={"color": color, "width": 2},
            hovertemplate=tr(name) + ": %{y:,}<extra></extra>",
        )
    if monthly is not None and len(monthly):
        fig.add_scatter(
            x=pd.to_datetime(monthly["period"]) + pd.Timedelta(days=14), y=monthly["stickiness"], yaxis="y2",
            name=tr("Stickiness (mean daily / monthly active)"), mode="lines+markers",
            line={"color": COLORS["mrr_contraction"], "width": 2, "dash": "dot"},
            customdata=monthly[["period", "mean_dau", "mau"]].to_numpy(),
            hovertemplate=tr("Stickiness") + " %{customdata[0]}: %{y:.1f} % (%{customdata[1]:.1f} / %{customdata[2]:,})<extra></extra>",
        )
        fig.update_layout(yaxis2={"overlaying": "y", "side": "right", "showgrid": False, "title": tr("Stickiness") + " (%)",
                                  "rangemode": "tozero"})
    fig = base_layout(fig, tr("Active users and stickiness"), y_title=tr("Active actors"))
    fig.update_xaxes(type="date")
    return fig
