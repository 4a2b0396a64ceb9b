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


def test_sessions_share_one_sample_and_none_can_change_it() -> None:
    first, second = _session(), _session()
    shared = first.session_state["dataset"]
    assert second.session_state["dataset"] is shared, "each session loaded its own copy of the sample"
    before = _fingerprint(shared)
    for page in PAGES:
        first.switch_page(page).run()
        assert not first.exception, (page, [e.value for e in first.exception])
    first.switch_page("pages/overview.py").run()
    first.sidebar.segmented_control(key="granularity").set_value("quarter").run()
    attribute = next(a for a in first.sidebar.selectbox(key="segment_attribute").options if a != "All customers")
    first.sidebar.selectbox(key="segment_attribute").set_value(attribute).run()
    for page in PAGES:
        first.switch_page(page).run()
        assert not first.exception, (page, [e.value for e in first.exception])
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
