"""The view (period, range, segment, as-of, margin) in the URL query string, so a link shares a view.

Only the view goes into the URL, never data.  Values read from a URL are checked against what
the loaded data offers; anything unknown is ignored rather than trusted.
"""

from __future__ import annotations

import contextlib
import datetime as dt

import streamlit as st

from retention.periods import GRANULARITIES

KEYS = ("period", "from", "to", "segment", "value", "asof", "margin")


def restore_once() -> None:
    """Seed the sidebar widgets from the URL on a session's first run."""
    if st.session_state.get("_url_restored"):
        return
    st.session_state["_url_restored"] = True
    params = st.query_params
    granularity = params.get("period")
    if granularity not in GRANULARITIES:
        granularity = "month"
    keep = {"granularity": granularity}
    version = st.session_state.get("data_version", 0)
    start, end = params.get("from"), params.get("to")
    if start and end:
        keep[f"range_{granularity}_{version}"] = (start, end)  # checked against the data's periods when used
    if params.get("segment"):
        keep["segment_attribute"] = params.get("segment")
        keep["segment_value"] = params.get("value")
    if params.get("asof"):
        with contextlib.suppress(ValueError):
            keep[f"as_of_{version}"] = dt.date.fromisoformat(params["asof"])
    if params.get("margin"):
        with contextlib.suppress(ValueError):
            keep["gross_margin"] = int(float(params["margin"]))
    for key, value in keep.items():
        st.session_state["keep_" + key] = value


def write(granularity: str, start: str | None, end: str | None, segment: tuple[str, str] | None,
          as_of: dt.date | None, margin: float, default_as_of: dt.date | None) -> None:
    """Mirror the current view into the URL (only what differs from the defaults)."""
    wanted: dict[str, str] = {"period": granularity}
    if start and end:
        wanted["from"], wanted["to"] = start, end
    if segment:
        wanted["segment"], wanted["value"] = segment
    if as_of and as_of != default_as_of:
        wanted["asof"] = as_of.isoformat()
    if margin != 100:
        wanted["margin"] = str(int(margin))
    current = {k: st.query_params.get(k) for k in KEYS if k in st.query_params}
    if current != wanted:
        for key in KEYS:
            if key in st.query_params and key not in wanted:
                del st.query_params[key]
        st.query_params.update(wanted)
