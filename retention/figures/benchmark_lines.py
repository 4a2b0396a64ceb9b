"""Industry benchmarks and the user's targets drawn on any trend chart.

A benchmark is a dashed horizontal line (and a shaded band when the source gives a range) named
in the legend under the chart, never in a label over the data: the entry gives the value on the
chart's basis, the conversion when there was one, and the source and year, so screenshots and
exported charts carry them.  Plotly shapes have no hover, so each line also gets a scatter trace
across the chart's x values that draws the legend entry and carries the hover text.  Targets use a dotted line in another colour, so
"what the industry does" and "what we promised ourselves" are never confused.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence

import plotly.graph_objects as go

from retention import formatting
from retention.benchmarks.selection import BenchmarkLine, per_basis
from retention.escaping import plotly_text
from retention.figures import spec
from retention.figures.empty import REFERENCE_RANK
from retention.figures.theme import COLORS
from retention.i18n import ENGLISH, Translator

BENCHMARK_COLOR = "#475569"
TARGET_COLOR = COLORS["secondary"]
_BAND_OPACITY = 0.10
_WRAP = 64
"""Characters per legend line: two charts side by side on a laptop still show whole entries."""


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


def _short_number(value: float, language: str) -> str:
    """4.91, 6.8, 90 written the reader's way, without padding zeros."""
    places = next((d for d in (0, 1, 2) if abs(round(value, d) - value) < 1e-9), 2)
    return formatting.number(value, language, places)


def _wrap(text: str, width: int = _WRAP) -> list[str]:
    return textwrap.wrap(text, width=width, break_long_words=False) or [""]


def legend_text(line: BenchmarkLine, tr: Translator) -> str:
    """The legend entry: what the line is, its value on this chart's basis, and where it comes from.

    A converted line says so and how (the formula), so a monthly benchmark on a quarterly chart is
    never read as a quarterly one.  Source and year sit in the entry itself, so a screenshot or an
    exported chart carries them, not only the hover.
    """
    language = getattr(tr, "language", "en")
    # No-break spaces keep "14.0 % a quarter" on one legend line.
    shown = (formatting.number(line.value, language, 1) + " % " + per_basis(line.basis, tr)).replace(" ", "\u00a0")
    if line.converted:
        head = tr("{name}, converted: {value}", name=line.name, value=shown)
        source = tr("published as {value} % {per}; {formula}", value=_short_number(line.source_value, language),
                    per=per_basis(line.source_basis, tr), formula=line.formula)
    else:
        head = f"{line.name}: {shown}"
        source = ""
    if line.kind == "target":
        cite = tr("your target")
    elif line.source:
        cite = f"{line.source}, {line.year if line.year is not None else tr('n.d.')}"
    else:
        cite = ""
    small = " · ".join(part for part in (source, cite) if part)
    lines = [plotly_text(part) for part in _wrap(head)]
    lines += [f'<span style="font-size:10px;color:{BENCHMARK_COLOR}">{plotly_text(part)}</span>' for part in _wrap(small)
              if part]
    return "<br>".join(lines)


def _draw(line: BenchmarkLine, xs: Sequence[object], tr: Translator, color: str, dash: str) -> tuple[list[dict], list[dict]]:
    """The line's legend trace (none without x values) and its shapes (band and line), as Plotly's JSON has them."""
    shapes = []
    if line.low is not None and line.high is not None:
        shapes.append(_across(line.low, line.high, type="rect", fillcolor=color, opacity=_BAND_OPACITY,
                              line={"width": 0}, layer="below"))
    shapes.append(_across(line.value, line.value, type="line", line={"color": color, "dash": dash, "width": 1.5},
                          layer="below"))
    traces = [{
        "type": "scatter", "x": list(xs), "y": [line.value] * len(xs), "mode": "lines",
        "marker": {"opacity": 0, "size": 8, "color": color}, "line": {"color": color, "dash": dash, "width": 1.5},
        "name": legend_text(line, tr), "showlegend": True, "legendrank": REFERENCE_RANK,
        "hovertemplate": _hover(line, tr), "meta": {"benchmark": line.id, "kind": line.kind},
    }] if xs else []
    return traces, shapes


