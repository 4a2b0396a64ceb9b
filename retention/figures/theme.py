"""Shared look of every chart: colours that mean the same thing on every page."""

from __future__ import annotations

import math
import re
from functools import cache

import plotly.graph_objects as go

from retention.figures import spec
from retention.palette import COLORS  # noqa: F401  (re-exported: figures import it from here)

DAY_TICKS = "%Y-%m-%d"
"""Tick labels of a date axis: ISO days.  Plotly writes month names in English only (its other locales are scripts
Streamlit does not load), so "Nov 5" in a French page; an ISO day reads the same in every language."""
FONT = "Inter, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif"


@cache
def _template() -> go.layout.Template:
    """plotly_white's layout part, built once: naming the template by string deep-copies all of it,
    per-trace defaults included, on every figure, which was most of a chart's build time."""
    import plotly.io as pio

    return go.layout.Template(layout=pio.templates["plotly_white"].layout)


@cache
def _template_json() -> dict:
    """`_template()` as Plotly's JSON has it, made once.  A figure is built from it without validation (`spec.figure`)
    and Plotly's constructor copies it into the figure, so every figure has its own copy and none can change
    another's (or this one).  Assigning the template object instead made Plotly validate and copy every property of
    it (about 5 ms a figure), and every copy of a figure's layout copied the template again."""
    return _template().to_plotly_json()


def unstyled(data: list[dict], **layout: object) -> go.Figure:
    """A chart from its traces and layout as Plotly's JSON has them (`spec.figure`), ready for `base_layout`: our
    template is in from the start, so Plotly's default one (every trace type's defaults) is never copied in."""
    return spec.figure(data, {**layout, "template": _template_json()})


def base_layout(
    fig: go.Figure, title: str, y_title: str = "", x_title: str = "", height: int = 360, language: str = "en"
) -> go.Figure:
    """Title, fonts, legend under the plot, the reader's separators (1.234,5 in German), short
    horizontal period labels, and round ticks on both axes of a two-axis chart."""
    layout: dict = {
        "title": {"text": title, "x": 0, "xanchor": "left", "font": {"size": 16}},
        "font": {"family": FONT, "size": 12},
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 50, "b": 10},
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.12, "xanchor": "left", "x": 0},
        "hovermode": "x unified",
        "xaxis": {"type": "category", "title": {"text": x_title}, **period_ticks(fig, language)},
        "yaxis": {"title": {"text": y_title}},
        "separators": separators(language),
    }
    # The legend sits under the axis: lower when the period labels have a second line (the year) or
    # the axis has a title, so it never covers them.
    two_lines = any("<br>" in str(t) for t in layout["xaxis"].get("ticktext", ()))
    layout["legend"]["y"] = -0.12 - 0.1 * two_lines - 0.12 * bool(x_title)
    if "yaxis2" in fig.layout and fig.layout["yaxis2"].overlaying:
        for axis, settings in round_dual_axes(fig).items():
            layout[axis] = {**layout.get(axis, {}), **settings}
    # Plotly's `update_layout` walks a nested dict key by key through its validators, and assigning a whole layout
    # validates every property of it; the figure is rebuilt instead from its traces and the merged layout, without
    # validation (`spec.figure`: every value here is already what Plotly's validation would store; the new figure
    # copies what it is given).  The figure's template (Plotly's default: every trace type's defaults) is left out,
    # never copied, and ours goes in.
    current = {key: value for key, value in spec.props(fig.layout).items() if key != "template"}
    merged = _merged(current, layout)
    merged["template"] = _template_json()
    return spec.figure([dict(spec.props(trace)) for trace in fig.data], merged, order_data=False)


def _merged(base: dict, update: dict) -> dict:
    """`base` updated with `update` the way `update_layout` does: nested dicts merged, everything else replaced."""
    out = dict(base)
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merged(out[key], value)
        else:
            out[key] = value
    return out


def separators(language: str) -> str:
    """Plotly's `separators` (decimal mark, then thousands mark) for a language, from CLDR via Babel."""
    from retention.formatting import babel_locale

    symbols = babel_locale(language).number_symbols
    symbols = symbols.get("latn", symbols)
    return symbols.get("decimal", ".") + symbols.get("group", ",")


_PERIOD = re.compile(r"^(\d{4})(?:-(\d{2})|-Q([1-4]))?$")
MAX_PERIOD_LABELS = 13
"""Labels on a half-width chart that still fit side by side, horizontally."""


