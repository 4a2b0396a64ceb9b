"""Segment comparison charts from `compare_segments` (one row per attribute value).

Small segments (too few customers for a stable rate) are drawn faded and hatched, and their
names carry a marker explained under the chart, so nobody ranks a 12-customer segment's 0 %
churn above a 400-customer one without seeing the warning.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from retention import formatting
from retention.engine.segments import NO_VALUE, SMALL_SEGMENT
from retention.escaping import plotly_text
from retention.figures.theme import COLORS, base_layout
from retention.glossary import METRICS
from retention.i18n import ENGLISH, N_, Translator

SMALL_MARK = " *"
_EXTRA_LABELS = {"mrr_share": N_("Share of MRR")}  # comparison columns that are not metrics of the glossary
_RATE_COLORS = (COLORS["primary"], COLORS["secondary"], "#0d9488", COLORS["muted"])


def metric_label(column: str, tr: Translator = ENGLISH) -> str:
    """Glossary label of a comparison column; `*_avg` columns say they are window averages."""
    base = column.removesuffix("_avg")
    info = METRICS.get(base)
    name = tr(info.label) if info else tr(_EXTRA_LABELS.get(column, column))
    return tr("{metric}, window average", metric=name) if column.endswith("_avg") else name


def _names(frame: pd.DataFrame, tr: Translator) -> list[str]:
    names = [tr(NO_VALUE) if s == NO_VALUE else plotly_text(s) for s in frame["segment"]]
    return [n + SMALL_MARK if small else n for n, small in zip(names, frame["small"], strict=True)]


def _small_note(fig: go.Figure, frame: pd.DataFrame, tr: Translator) -> None:
    if frame["small"].any():
        fig.add_annotation(
            text=tr("* fewer than {n} customers at the start of the last period: rates are unstable", n=SMALL_SEGMENT),
            xref="paper", yref="paper", x=1, xanchor="right", y=1.01, yanchor="bottom", showarrow=False,
            font={"size": 11, "color": COLORS["muted"]},
        )


def _unit(column: str, currency: str) -> tuple[str, str]:
    """(hover number format, suffix) for a column's kind."""
    kind = METRICS[column.removesuffix("_avg")].kind if column.removesuffix("_avg") in METRICS else "ratio"
    if kind == "percent" or column == "mrr_share":
        return ".1f", "%"
    if kind == "money":
        return ",.0f", " " + currency
    if kind == "count":
        return ",.0f", ""
    return ".1f", ""


def _texts(values: pd.Series, column: str, currency: str, tr: Translator) -> list[str]:
    """Each value written the reader's way for its kind (10.687 $, 97,5 %), the same as in tables and cards."""
    from retention.columns import describe

    kind = "percent" if column == "mrr_share" else describe(column.removesuffix("_avg")).kind or "number"
    kind = "money" if kind == "cents" else kind  # a bar label in whole units: 10,687 $, not 10,687.42 $
    write = formatting.cell_formatter(kind, getattr(tr, "language", "en"), currency)
    return [write(v) for v in values]


def segment_bars(frame: pd.DataFrame, metric: str, currency: str = "USD", tr: Translator = ENGLISH) -> go.Figure:
    """One horizontal bar per segment for one metric column, in the frame's order (largest MRR first)."""
    _, suffix = _unit(metric, currency)
    names = _names(frame, tr)
    small = frame["small"].to_numpy(dtype=bool)
    texts = _texts(frame[metric], metric, currency, tr)
    customers = [formatting.number(v, getattr(tr, "language", "en")) for v in frame["customers_end"]]
    fig = go.Figure(
        go.Bar(
            x=frame[metric], y=names, orientation="h",
            marker={
                "color": [COLORS["muted"] if s else COLORS["primary"] for s in small],
                "opacity": 0.9,
                "pattern": {"shape": ["/" if s else "" for s in small]},
            },
            customdata=list(zip(customers, texts, strict=True)), text=texts,
            hovertemplate="%{y}: %{customdata[1]}<br>"
            + tr("{n} customers at the end", n="%{customdata[0]}") + "<extra></extra>",
            texttemplate="%{text}", textposition="auto",
        )
    )
    fig = base_layout(fig, tr("{metric} by segment", metric=metric_label(metric, tr)),
                      height=max(300, 34 * len(frame) + 130), language=getattr(tr, "language", "en"))
    fig.update_layout(hovermode="closest", showlegend=False)
    fig.update_yaxes(type="category", autorange="reversed")
    fig.update_xaxes(type="linear", title_text=suffix.strip())
    _small_note(fig, frame, tr)
    return fig


def segment_rates(
    frame: pd.DataFrame, metrics: Sequence[str] = ("nrr_avg", "grr_avg", "crr_avg"), tr: Translator = ENGLISH
) -> go.Figure:
    """Dots, not bars: several percentage metrics side by side for each segment.

    Rates of healthy segments sit between 85 and 110 %; bars would have to start at zero and make
    95 % and 100 % look alike, so dots on an axis fitted to the values show the differences.  The
    default shows the window averages: one period's rate of a mid-sized segment is often a flat
    100 % or a jump, while the pooled rate over the window ranks segments fairly.
    """
    names = _names(frame, tr)
    fig = go.Figure()
    symbols = ("circle", "diamond", "square", "triangle-up")
    for metric, color, symbol in zip(metrics, _RATE_COLORS, symbols, strict=False):
        label = metric_label(metric, tr)
        fig.add_scatter(
            x=names, y=frame[metric], name=label, mode="markers", marker={"color": color, "size": 12, "symbol": symbol},
            customdata=_texts(frame[metric], metric, "", tr),
            hovertemplate="%{x} · " + label + ": %{customdata}<extra></extra>",
        )
    fig.update_layout(scattermode="group", scattergap=0.5)
    fig = base_layout(fig, tr("Retention rates by segment"), y_title="%", language=getattr(tr, "language", "en"))
    fig.update_layout(hovermode="closest", margin={"b": 40})
    values = frame[list(metrics)].to_numpy(dtype=float)
    if np.isfinite(values).any():
        lo, hi = float(np.nanmin(values)), float(np.nanmax(values))
        pad = max(2.0, 0.1 * (hi - lo))
        fig.update_yaxes(range=[lo - pad, hi + pad])
    _small_note(fig, frame, tr)
    return fig
