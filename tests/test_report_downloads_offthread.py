"""The dashboard's report downloads are built from the data the page shows, even though Streamlit builds them outside
the page run (issue 20, round 4).

A download whose data is a function is built when clicked, by Streamlit, in a worker thread that has no script run
context: `st.session_state` there is a process-wide stand-in, not the founder's session.  The report's customer list
used to read the data set from the session when clicked, so it listed the built-in sample's customers, and the
report lost the founder's targets.  Here the page's download functions are recorded during an AppTest run on an
uploaded export, then called from this test's own thread, as Streamlit's worker would.
"""

from __future__ import annotations

import threading
from pathlib import Path

from streamlit.testing.v1 import AppTest

SUBSCRIPTIONS = """customer_id,start_date,end_date,mrr,plan
acme-founder-a,2024-01-01,,100,Pro
acme-founder-b,2024-01-01,2024-03-15,50,Basic
acme-founder-c,2024-03-05,,80,Pro
"""


def _page() -> None:
    """Overview's report downloads on an uploaded export with one target; the download functions are recorded."""
    import pandas as pd
    import streamlit as st
    from streamlit.delta_generator import DeltaGenerator

    from retention.dataset import load_dataset
    from retention.targets import Target
    from ui import render, state

    captured = st.session_state["captured"]
    state.set_dataset(load_dataset(st.session_state["export"]), source="upload")
    state.targets().append(Target("crr", 90.0, "month", "acme goal label"))
    view = state.View(granularity="month", as_of=pd.Timestamp("2024-03-31"))
    original = DeltaGenerator.download_button

    def record(self, label, data, *args, file_name=None, **kwargs):
        captured[file_name] = data

    DeltaGenerator.download_button = record
    try:
        render.report_downloads(view, state.metrics(view), key="offthread")
    finally:
        DeltaGenerator.download_button = original


def test_the_report_built_outside_the_page_run_shows_the_pages_data(tmp_path: Path) -> None:
    path = tmp_path / "subscriptions.csv"
    path.write_text(SUBSCRIPTIONS)
    captured: dict[str, object] = {}
    at = AppTest.from_function(_page, default_timeout=120)
    at.session_state["export"], at.session_state["captured"] = str(path), captured
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    html = next(build for name, build in captured.items() if name.endswith(".html"))
    built: dict[str, bytes] = {}
    worker = threading.Thread(target=lambda: built.setdefault("html", html()))  # no script run context, as Streamlit's
    worker.start()
    worker.join(120)
    text = built["html"].decode("utf-8")
    assert "acme-founder-b" in text and "acme-founder-c" in text  # March's churned and new customers, not the sample's
    assert "acme goal label" in text  # the founder's target line
