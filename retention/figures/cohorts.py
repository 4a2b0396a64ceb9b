"""Cohort charts: the retention triangle as a heatmap and the average retention curve.

Both take the engine's aggregated `CohortTable`, so a figure holds at most cohorts × ages
numbers whatever the number of customers.  The page switches between customers and revenue by
building the table with another basis, and between counts and percentages with `mode`.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from retention.engine.cohorts import CohortTable
from retention.figures.theme import COLORS, base_layout
from retention.i18n import ENGLISH, N_, Translator

Mode = Literal["percent", "count"]
# Light to dark blue: readable in print and for the common colour-vision deficiencies.
SCALE = [[0.0, "#f7fbff"], [0.25, "#c6dbef"], [0.5, "#6baed6"], [0.75, "#2171b5"], [1.0, "#08306b"]]
TEXT_LIMIT = 24  # write the number in each cell only while the grid stays readable
MAX_AGES = {"month": 25, "quarter": 13, "year": 11}
"""Columns shown (two years of months, three of quarters, ten of years); the export keeps every cell."""

AGE_TITLE = {
    "month": N_("Months since the cohort's first month"),
    "quarter": N_("Quarters since the cohort's first quarter"),
    "year": N_("Years since the cohort's first year"),
}
AGE_UNIT = {"month": N_("Month {age}"), "quarter": N_("Quarter {age}"), "year": N_("Year {age}")}


def cohort_label(cohort: str, customers: int, tr: Translator = ENGLISH) -> str:
    """The y tick label: the cohort with its number of customers, e.g. "2024-01 (n=35)"."""
    return tr("{cohort} (n={n})", cohort=cohort, n=f"{customers:,}")


def cohort_heatmap(
    table: CohortTable, mode: Mode = "percent", currency: str = "USD", tr: Translator = ENGLISH
) -> go.Figure:
    """Cohorts (rows, oldest on top) × age (columns); cells after the window's end stay blank."""
    revenue = table.basis == "revenue"
    ages = [c for c in table.wide("values").columns if c not in ("cohort", "size")][: MAX_AGES[table.granularity]]
    values = table.wide("values")[ages].to_numpy(dtype=float)
    percent = table.wide("percent")[ages].to_numpy(dtype=float)
    z = percent if mode == "percent" else values
    cohorts = [r.label for r in table.rows]
    zmin, zmax, bar_title = _color_range(z, mode, revenue, currency, tr)
    fig = go.Figure(
        go.Heatmap(
            z=z, x=[str(a) for a in ages], y=[cohort_label(r.label, r.customers, tr) for r in table.rows],
            customdata=_cell_data(cohorts, values, percent), hovertemplate=_hover(table, revenue, currency, tr),
            hoverongaps=False, colorscale=SCALE, zmin=zmin, zmax=zmax, xgap=1, ygap=1,
            colorbar={"title": {"text": bar_title}, "thickness": 12},
            text=_cell_text(z, mode, len(cohorts), len(ages)), texttemplate="%{text}", textfont={"size": 10},
        )
    )
    fig = base_layout(fig, _heatmap_title(revenue, mode, tr), x_title=tr(AGE_TITLE[table.granularity]),
                      height=max(360, 24 * len(cohorts) + 140), language=getattr(tr, "language", "en"))
    fig.update_layout(hovermode="closest", plot_bgcolor="white")
    fig.update_yaxes(type="category", autorange="reversed", showgrid=False)
    fig.update_xaxes(showgrid=False, side="top")
    return fig


def _cell_data(cohorts: list[str], values: np.ndarray, percent: np.ndarray) -> np.ndarray:
    """Per cell: (cohort label, value, percent), what the hover reads."""
    customdata = np.empty(values.shape + (3,), dtype=object)
    customdata[..., 0] = np.array(cohorts, dtype=object)[:, None] if len(cohorts) else None
    customdata[..., 1] = values
    customdata[..., 2] = percent
    return customdata


def _hover(table: CohortTable, revenue: bool, currency: str, tr: Translator) -> str:
    value_name = tr("MRR") if revenue else tr("Customers")
    unit = " " + currency if revenue else ""
    return "<br>".join(
        [
            tr("Cohort: {cohort}", cohort="%{customdata[0]}"),
            tr(AGE_UNIT[table.granularity], age="%{x}"),
            value_name + ": %{customdata[1]:,.0f}" + unit,
            tr("Retained: {percent}", percent="%{customdata[2]:.1f}%"),
        ]
    ) + "<extra></extra>"


def _cell_text(z: np.ndarray, mode: Mode, rows: int, columns: int) -> np.ndarray | None:
    """Rounded values written on the cells, only while the grid is small enough to read them."""
    if rows > TEXT_LIMIT or columns > TEXT_LIMIT:
        return None
    suffix = "%" if mode == "percent" else ""
    shown = pd.Series(np.round(z).ravel()).map(lambda v: "" if np.isnan(v) else f"{v:,.0f}{suffix}")
    return np.where(np.isnan(z), "", shown.to_numpy().reshape(z.shape))


def _color_range(z: np.ndarray, mode: Mode, revenue: bool, currency: str, tr: Translator) -> tuple[float, float, str]:
    if mode == "percent":
        return 0.0, 100.0, "%"  # revenue cells above 100 % (expansion) show the darkest blue
    top = float(np.nanmax(z)) if np.isfinite(z).any() else 1.0
    return 0.0, top, currency if revenue else tr("Customers")


def _heatmap_title(revenue: bool, mode: Mode, tr: Translator) -> str:
    if revenue:
        return tr("Revenue retention by cohort") if mode == "percent" else tr("MRR by cohort")
    return tr("Customer retention by cohort") if mode == "percent" else tr("Customers by cohort")


def average_retention(curve: pd.DataFrame, table: CohortTable, tr: Translator = ENGLISH) -> go.Figure:
    """The size-weighted mean retention by age (`average_retention_curve`), with cohort counts in the hover."""
    revenue = table.basis == "revenue"
    name = tr("Revenue retained") if revenue else tr("Customers retained")
    fig = go.Figure(
        go.Scatter(
            x=curve["age"], y=curve["percent"], mode="lines+markers", name=name,
            line={"color": COLORS["secondary"] if revenue else COLORS["primary"], "width": 3},
            customdata=curve["cohorts"],
            hovertemplate=tr(AGE_UNIT[table.granularity], age="%{x}") + ": %{y:.1f}%<br>"
            + tr("average of {n} cohorts", n="%{customdata}") + "<extra></extra>",
        )
    )
    title = tr("Average revenue retention curve") if revenue else tr("Average customer retention curve")
    fig = base_layout(fig, title, y_title="%", x_title=tr(AGE_TITLE[table.granularity]),
                      language=getattr(tr, "language", "en"))
    fig.update_layout(hovermode="closest", showlegend=False)
    fig.update_xaxes(type="linear", dtick=1 if len(curve) <= 24 else None)
    fig.update_yaxes(rangemode="tozero")
    return fig
