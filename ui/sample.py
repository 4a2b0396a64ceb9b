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

What sessions compute from the sample (metrics tables, cohort triangles, built Plotly figures) is the same
for everyone who asks the same question, so it is shared too (`SharedResults`: keyed exactly like a
session's own results, language and view included; bounded, least recently used dropped first).  Building
the Overview's figures was about a third of a new session's CPU.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

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


T = TypeVar("T")
MAX_RESULTS = 600
"""Results kept per sample folder: every view of every page in six languages fits several times over; a
built figure is tens of kilobytes, so the store stays well under 100 MB."""


@dataclass
class SharedResults:
    """Results derived from the shared sample, for every session: the same keys as `ui.state.cached`.

    Thread-safe (sessions run in their own threads); two sessions asking for a missing key at once may
    both compute it, and the first stored wins.  Like the sample itself, a shared result is read-only:
    `tests/test_shared_sample.py` fingerprints every stored result before and after another session has
    gone through every page."""

    max_entries: int = MAX_RESULTS
    _items: OrderedDict = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, key: tuple, compute: Callable[[], T]) -> T:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = compute()
        with self._lock:
            value = self._items.setdefault(key, value)
            self._items.move_to_end(key)
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)
        return value

    def items(self) -> list[tuple[tuple, Any]]:
        with self._lock:
            return list(self._items.items())


@dataclass(frozen=True)
class _Shared:
    data: Dataset
    results: SharedResults


def shared(folder: Path) -> Dataset:
    """The sample in `folder`, loaded and warmed once per process; treat it as read-only."""
    return _shared(str(folder)).data


def shared_results(folder: Path) -> SharedResults:
    """What sessions derived from the sample in `folder`, shared by all of them; treat it as read-only."""
    return _shared(str(folder)).results


@st.cache_resource(show_spinner=False, max_entries=4)
def _shared(folder: str) -> _Shared:
    # Keyed by the folder only: its argument is a path the server's operator chose, never an upload.
    data = load(Path(folder))
    warm(data)
    return _Shared(data, SharedResults())


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
