"""Click targets for charts whose traces Plotly cannot select.

Plotly (and so `st.plotly_chart(on_select=…)`) reports no selection for heatmap cells.  An
invisible marker at the centre of every existing cell, carrying the cell's own hover text and
data, makes a click on a cell a selectable point: the drill-down reads `customdata` off it.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go


def with_cell_targets(fig: go.Figure, size: int = 18) -> go.Figure:
    """`fig` (a heatmap first) plus one transparent, clickable marker per non-empty cell.

    The marker's customdata is the heatmap's for that cell (cohort, value, percent…), so the
    same hover text shows, and a selected point says which cell was clicked.
    """
    heat = fig.data[0]
    z = np.asarray(heat.z, dtype=float)
    rows, cols = np.nonzero(~np.isnan(z))
    if not len(rows):
        return fig
    x, y = np.asarray(heat.x, dtype=object), np.asarray(heat.y, dtype=object)
    data = np.asarray(heat.customdata, dtype=object) if heat.customdata is not None else None
    fig.add_scatter(
        x=x[cols], y=y[rows], mode="markers", showlegend=False, name="",
        marker={"size": size, "symbol": "square", "color": "rgba(0,0,0,0)"},
        customdata=[list(data[r, c]) for r, c in zip(rows, cols, strict=True)] if data is not None else None,
        hovertemplate=heat.hovertemplate,
        selected={"marker": {"color": "rgba(15,23,42,0.25)"}}, unselected={"marker": {"opacity": 1}},
    )
    heat.hoverinfo = "skip"
    heat.hovertemplate = None
    return fig
