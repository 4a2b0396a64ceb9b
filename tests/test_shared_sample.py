"""The built-in sample is loaded once per server process and no session can change it (issue 20 §1).

Every new session used to read the sample's CSVs and build its snapshot model again; now sessions share
one object (`ui.sample`).  These tests check the three things that makes safe: two sessions get the very
same object, a session that goes through every page (and changes period, segment and as-of date) leaves
its tables, matrix and metrics bit-for-bit as they were, and a write into the shared matrix is refused.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
PAGES = sorted(f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py"))


def _fingerprint(data) -> dict[str, str]:
    """A hash of everything a session could write to: every table, the matrix, each granularity's metrics."""
    from retention.engine import Query
    from retention.periods import GRANULARITIES

    def frame(table: pd.DataFrame) -> str:
        digest = hashlib.sha256(repr(list(table.columns)).encode())
        digest.update(pd.util.hash_pandas_object(table, index=True).to_numpy().tobytes())
        return digest.hexdigest()

    found = {"subscriptions": frame(data.subscriptions.table), "customers": frame(data.customers_table)}
    for kind, result in data.extra.items():
        found[kind] = frame(result.table)
    model = data.engine().model()
    found["matrix"] = hashlib.sha256(model.mrr.tobytes()).hexdigest()
    for granularity in GRANULARITIES:
        found[f"metrics {granularity}"] = frame(pd.DataFrame(data.engine().metrics(Query(granularity=granularity).history())))
    return found


def _session() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.context = {"locale": "en-US"}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _every_page(at: AppTest) -> None:
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])


def _other_period_and_segment(at: AppTest) -> None:
    at.switch_page("pages/overview.py").run()
    at.sidebar.segmented_control(key="granularity").set_value("quarter").run()
    attribute = next(a for a in at.sidebar.selectbox(key="segment_attribute").options if a != "All customers")
    at.sidebar.selectbox(key="segment_attribute").set_value(attribute).run()


def test_sessions_share_one_sample_and_none_can_change_it() -> None:
    first, second = _session(), _session()
    shared = first.session_state["dataset"]
    assert second.session_state["dataset"] is shared, "each session loaded its own copy of the sample"
    before = _fingerprint(shared)
    _every_page(first)
    _other_period_and_segment(first)
    _every_page(first)
    assert _fingerprint(shared) == before
    assert second.session_state["dataset"] is shared


def test_the_shared_matrix_refuses_writes() -> None:
    shared = _session().session_state["dataset"]
    model = shared.engine().model()
    with pytest.raises(ValueError, match="read-only"):
        model.mrr[0, 0] = 1
    changes = model.changes("month")
    for array in (changes.row, changes.col, changes.prev, changes.cur, changes.first):
        assert not array.flags.writeable
    # Derived results are new arrays a session may work on freely.
    assert np.asarray(model.active).flags.writeable


def test_a_private_copy_is_still_available() -> None:
    """Code that wants to change the sample (tests, saving it to a workspace) asks for its own copy."""
    import ui.state

    shared = _session().session_state["dataset"]
    private = ui.state.load_sample()
    assert private is not shared
    assert private.engine().model().mrr.flags.writeable
    pd.testing.assert_frame_equal(private.subscriptions.table, shared.subscriptions.table)


def _result_fingerprint(value) -> str:
    """A hash of one shared result: a table's cells, a figure's JSON, else its repr."""
    import plotly.graph_objects as go

    if isinstance(value, go.Figure):
        return hashlib.sha256(value.to_json().encode()).hexdigest()
    if isinstance(value, pd.DataFrame):
        digest = hashlib.sha256(repr(list(value.columns)).encode())
        digest.update(pd.util.hash_pandas_object(value.astype(str), index=True).to_numpy().tobytes())
        return digest.hexdigest()
    return hashlib.sha256(repr(value).encode()).hexdigest()


def test_results_derived_from_the_sample_are_shared_and_no_session_changes_them() -> None:
    """What one session computed from the sample (tables, figures) another session reuses as is, and going
    through every page with other periods and segments leaves every stored result as it was."""
    import ui.sample
    import ui.state

    first = _session()
    _every_page(first)
    store = ui.sample.shared_results(ui.state.SAMPLE_DIR)
    before = {key: _result_fingerprint(value) for key, value in store.items()}
    figures = [key for key in before if key[0] == "figure"]
    assert figures and any(key[0] == "history" for key in before)
    stored_figure = dict(store.items())[figures[0]]

    second = _session()  # a new browser tab: its Overview draws the figures the first one built
    assert dict(store.items())[figures[0]] is stored_figure
    _every_page(second)
    _other_period_and_segment(second)
    _every_page(second)
    after = dict(store.items())
    changed = [key for key, print_ in before.items() if key in after and _result_fingerprint(after[key]) != print_]
    assert not changed, f"a session changed shared results: {changed[:5]}"


def test_a_users_upload_never_reaches_the_shared_results(tmp_path: Path) -> None:
    """After a session loads its own file, what it computes stays in its session."""
    import ui.sample
    import ui.state

    at = _session()
    at.switch_page("pages/data.py").run()
    upload = "customer_id,start_date,end_date,mrr\nzeta-1,2024-01-01,,123\nzeta-2,2024-02-01,,77\n"
    at.file_uploader(key="upload_subscriptions").set_value(("subscriptions.csv", upload.encode(), "text/csv")).run()
    at.button(key="load_files").click().run()
    assert not at.exception, [e.value for e in at.exception]
    store = ui.sample.shared_results(ui.state.SAMPLE_DIR)
    shared_before = [key for key, _ in store.items()]
    for page in ("pages/overview.py", "pages/revenue.py", "pages/cohorts.py"):
        at.switch_page(page).run()
        assert not at.exception, [e.value for e in at.exception]
    own = at.session_state["results"]
    assert any(key[0] == "history" for key in own)  # the upload's metrics and figures are in the session
    assert any(key[0] == "figure" for key in own)
    assert [key for key, _ in store.items()] == shared_before  # and nothing of them in the shared store
