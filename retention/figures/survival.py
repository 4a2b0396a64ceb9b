"""Customer lifetime (Kaplan–Meier) curves with their 95 % band and median lifetime.

Curves are step functions: S(t) holds until the next month in which someone churned, so every
trace uses `line_shape="hv"`.  Each curve holds one point per distinct lifetime (a few dozen
months), never one per customer.
"""

from __future__ import annotations

import plotly.graph_objects as go

from retention.engine.segments import NO_VALUE
from retention.engine.survival import SurvivalCurve
from retention.escaping import plotly_text
from retention.figures.benchmark_lines import reference_line
from retention.figures.theme import COLORS, base_layout
from retention.i18n import ENGLISH, Translator

PALETTE = [COLORS["primary"], "#ea580c", COLORS["secondary"], "#0d9488", "#db2777", "#ca8a04", "#475569", "#65a30d"]


def _rgba(hex_color: str, alpha: float) -> str:
    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def segment_name(segment: str | None, tr: Translator = ENGLISH) -> str:
    """How a curve's segment is shown: "All customers" without a split, "(no value)" translated, a value escaped."""
    if segment is None:
        return tr("All customers")
    return tr(NO_VALUE) if segment == NO_VALUE else plotly_text(segment)


def survival_figure(curves: list[SurvivalCurve], tr: Translator = ENGLISH) -> go.Figure:
    """One step curve per segment in its own colour, a shaded 95 % band, the median marked."""
    fig = go.Figure()
    for i, curve in enumerate(curves):
        color = PALETTE[i % len(PALETTE)]
        name = segment_name(curve.segment, tr)
        group = f"curve-{i}"
        fig.add_scatter(
            x=curve.timeline, y=curve.upper * 100, mode="lines", line={"width": 0, "shape": "hv"},
            legendgroup=group, showlegend=False, hoverinfo="skip",
        )
        fig.add_scatter(
            x=curve.timeline, y=curve.lower * 100, mode="lines", line={"width": 0, "shape": "hv"},
            fill="tonexty", fillcolor=_rgba(color, 0.15), legendgroup=group, showlegend=False, hoverinfo="skip",
        )
        fig.add_scatter(
            x=curve.timeline, y=curve.survival * 100, mode="lines", name=f"{name} (n={curve.customers:,})",
            line={"color": color, "width": 2.5, "shape": "hv"}, legendgroup=group,
            customdata=list(zip(curve.lower * 100, curve.upper * 100, strict=True)),
            hovertemplate=name + " · " + tr("month {month}", month="%{x}") + ": %{y:.1f}%"
            + " (" + tr("95% band {low}–{high}", low="%{customdata[0]:.1f}%", high="%{customdata[1]:.1f}%") + ")"
            + "<extra></extra>",
        )
        if curve.median_lifetime_months is not None:
            median = curve.median_lifetime_months
            fig.add_scatter(
                x=[median], y=[float(curve.at(median)) * 100], mode="markers", legendgroup=group, showlegend=False,
                marker={"color": color, "size": 11, "symbol": "diamond", "line": {"color": "white", "width": 1.5}},
                hovertemplate=name + ": " + tr("median lifetime {months} months", months=f"{median:g}") + "<extra></extra>",
            )
    reference_line(fig, 50, tr("median: half have left"), COLORS["muted"], dash="dot",
                   xs=[0, max((float(c.timeline.max()) for c in curves if len(c.timeline)), default=1.0)])
    fig = base_layout(fig, tr("Customer lifetime (Kaplan–Meier)"), y_title=tr("% still paying"),
                      x_title=tr("Months since the first paid month"), height=400, language=getattr(tr, "language", "en"))
    fig.update_layout(hovermode="closest")
    fig.update_xaxes(type="linear", rangemode="tozero")
    fig.update_yaxes(range=[0, 102])
    return fig
