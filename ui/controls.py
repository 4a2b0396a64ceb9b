"""Sidebar controls shared by every dashboard page: period, range, segment, as-of date, gross margin.

Streamlit forgets a widget's value when the user switches pages, so each control keeps its
value under a persistent key (`keep_<key>`) and is re-seeded from it on every run.  The same
keys are what the URL restores (see `urlstate`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import streamlit as st

from retention.engine import Query
from retention.periods import GRANULARITIES, GRANULARITY_NAMES, label, period_of
from ui import render, state, urlstate

DEFAULT_SPAN = {"month": 12, "quarter": 8, "year": 10}
ALL = "__all__"


def keep(key: str, default: Any = None, valid: Any = None) -> dict[str, Any]:
    """Seed widget `key` from its persistent copy; returns the kwargs that keep the copy updated."""
    store = "keep_" + key
    value = st.session_state.get(store, default)
    if valid is not None and not valid(value):
        value = default
    st.session_state[store] = value
    st.session_state[key] = value

    def save() -> None:
        st.session_state[store] = st.session_state[key]

    return {"key": key, "on_change": save}


def remember(key: str, value: Any) -> None:
    """Set a control's persistent value (used by the URL restore)."""
    st.session_state["keep_" + key] = value


def sidebar() -> state.View:
    """Render the controls and store the resulting view in the session."""
    tr = state.tr()
    data = state.dataset()
    urlstate.restore_once()
    version = state.data_version()
    with st.sidebar:
        granularity = st.segmented_control(
            tr("Period"), GRANULARITIES, format_func=lambda g: tr(GRANULARITY_NAMES[g]),
            **keep("granularity", "month", lambda g: g in GRANULARITIES),
        ) or "month"
        default_as_of = data.default_as_of().date()
        as_of_value = st.session_state.get(f"keep_as_of_{version}", default_as_of)
        labels = state.engine().period_labels(Query(granularity=granularity, as_of=pd.Timestamp(as_of_value)))
        start = end = None
        if len(labels) > 1:
            first = max(0, len(labels) - DEFAULT_SPAN[granularity])
            history = data.history_start()  # dates years before the rest (typos) do not stretch the default range
            if history is not None and label(period_of(history, granularity)) in labels:
                first = max(first, labels.index(label(period_of(history, granularity))))
            default = (labels[min(first, len(labels) - 1)], labels[-1])

            def valid_range(r: Any) -> bool:
                return (isinstance(r, (tuple, list)) and len(r) == 2 and r[0] in labels and r[1] in labels
                        and labels.index(r[0]) <= labels.index(r[1]))

            start, end = st.select_slider(
                tr("Range"), options=labels, **keep(f"range_{granularity}_{version}", default, valid_range)
            )
        segment = _segment_picker(data.segments())
        with st.expander(tr("Settings")):
            as_of = st.date_input(
                tr("Data as of"),
                help=tr("Only periods whose last day is on or before this date are shown. "
                        "Defaults to the latest date in the data."),
                **keep(f"as_of_{version}", default_as_of, lambda d: isinstance(d, dt.date)),
            )
            margin = st.slider(
                tr("Gross margin for LTV (%)"), 1, 100,
                **keep("gross_margin", 100, lambda m: isinstance(m, int) and 1 <= m <= 100),
            )
    view = state.View(granularity, start, end, segment, pd.Timestamp(as_of), float(margin))
    st.session_state["view"] = view
    urlstate.write(granularity, start, end, segment, as_of, float(margin), default_as_of)
    return view


def _segment_picker(segments: dict[str, list[str]]) -> tuple[str, str] | None:
    if not segments:
        return None
    tr = state.tr()
    attribute = st.selectbox(
        tr("Segment"), [ALL, *segments], format_func=lambda a: tr("All customers") if a == ALL else a,
        **keep("segment_attribute", ALL, lambda a: a == ALL or a in segments),
    )
    if attribute == ALL:
        return None
    values = segments[attribute]
    value = st.selectbox(
        tr("Value of {attribute}", attribute=render.md(attribute)), values,
        **keep("segment_value", values[0] if values else None, lambda v: v in values),
    )
    return (attribute, value) if value is not None else None
