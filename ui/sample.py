"""The built-in sample data, loaded once per server process and shared read-only by every session.

The sample is nobody's private data (sales people demo on it, every new session starts on it), so
reading its four CSVs and building its snapshot model once per process instead of once per session
is safe and takes that work off every new browser tab.  This is the ONLY process-wide cache in the
app (`tests/test_security_config.py` allows it by name): anything a user uploads or opens from the
workspace stays in `st.session_state`.

Sharing means no session may change the object.  The snapshot matrix every metric is computed from is
made read-only (NumPy raises on a write), the models the sidebar needs first are built before the
object is shared, and `tests/test_shared_sample.py` runs every page on the shared sample and checks
that its tables, matrix and metrics are bit-for-bit what they were.  Callers treat the tables as
read-only, as they already must for a session's own data (results are derived, never written back).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from retention.dataset import Dataset, load_dataset
from retention.engine import Query
from retention.periods import GRANULARITIES


def load(folder: Path) -> Dataset:
    """A fresh, private copy of the sample in `folder` (subscriptions; customers, events, surveys, churn reasons when present)."""
    def path(name: str) -> Path | None:
        return folder / name if (folder / name).exists() else None

    return load_dataset(folder / "subscriptions.csv", path("customers.csv"),
                        events=path("events.csv"), surveys=path("surveys.csv"),
                        churn_reasons=path("churn_reasons.csv"))


def shared(folder: Path) -> Dataset:
    """The sample in `folder`, loaded and warmed once per process; treat it as read-only."""
    return _shared(str(folder))


@st.cache_resource(show_spinner=False, max_entries=4)
def _shared(folder: str) -> Dataset:
    # Keyed by the folder only: its argument is a path the server's operator chose, never an upload.
    data = load(Path(folder))
    warm(data)
    return data


def warm(data: Dataset) -> None:
    """Build what the first page view of every session needs, then make the shared matrix read-only."""
    engine = data.engine()
    model = engine.model()
    arrays = [model.mrr]
    for granularity in GRANULARITIES:
        changes = model.changes(granularity)
        arrays += [changes.row, changes.col, changes.prev, changes.cur, changes.first]
    engine.segments()
    engine.customer_names()
    # Survival curves import lifelines and SciPy (about 2 s of imports): paid here, once per process, instead of by
    # the first founder who opens the Cohorts page.
    engine.survival(Query())
    data.history_start()
    data.currency()
    data.currency_assumed()
    for array in arrays:
        array.flags.writeable = False
