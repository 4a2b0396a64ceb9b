"""Industry benchmarks and the user's targets drawn on any trend chart.

A benchmark is a dashed horizontal line (and a shaded band when the source gives a range) with
a short label at its left end; the source, year, period basis and any conversion formula show on
hover.  Plotly shapes have no hover, so each line also gets an invisible scatter trace across the
chart's x values that carries the hover text.  Targets use a dotted line in another colour, so
"what the industry does" and "what we promised ourselves" are never confused.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import plotly.graph_objects as go

from retention.benchmarks.selection import BenchmarkLine, per_basis
from retention.escaping import plotly_text
from retention.figures.theme import COLORS
from retention.i18n import ENGLISH, Translator

BENCHMARK_COLOR = "#475569"
TARGET_COLOR = COLORS["secondary"]
_BAND_OPACITY = 0.10
_MAX_LABEL = 48
_LABEL_POSITIONS = ("top left", "bottom left", "top right", "bottom right")
"""Label corners taken in turn, so labels of lines close together do not print over each other."""


def _x_values(fig: go.Figure) -> list[object]:
    """The chart's x values in first-seen order (periods are categories on every trend chart)."""
    seen: dict[object, None] = {}
    for trace in fig.data:
        xs = getattr(trace, "x", None)
        if xs is None:
            continue
        for x in xs:
            seen.setdefault(x, None)
    return list(seen)


def _short(text: str) -> str:
    return text if len(text) <= _MAX_LABEL else text[: _MAX_LABEL - 1] + "…"


def _hover(line: BenchmarkLine, tr: Translator) -> str:
    """Hover text; every piece of user or file text is escaped (plotly renders a subset of HTML)."""
    esc = plotly_text
    parts = [f"<b>{esc(line.name)}</b>: {line.value:,.1f} % {esc(per_basis(line.basis, tr))}"]
    if line.formula:
        parts.append(esc(tr("published as {value} % {per}; converted: {formula}",
                            value=f"{line.source_value:g}", per=per_basis(line.source_basis, tr), formula=line.formula)))
    if line.low is not None and line.high is not None:
        parts.append(esc(tr("range {low} – {high} %", low=f"{line.low:.1f}", high=f"{line.high:.1f}")))
    if line.segment:
        parts.append(esc(tr("applies to: {segment}", segment=line.segment)))
    if line.kind == "target":
        parts.append(esc(tr("your target")))
    elif line.citation:
        parts.append(esc(tr("source: {citation}", citation=line.citation)))
    return "<br>".join(parts) + "<extra></extra>"


def _draw(
    fig: go.Figure, line: BenchmarkLine, xs: Sequence[object], tr: Translator, color: str, dash: str, position: str
) -> None:
    if line.low is not None and line.high is not None:
        fig.add_hrect(y0=line.low, y1=line.high, fillcolor=color, opacity=_BAND_OPACITY, line_width=0, layer="below")
    fig.add_hline(
        y=line.value, line_dash=dash, line_color=color, line_width=1.5, layer="below",
        annotation_text=plotly_text(_short(line.name)), annotation_position=position,
        annotation_font={"size": 10, "color": color},
    )
    if xs:
        fig.add_scatter(
            x=list(xs), y=[line.value] * len(xs), mode="markers", marker={"opacity": 0, "size": 8, "color": color},
            name=line.name, showlegend=False, hovertemplate=_hover(line, tr), meta={"benchmark": line.id, "kind": line.kind},
        )


def add_benchmarks(
    fig: go.Figure, lines: Iterable[BenchmarkLine], tr: Translator = ENGLISH,
    targets: Iterable[BenchmarkLine] | None = None,
) -> go.Figure:
    """Draw benchmark lines (from `benchmarks_for`) and target lines (from `targets_for`) on `fig`.

    Returns the same figure, so calls chain: `add_benchmarks(nrr_grr(table), lines, tr)`.
    Lines of kind "target" in `lines` are drawn as targets too.
    """
    xs = _x_values(fig)
    styled = [(line, line.kind == "target") for line in lines] + [(line, True) for line in targets or ()]
    for i, (line, target) in enumerate(styled):
        color, dash = (TARGET_COLOR, "dot") if target else (BENCHMARK_COLOR, "dash")
        _draw(fig, line, xs, tr, color, dash, _LABEL_POSITIONS[i % len(_LABEL_POSITIONS)])
    return fig
