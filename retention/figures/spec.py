"""Figures built from their JSON spec without Plotly's per-property validation (issue 20, round 4).

Plotly's object model validates and copies every property a figure is given, one validator call per value: building
the Revenue page's eight charts that way was most of a session's first view of it on the server (about 15 ms a
chart; the same figure from its spec takes about 1 ms).  The busiest pages' builders therefore write each trace and
the layout as Plotly's JSON has them — nested dicts (`marker: {color}`, not `marker_color`; `title: {text}`, not a
bare string), data columns as NumPy arrays (`column`) — and `figure` hands that to Plotly with validation off, then
turns it back on, so whatever is set on the figure afterwards (a page's `update_layout`, a test's) is validated as
before.  `relayout` is `update_layout` for such values.

A spec Plotly would change while validating (a magic underscore, a bare title string, a pandas Series) would reach
the browser unchanged: tests/test_figure_specs.py builds every such chart of the Revenue and Overview pages both
ways (this one and `go.Figure(spec)`, validated) in English and German, by month and by quarter, and compares the
JSON.  Keys are written in the order Plotly's validated objects keep them (each object's properties sorted, later
updates appended), so the JSON is the same text, not only the same values.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go
from plotly.basedatatypes import BasePlotlyType


def column(values: Any) -> Any:
    """A data column as Plotly's validation stores it: a pandas Series or Index becomes its NumPy array (which the
    figure copies); lists and arrays stay as they are."""
    if isinstance(values, (pd.Series, pd.Index)):
        return values.to_numpy()
    return values


def ordered(value: Any) -> Any:
    """`value` with every dict's keys sorted, in lists too: the order Plotly's validated objects keep their
    properties in (arrays and other values unchanged)."""
    if isinstance(value, dict):
        return {key: ordered(value[key]) for key in sorted(value)}
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return [ordered(item) for item in value]
    return value


def figure(data: list[dict], layout: dict | None = None, *, order_data: bool = True) -> go.Figure:
    """A figure from canonical trace dicts (each with its `type`) and a canonical layout, built without validation.

    Nested dicts are written in Plotly's order (`ordered`; traces as given with `order_data=False`: another
    figure's, already in its order); a layout without a template gets Plotly's default one, as `go.Figure()` gives
    it.  The figure validates whatever is set on it afterwards.
    """
    spec_layout = {key: value if key == "template" else ordered(value) for key, value in (layout or {}).items()}
    traces = [ordered(trace) for trace in data] if order_data else list(data)
    return _validating(go.Figure({"data": traces, "layout": spec_layout}, _validate=False))


def _validating(fig: go.Figure) -> go.Figure:
    """Validation back on for the figure, its layout and its traces (their parts built later inherit it)."""
    fig._validate = True
    fig.layout._validate = True
    for trace in fig.data:
        trace._validate = True
    return fig


def props(part: BasePlotlyType) -> dict:
    """The properties a trace or layout holds, as Plotly's JSON has them, not copied (`to_plotly_json` is a deep
    copy): for building a new figure, which copies what it is given.  Never change what this returns."""
    return part._props if part._props is not None else {}


def relayout(fig: go.Figure, changes: dict) -> go.Figure:
    """`fig.update_layout(**changes)` for canonical values, without validation; returns the same figure.

    As `update_layout` does: a dict is merged into what the layout holds (nested dicts too), anything else replaces
    it; keys already there keep their place, new ones come last, in the order written (Plotly's own updates keep
    the caller's order for some objects and sort others: write them as `update_layout` leaves them).
    """
    layout = fig.layout
    layout._validate = False
    try:
        for key, value in changes.items():
            if isinstance(value, dict) and key in layout and isinstance(layout[key], BasePlotlyType):
                value = _merged(layout[key].to_plotly_json(), value)
            layout[key] = value
    finally:
        layout._validate = fig._validate
    return fig


def extended(fig: go.Figure, data: list[dict], changes: dict | None = None) -> go.Figure:
    """A new figure: `fig`'s traces and layout, then the traces `data` and the layout `changes` (as `relayout`).

    What `fig.add_traces(data)` and `fig.update_layout(**changes)` give, without validating what is added."""
    out = _validating(go.Figure({"data": [dict(props(trace)) for trace in fig.data] + [ordered(t) for t in data],
                                 "layout": dict(props(fig.layout))}, _validate=False))
    return relayout(out, changes) if changes else out


def _merged(base: dict, update: dict) -> dict:
    """`base` updated the way `update_layout` does: nested dicts merged, anything else replaced, new keys last."""
    out = dict(base)
    for key, value in update.items():
        out[key] = _merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


__all__ = ["column", "extended", "figure", "ordered", "relayout"]
