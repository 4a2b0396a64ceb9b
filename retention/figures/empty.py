"""Whether a chart has anything to show.

A chart whose every series is empty (no NPS answers, a rate undefined in every period) would
draw axes around nothing, often with a meaningless −1…1 range; pages replace it with one
sentence saying which file or column would fill it.  Reference lines (benchmarks, targets,
thresholds) are not data: a chart with only those is empty too.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

REFERENCE_RANK = 900
"""`legendrank` of benchmark, target and threshold traces (they sort after the data in the legend)."""


def _finite(values: object) -> bool:
    if values is None:
        return False
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        return True  # categories or dates: something to show
    return bool(np.isfinite(array).any())


def has_data(fig: go.Figure) -> bool:
    """True when at least one data trace has a finite value to draw."""
    for trace in fig.data:
        if getattr(trace, "legendrank", None) == REFERENCE_RANK or (trace.meta and isinstance(trace.meta, dict)):
            continue
        if trace.type == "heatmap":
            values = trace.z
        elif trace.type == "sankey":
            values = trace.link.value
        elif getattr(trace, "orientation", None) == "h":
            values = trace.x
        else:
            values = trace.y
        if _finite(values):
            return True
    return False
