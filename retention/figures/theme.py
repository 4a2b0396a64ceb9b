"""Shared look of every chart: colours that mean the same thing on every page."""

from __future__ import annotations

import plotly.graph_objects as go

from retention.palette import COLORS  # noqa: F401  (re-exported: figures import it from here)

FONT = "Inter, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif"


def base_layout(fig: go.Figure, title: str, y_title: str = "", x_title: str = "", height: int = 360) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left", "font": {"size": 16}},
        template="plotly_white",
        font={"family": FONT, "size": 12},
        height=height,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        legend={"orientation": "h", "yanchor": "top", "y": -0.18, "xanchor": "left", "x": 0},
        hovermode="x unified",
        xaxis_title=x_title,
        yaxis_title=y_title,
    )
    fig.update_xaxes(type="category")
    if fig.layout.to_plotly_json().get("yaxis2", {}).get("overlaying"):
        # A second y axis narrows the plot; Plotly would then stand period labels upright into the legend.
        fig.update_xaxes(tickangle=-45)
        fig.update_layout(legend_y=-0.3)
    return fig