def period_ticks(fig: go.Figure, language: str = "en") -> dict:
    """x-axis settings for short, horizontal period labels: "Jan" with the year under the first label and under every
    January ("Q1" likewise), every k-th period labelled when there are many.  The periods stay the
    x values (hover and exports keep `2024-01`); only the tick text changes."""
    if fig.layout.xaxis.type not in (None, "category"):
        return {}
    values: dict[str, None] = {}
    for trace in fig.data:
        if trace.type in ("heatmap", "waterfall") or getattr(trace, "orientation", None) == "h":
            return {}
        for x in trace.x if trace.x is not None else ():
            values.setdefault(str(x), None)
    periods = list(values)
    matches = [_PERIOD.match(p) for p in periods]
    if not periods or not all(matches):
        return {}
    from babel.dates import get_month_names, get_quarter_names

    from retention.formatting import babel_locale

    locale = babel_locale(language)
    months = get_month_names("abbreviated", locale=locale, context="stand-alone")
    quarters = get_quarter_names("abbreviated", locale=locale, context="stand-alone")
    step = max(1, -(-len(periods) // MAX_PERIOD_LABELS))
    if step > 1 and all(m.group(2) for m in matches):
        step = next(s for s in (2, 3, 4, 6, 12, 24, 36) if s >= step)  # months: every 2nd, quarter, half-year, year
    shown, text, last_year = [], [], None
    for i, (period, match) in enumerate(zip(periods, matches, strict=True)):
        if i % step:
            continue
        year, month, quarter = match.group(1), match.group(2), match.group(3)
        if month:
            head = months[int(month)].rstrip(".")
        elif quarter:
            head = quarters[int(quarter)]
        else:
            head = year
        if (month or quarter) and year != last_year:
            head += "<br>" + year
        last_year = year
        shown.append(period)
        text.append(head)
    return {"tickmode": "array", "tickvals": shown, "ticktext": text, "tickangle": 0}


def _nice_steps(span: float) -> list[float]:
    if not math.isfinite(span) or span <= 0:
        span = 1.0
    exponent = math.floor(math.log10(span)) - 2
    return [m * 10.0 ** e for e in range(exponent, exponent + 4) for m in (1, 2, 2.5, 5)]


def _extent(fig: go.Figure, axis: str) -> tuple[float, float]:
    """Lowest and highest value drawn on one y axis, with relative/stacked bars summed per x and zero included."""
    lo = hi = 0.0
    stacked_pos: dict[object, float] = {}
    stacked_neg: dict[object, float] = {}
    stacking = fig.layout.barmode in ("relative", "stack")
    for trace in fig.data:
        if (trace.yaxis or "y") != axis or trace.y is None:
            continue
        ys = [float(v) for v in trace.y if v is not None and math.isfinite(float(v))]
        if trace.type == "bar" and stacking and trace.x is not None:
            for x, v in zip(trace.x, trace.y, strict=False):
                if v is None or not math.isfinite(float(v)):
                    continue
                bucket = stacked_pos if float(v) >= 0 else stacked_neg
                bucket[x] = bucket.get(x, 0.0) + float(v)
            continue
        if ys:
            lo, hi = min(lo, *ys), max(hi, *ys)
    if stacked_pos:
        hi = max(hi, *stacked_pos.values())
    if stacked_neg:
        lo = min(lo, *stacked_neg.values())
    return lo, hi


def _fixed_range(fig: go.Figure, axis: str) -> tuple[float, float] | None:
    layout_axis = fig.layout["yaxis" if axis == "y" else "yaxis2"]
    if layout_axis.range is not None and None not in tuple(layout_axis.range):
        return float(layout_axis.range[0]), float(layout_axis.range[1])
    return None


def round_dual_axes(fig: go.Figure) -> dict[str, dict]:
    """Layout settings giving both y axes of a two-axis chart round ticks (0, 50, 100, not 199/235/271) on the same grid
    lines: each axis its own round step, both the same number of intervals."""
    extents = {axis: _fixed_range(fig, axis) or _extent(fig, axis) for axis in ("y", "y2")}
    best: tuple[float, dict[str, tuple[float, float]]] | None = None
    for intervals in (4, 5, 6, 7):
        choice: dict[str, tuple[float, float]] = {}
        waste = 0.0
        for axis, (lo, hi) in extents.items():
            for step in _nice_steps(hi - lo):
                start = math.floor(lo / step + 1e-9) * step
                if start + intervals * step >= hi - 1e-9 * max(1.0, abs(hi)):
                    choice[axis] = (start, step)
                    waste += 1 - (hi - lo) / (intervals * step)
                    break
        if len(choice) == 2 and (best is None or waste < best[0] - 1e-9):
            best = (waste, choice)
            best_intervals = intervals
    if best is None:
        return {}
    return {
        "yaxis" if axis == "y" else "yaxis2": {
            "range": [start, start + best_intervals * step], "tick0": start, "dtick": step, "tickmode": "linear"}
        for axis, (start, step) in best[1].items()
    }
