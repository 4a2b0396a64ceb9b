"""Sidebar controls shared by every page: period, range, segment, as-of date, gross margin.

Widget values live under fixed keys in the session, so the selection survives page switches
and can be written to / restored from the URL.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from retention.periods import GRANULARITIES, label
from ui import state, urlstate

DEFAULT_SPAN = {"month": 12, "quarter": 8, "year": 10}
ALL = "__all__"


def sidebar() -> state.View:
    """Render the controls and store the resulting view in the session."""
    tr = state.tr()
    data = state.dataset()
    urlstate.restore_once()
    names = {"month": tr("Month"), "quarter": tr("Quarter"), "year": tr("Year")}
    with st.sidebar:
        granularity = st.segmented_control(
            tr("Period"), GRANULARITIES, format_func=names.get, key="granularity", default="month",
        ) or "month"
        version = state.data_version()
        as_of_key = f"as_of_{version}"
        model = data.model(st.session_state.get(as_of_key))
        labels = [label(p) for p in model.periods(granularity)]
        start = end = None
        if len(labels) > 1:
            key = f"range_{granularity}_{version}"
            default = (labels[max(0, len(labels) - DEFAULT_SPAN[granularity])], labels[-1])
            from_url = st.session_state.pop(f"_url_range_{granularity}", None)
            if from_url and from_url[0] in labels and from_url[1] in labels and labels.index(from_url[0]) <= labels.index(from_url[1]):
                st.session_state[key] = from_url
            current = st.session_state.get(key)
            if not current or current[0] not in labels or current[1] not in labels:
                st.session_state[key] = default
            start, end = st.select_slider(tr("Range"), options=labels, key=key)
        segments = data.segments()
        segment = None
        if segments:
            wanted = st.session_state.pop("_url_segment", None)
            if wanted and wanted[0] in segments and wanted[1] in segments[wanted[0]]:
                st.session_state["segment_attribute"], st.session_state["segment_value"] = wanted
            if st.session_state.get("segment_attribute", ALL) not in (ALL, *segments):
                del st.session_state["segment_attribute"]
            if st.session_state.get("segment_value") not in segments.get(st.session_state.get("segment_attribute"), [None]):
                st.session_state.pop("segment_value", None)
            attribute = st.selectbox(
                tr("Segment"), [ALL, *segments], key="segment_attribute",
                format_func=lambda a: tr("All customers") if a == ALL else a,
            )
            if attribute != ALL:
                value = st.selectbox(tr("Value of {attribute}", attribute=attribute), segments[attribute], key="segment_value")
                if value is not None:
                    segment = (attribute, value)
        with st.expander(tr("Settings")):
            if as_of_key not in st.session_state:
                st.session_state[as_of_key] = model.as_of.date()
            as_of = st.date_input(
                tr("Data as of"), key=as_of_key,
                help=tr("Only periods whose last day is on or before this date are shown. "
                        "Defaults to the latest date in the data."),
            )
            st.session_state.setdefault("gross_margin", 100)
            margin = st.slider(tr("Gross margin for LTV (%)"), 1, 100, key="gross_margin")
    view = state.View(granularity, start, end, segment, pd.Timestamp(as_of), float(margin))
    urlstate.write(granularity, start, end, segment, as_of, float(margin), data.default_as_of().date())
    st.session_state["view"] = view
    return view