def _across(y0: float, y1: float, **style: object) -> dict:
    """A shape across the plot's whole width between y0 and y1: what `add_hline`/`add_hrect` make."""
    return {**style, "x0": 0, "x1": 1, "xref": "x domain", "y0": y0, "y1": y1, "yref": "y"}


def _add_shapes(fig: go.Figure, shapes: list[dict]) -> None:
    """Append shapes in one assignment, without validating them (`spec.relayout`: they are written as Plotly's JSON
    has them).  Plotly's `add_hline` re-validates every shape already on the figure each time (about 40 ms a line)."""
    if shapes:
        spec.relayout(fig, {"shapes": [*(shape.to_plotly_json() for shape in fig.layout.shapes), *map(spec.ordered, shapes)]})


def reference_line(fig: go.Figure, y: float, text: str, color: str, xs: Sequence[object] | None = None,
                   dash: str = "dash") -> go.Figure:
    """A fixed reference value (quick ratio 4, day-7 7 %) drawn as a line named in the legend, not over the data.

    The line is a shape with its own legend entry, so it is no data trace (an empty chart stays empty).
    `xs` is accepted for symmetry with benchmark lines; a shape spans the whole width anyway.
    """
    _add_shapes(fig, [_across(y, y, type="line", layer="below", line={"color": color, "dash": dash, "width": 1.5},
                              showlegend=True, name="<br>".join(plotly_text(part) for part in _wrap(text)),
                              legendrank=REFERENCE_RANK)])
    return fig


def add_benchmarks(
    fig: go.Figure, lines: Iterable[BenchmarkLine], tr: Translator = ENGLISH,
    targets: Iterable[BenchmarkLine] | None = None,
) -> go.Figure:
    """Draw benchmark lines (from `benchmarks_for`) and target lines (from `targets_for`) on `fig`.

    Returns the same figure, so calls chain: `add_benchmarks(nrr_grr(table), lines, tr)`.
    Lines of kind "target" in `lines` are drawn as targets too.  `benchmarked` gives the same chart as a new
    figure, without validating what it adds.
    """
    traces, shapes, layout = _parts(fig, lines, tr, targets)
    if traces:
        fig.add_traces(traces)
    _add_shapes(fig, shapes)
    if layout:
        spec.relayout(fig, layout)
    return fig


def benchmarked(
    fig: go.Figure, lines: Iterable[BenchmarkLine], tr: Translator = ENGLISH,
    targets: Iterable[BenchmarkLine] | None = None,
) -> go.Figure:
    """`add_benchmarks` on a new figure (`spec.extended`): what it adds is not validated again, `fig` is unchanged."""
    traces, shapes, layout = _parts(fig, lines, tr, targets)
    if not (traces or shapes or layout):
        return fig
    changes = {"shapes": [*(shape.to_plotly_json() for shape in fig.layout.shapes), *map(spec.ordered, shapes)]} \
        if shapes else {}
    return spec.extended(fig, traces, {**changes, **layout})


def _parts(fig: go.Figure, lines: Iterable[BenchmarkLine], tr: Translator,
           targets: Iterable[BenchmarkLine] | None) -> tuple[list[dict], list[dict], dict]:
    """(legend traces, shapes, layout changes) drawing `lines` and `targets` on `fig`, as Plotly's JSON has them."""
    xs = _x_values(fig)
    styled = [(line, line.kind == "target") for line in lines] + [(line, True) for line in targets or ()]
    traces: list[dict] = []
    shapes: list[dict] = []
    for line, target in styled:
        color, dash = (TARGET_COLOR, "dot") if target else (BENCHMARK_COLOR, "dash")
        drawn, drawn_shapes = _draw(line, xs, tr, color, dash)
        traces += drawn
        shapes += drawn_shapes
    # Each legend entry takes two or three short lines under the chart; give them room instead of squeezing the plot.
    layout = {"height": (fig.layout.height or 360) + 44 * len(styled), "showlegend": True} if styled else {}
    return traces, shapes, layout
