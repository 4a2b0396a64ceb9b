"""Engagement charts: cohort heatmap, day-N retention against benchmarks, active users and stickiness.

Builders take the engine's outputs (`engagement_cohorts`, `day_n_curve`, `week_n_curve`,
`active_users`, `stickiness`) so every chart shows exactly the numbers of the tables and the CLI.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from retention import formatting
from retention.escaping import plotly_text
from retention.figures.benchmark_lines import reference_line
from retention.figures.theme import COLORS, DAY_TICKS, base_layout
from retention.i18n import ENGLISH, N_, Translator

DAY_7_BENCHMARK = 7.0
WEEK_8_BENCHMARK = 35.0
_AGE_WORDS = {"day": N_("Day {n}"), "week": N_("Week {n}"), "month": N_("Month {n}")}
_SINCE = {"day": N_("Days since first seen"), "week": N_("Weeks since first seen"), "month": N_("Months since first seen")}
_INTERVAL_WORDS = {"day": N_("day"), "week": N_("week"), "month": N_("month")}


MAX_AGES = {"day": 31, "week": 13, "month": 13}
"""Columns shown: a month of days, a quarter of weeks, a year of months (the curve beside shows the rest)."""
MAX_COHORTS = 26
MIN_COHORT = 10
"""Cohorts with fewer actors are pooled into one row: one or two people make 0 % / 100 % cells that mean nothing."""
TEXT_CELLS = (16, 30)
"""Numbers are written in cells only up to this many columns and rows, where they stay legible."""


def _in_window(label: str, start: pd.Timestamp | None, end: pd.Timestamp | None) -> bool:
    day = pd.Timestamp(label)
    return (start is None or day >= start) and (end is None or day <= end)


def _pool(cohorts: list[dict], tr: Translator) -> dict:
    """One row for several small cohorts: per age, actors active over actors old enough to have that age."""
    width = max(len(c["values"]) for c in cohorts)
    values, percent = [], []
    for age in range(width):
        old_enough = [c for c in cohorts if len(c["values"]) > age]
        active = sum(c["values"][age] for c in old_enough)
        size = sum(c["size"] for c in old_enough)
        values.append(active)
        percent.append(active * 100.0 / size if size else np.nan)
    label = tr("{n} small cohorts", n=len(cohorts))
    return {"cohort": label, "size": sum(c["size"] for c in cohorts), "values": values, "percent": percent, "pooled": True}


def cohort_heatmap(
    cohorts: list[dict], interval: str = "day", tr: Translator = ENGLISH, start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> go.Figure:
    """Cohorts down, age across, % of the cohort active in each period; missing cells are blank (not 0).

    Only cohorts that started inside the chosen range are shown (the latest `MAX_COHORTS`), at most
    `MAX_AGES` columns, cohorts under `MIN_COHORT` actors pooled into one row, and numbers in the
    cells only while the grid is small enough to read them.
    """
    chosen = [c for c in cohorts if _in_window(c["cohort"], start, end)][-MAX_COHORTS:]
    small = [c for c in chosen if c["size"] < MIN_COHORT]
    rows = [c for c in chosen if c["size"] >= MIN_COHORT]
    if len(small) > 1 and rows:  # when every cohort is small, pooling them all would leave one row: show them
        rows.append(_pool(small, tr))
    else:
        rows += small
    cap = MAX_AGES.get(interval, 13)
    width = min(cap, max((len(c["percent"]) for c in rows), default=0))
    z = np.full((len(rows), width), np.nan)
    counts = np.full((len(rows), width), np.nan)
    for i, cohort in enumerate(rows):  # one row per cohort, not per event
        n = min(width, len(cohort["percent"]))
        z[i, :n] = cohort["percent"][:n]
        counts[i, :n] = cohort["values"][:n]
    language = getattr(tr, "language", "en")
    ages = [str(k) for k in range(width)]  # the axis title says "weeks since first seen"; numbers stay horizontal
    names = [f"{plotly_text(c['cohort'])} (n={formatting.number(c['size'], language)})" for c in rows]
    text = None
    if width <= TEXT_CELLS[0] and len(rows) <= TEXT_CELLS[1]:
        write = formatting.cell_formatter("percent", language, digits=0)
        text = np.where(np.isnan(z), "", np.vectorize(write, otypes=[object])(np.nan_to_num(z)))
    hover_text = np.vectorize(formatting.cell_formatter("percent", language, digits=1), otypes=[object])(z)
    active = np.vectorize(formatting.cell_formatter("count", language), otypes=[object])(counts)
    fig = go.Figure(
        go.Heatmap(
            z=z, x=ages, y=names, text=text, texttemplate="%{text}" if text is not None else None,
            customdata=np.dstack([hover_text, active]) if len(rows) and width else None,
            colorscale="Blues", zmin=0, zmax=100, colorbar={"title": {"text": "%"}, "thickness": 12},
            hoverongaps=False, xgap=1, ygap=1, textfont={"size": 10},
            hovertemplate="%{y}, " + tr(_AGE_WORDS[interval], n="%{x}") + ": %{customdata[0]} (%{customdata[1]} "
            + tr("active") + ")<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed", type="category")
    height = max(320, min(900, 90 + 22 * len(rows)))
    fig = base_layout(
        fig, tr("Engagement cohorts: % of each {interval}'s new actors active later", interval=tr(_INTERVAL_WORDS[interval])),
        y_title=tr("First seen"), x_title=tr(_SINCE[interval]), height=height, language=language,
    )
    fig.update_layout(hovermode="closest", plot_bgcolor="white")
    fig.update_xaxes(showgrid=False, side="top", tickangle=0)
    fig.update_yaxes(showgrid=False)
    fig.update_layout(margin={"t": 90})
    return fig


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
    span = [0, max([*day_curve["day"].tolist(), *((week_curve["week"] * 7).tolist() if week_curve is not None else []), 1])]
    reference_line(fig, DAY_7_BENCHMARK, tr("Day 7: 7 % puts a product in the top quarter (Amplitude)"), COLORS["muted"],
                   xs=span)
    reference_line(fig, WEEK_8_BENCHMARK, tr("Week 8: 35 % is good (SaaS retention articles; Statsig)"), COLORS["good"],
                   xs=span)
    fig = base_layout(fig, tr("Usage retention by days since first seen"), y_title="%",
                      x_title=tr("Days since first seen"), language=getattr(tr, "language", "en"))
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
    fig = base_layout(fig, tr("Active users and stickiness"), y_title=tr("Active actors"), language=getattr(tr, "language", "en"))
    fig.update_xaxes(type="date", tickformat=DAY_TICKS)
    return fig
