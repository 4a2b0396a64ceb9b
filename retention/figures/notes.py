"""Notes on trend charts: a dotted vertical line at the note's period with its text on top.

The charts' x axis holds period labels (`2024-06`, `2024-Q2`, `2024`), so a note dated inside a
shown period is drawn at that period's label; notes outside the window are left off.  The note's
text is the user's: it goes through `escaping.plotly_text`, so `<b>` stays text.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
import plotly.graph_objects as go

from retention.escaping import plotly_text
from retention.periods import label, period_of

MAX_LABEL = 40


def notes_on_axis(notes: Iterable[tuple[pd.Timestamp, str]], labels: list[str], granularity: str) -> list[tuple[str, str]]:
    """(period label, text) for every note whose day falls in one of the shown periods, texts of one period joined."""
    shown = set(labels)
    by_period: dict[str, list[str]] = {}
    for day, text in notes:
        where = label(period_of(pd.Timestamp(day), granularity))  # type: ignore[arg-type]
        if where in shown:
            by_period.setdefault(where, []).append(str(text))
    return [(where, "; ".join(texts)) for where, texts in by_period.items()]


def add_notes(fig: go.Figure, notes: Iterable[tuple[pd.Timestamp, str]], labels: list[str], granularity: str) -> go.Figure:
    """Draw each note as a dotted line with a short label above the plot (full text on hover)."""
    for where, text in notes_on_axis(notes, labels, granularity):
        short = text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"
        fig.add_shape(type="line", x0=where, x1=where, xref="x", y0=0, y1=1, yref="paper",
                      line={"color": "#6b7280", "width": 1, "dash": "dot"})
        fig.add_annotation(x=where, xref="x", y=1.0, yref="paper", yanchor="bottom", showarrow=False,
                           text="✎ " + plotly_text(short), hovertext=plotly_text(text), font={"size": 10, "color": "#374151"})
    return fig
