"""Forecast charts: projected retention, the backtest, and the MRR forecast with committed MRR.

One rule on every chart: what happened is a solid line with markers; what the model expects is
dashed, with its band shaded lightly behind it; committed MRR (already scheduled in the data) is
dotted in its own colour.  A projection is never drawn like history.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from retention.figures.cohorts import AGE_TITLE
from retention.figures.theme import COLORS, base_layout
from retention.forecasts.backtest import Backtest
from retention.forecasts.committed import Committed
from retention.forecasts.mrr import MrrForecast
from retention.forecasts.projection import CohortProjection, RetentionForecast
from retention.i18n import ENGLISH, Translator

PROJECTION = COLORS["secondary"]
COMMITTED = "#0d9488"


def _rgba(hex_color: str, alpha: float) -> str:
    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def _band(fig: go.Figure, x, low, high, color: str, name: str) -> None:
    """A shaded band between `low` and `high` (no hover of its own; the line's hover names it)."""
    low, high = np.asarray(low, dtype=float), np.asarray(high, dtype=float)
    if not np.isfinite(low).any():
        return
    fig.add_scatter(x=x, y=high, mode="lines", line={"width": 0}, showlegend=False, hoverinfo="skip", legendgroup=name)
    fig.add_scatter(x=x, y=low, mode="lines", line={"width": 0}, fill="tonexty", fillcolor=_rgba(color, 0.18),
                    name=name, hoverinfo="skip", legendgroup=name)


def retention_projection(
    forecast: RetentionForecast, observed: pd.DataFrame, cohort: CohortProjection | None = None,
    tr: Translator = ENGLISH,
) -> go.Figure:
    """Observed retention (solid) and the model's projection (dashed) with its 90 % band.

    Without a cohort: `observed` is the size-weighted average curve of all cohorts (age, percent)
    and the projection is the pooled fit from age 0.  With one: that cohort's own triangle row and
    its projection from its last observed age.
    """
    fig = go.Figure()
    band_name = tr("90 % range of the projection")
    if cohort is None:
        curve = forecast.pooled_curve
        obs_x, obs_y = observed["age"], observed["percent"]
        obs_name = tr("All cohorts, observed")
    else:
        curve = cohort.projected
        obs_x, obs_y = list(range(len(cohort.observed))), cohort.observed
        obs_name = tr("Cohort {cohort}, observed", cohort=cohort.cohort)
    _band(fig, curve["age"], curve["low"], curve["high"], PROJECTION, band_name)
    fig.add_scatter(
        x=curve["age"], y=curve["survival"], mode="lines", name=tr("Projected (model)"),
        line={"color": PROJECTION, "width": 2.5, "dash": "dash"},
        customdata=np.column_stack([curve["low"], curve["high"]]),
        hovertemplate=tr("age {age}", age="%{x}") + ": %{y:.1f}% (" + tr("range {low}–{high}", low="%{customdata[0]:.1f}%",
                                                                          high="%{customdata[1]:.1f}%") + ")<extra></extra>",
    )
    fig.add_scatter(
        x=obs_x, y=obs_y, mode="lines+markers", name=obs_name, line={"color": COLORS["primary"], "width": 3},
        hovertemplate=tr("age {age}", age="%{x}") + ": %{y:.1f}%<extra></extra>",
    )
    fig = base_layout(fig, tr("Projected customer retention"), y_title=tr("% still paying"),
                      x_title=tr(AGE_TITLE[forecast.granularity]), height=400)
    fig.update_layout(hovermode="closest")
    fig.update_xaxes(type="linear", rangemode="tozero")
    fig.update_yaxes(range=[0, 102])
    return fig


def backtest_figure(result: Backtest, granularity: str, tr: Translator = ENGLISH) -> go.Figure:
    """What happened after the cut-off (solid) against what the model fitted before it predicted (dashed)."""
    by_age = result.by_age()
    fig = go.Figure()
    fig.add_scatter(
        x=by_age["age"], y=by_age["predicted"], mode="lines", name=tr("Predicted at the cut-off"),
        line={"color": PROJECTION, "width": 2.5, "dash": "dash"}, customdata=by_age["cohorts"],
        hovertemplate=tr("age {age}", age="%{x}") + ": %{y:.1f}% (" + tr("{n} cohorts", n="%{customdata}") + ")<extra></extra>",
    )
    fig.add_scatter(
        x=by_age["age"], y=by_age["actual"], mode="lines+markers", name=tr("What happened"),
        line={"color": COLORS["primary"], "width": 3},
        hovertemplate=tr("age {age}", age="%{x}") + ": %{y:.1f}%<extra></extra>",
    )
    fig.add_vline(x=result.cutoff, line_dash="dot", line_color=COLORS["muted"],
                  annotation_text=tr("cut-off: age {age}", age=result.cutoff), annotation_position="top left")
    fig = base_layout(fig, tr("Backtest: predicted against actual retention"), y_title=tr("% still paying"),
                      x_title=tr(AGE_TITLE[granularity]), height=360)
    fig.update_layout(hovermode="closest")
    fig.update_xaxes(type="linear")
    return fig


def mrr_forecast_figure(
    forecast: MrrForecast, committed: Committed | None = None, currency: str = "USD", tr: Translator = ENGLISH,
    history_months: int = 24,
) -> go.Figure:
    """MRR history (solid), the forecast (dashed, with its band) and committed MRR (dotted)."""
    fig = go.Figure()
    history = forecast.history.iloc[-history_months:]
    frame = forecast.frame
    if len(frame):
        last = history.iloc[-1]
        x = [str(last["period"]), *frame["period"]]
        _band(fig, x, [last["mrr_end"], *frame["low"]], [last["mrr_end"], *frame["high"]], PROJECTION,
              tr("Rough 80 % range"))
        fig.add_scatter(
            x=x, y=[last["mrr_end"], *frame["mrr_end"]], mode="lines", name=tr("Forecast"),
            line={"color": PROJECTION, "width": 2.5, "dash": "dash"},
            hovertemplate="%{x}: %{y:,.0f} " + currency + "<extra>" + tr("Forecast") + "</extra>",
        )
    if committed is not None and len(committed.frame) and len(history):
        last = history.iloc[-1]
        x = [str(last["period"]), *committed.frame["period"]]
        fig.add_scatter(
            x=x, y=[last["mrr_end"], *committed.frame["mrr_end"]], mode="lines", name=tr("Committed MRR"),
            line={"color": COMMITTED, "width": 2, "dash": "dot"},
            hovertemplate="%{x}: %{y:,.0f} " + currency + "<extra>" + tr("Committed MRR") + "</extra>",
        )
    fig.add_scatter(
        x=history["period"], y=history["mrr_end"], mode="lines+markers", name=tr("MRR"),
        line={"color": COLORS["primary"], "width": 3},
        hovertemplate="%{x}: %{y:,.0f} " + currency + "<extra>" + tr("MRR") + "</extra>",
    )
    fig = base_layout(fig, tr("MRR forecast"), y_title=currency, height=400)
    fig.update_layout(hovermode="closest")
    # Traces are drawn band first, so the periods' order is given explicitly: history, then the months ahead.
    order = [*map(str, history["period"]), *map(str, frame["period"] if len(frame) else [])]
    if committed is not None and len(committed.frame):
        order += [p for p in map(str, committed.frame["period"]) if p not in order]
    fig.update_xaxes(categoryorder="array", categoryarray=order, tickangle=-45, nticks=min(len(order), 18))
    fig.update_layout(legend_y=-0.3)
    return fig
