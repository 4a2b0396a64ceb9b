"""Per-session state: the loaded data set, the translator, and cached results.

Everything a founder uploads lives in `st.session_state`, which Streamlit keeps per browser
session and drops when the session ends; nothing is stored in module globals, so one founder's
data never reaches another's browser.  The one exception is the built-in sample, which is nobody's data: it is
loaded once per server process and shared read-only (`ui.sample`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st

from retention.dataset import Dataset
from retention.engine import Engine, MetricsTable, Query
from retention.i18n import LANGUAGES, Translator, translator
from retention.periods import GRANULARITY_NAMES, Granularity
from retention.warehouse.dataset import WarehouseDataset
from ui import sample

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DIR = Path(os.environ.get("RETENTION_SAMPLE_DIR", ROOT / "sample_data"))


def language_picker() -> None:
    """Sidebar language picker; the first visit takes the browser's language when we speak it.

    The choice lives under `language`, a plain session key, and the widget is re-seeded from it on
    every run: a widget's own state is dropped when its id changes (which st.navigation does between
    a session's first run and the next), and the language fell back to English on the second click.
    """
    if "language" not in st.session_state:
        st.session_state["language"] = translator(st.context.locale).language
    if len(LANGUAGES) > 1:
        st.session_state["language_picker"] = st.session_state["language"]
        st.sidebar.selectbox("🌐", list(LANGUAGES), format_func=LANGUAGES.get, key="language_picker",
                             on_change=_language_picked, label_visibility="collapsed")


def _language_picked() -> None:
    st.session_state["language"] = st.session_state["language_picker"]


def tr() -> Translator:
    """The session's translator (English until the language picker sets another)."""
    return translator(st.session_state.get("language", "en"))


def load_sample() -> Dataset:
    """A private copy of the built-in sample: subscriptions, customers, usage events and survey answers."""
    return sample.load(SAMPLE_DIR)


def shared_sample() -> Dataset:
    """The built-in sample as every session sees it: loaded once per server process, read-only (see `ui.sample`)."""
    return sample.shared(SAMPLE_DIR)


def dataset() -> Dataset | WarehouseDataset:
    """The session's data set: a saved dataset of the workspace (see `ui.workspace`), else the built-in
    sample until the user loads their own, or a database connection opened on the Data page (a
    `WarehouseDataset`: pages reach it through `engine()` and the few methods both kinds share)."""
    if "dataset" not in st.session_state:
        from ui import workspace

        if not workspace.open_initial():
            set_dataset(shared_sample(), source="sample")
    return st.session_state["dataset"]


def engine() -> Engine:
    """The engine answering this session's queries (pages never ask which one it is)."""
    return dataset().engine()


def set_dataset(data: Dataset | WarehouseDataset, source: str) -> None:
    """`source`: "sample", "upload" (not saved), "workspace" (a saved dataset, see `ui.workspace.current`) or
    "connection" (a named database connection, see `ui.connections`)."""
    if source != "workspace":
        st.session_state.pop("workspace_dataset", None)
    st.session_state["dataset"] = data
    st.session_state["data_source"] = source
    st.session_state["results"] = {}
    # Data-dependent widgets (range, as-of date) carry the data version in their keys, so new data
    # starts them from its own defaults instead of the old data's dates.
    st.session_state["data_version"] = st.session_state.get("data_version", 0) + 1


def data_version() -> int:
    return st.session_state.get("data_version", 0)


def data_source() -> str:
    return st.session_state.get("data_source", "sample")


def source_label() -> str:
    """What exports and captions say the numbers come from: sample data, your data, or the connection's label."""
    translate = tr()
    source = data_source()
    if source == "sample":
        return translate("sample data")
    if source == "connection":
        return translate("database connection {name}", name=getattr(dataset(), "label", ""))
    return translate("your data")


@dataclass(frozen=True)
class View:
    """What the sidebar selected: granularity, window, segment, as-of date and gross margin."""

    granularity: Granularity = "month"
    start: str | None = None
    end: str | None = None
    segment: tuple[str, str] | None = None
    as_of: pd.Timestamp | None = None
    gross_margin: float = 100.0

    def query(self) -> Query:
        """The view as an engine query: granularity, window, segment, as-of date and margin."""
        return Query(granularity=self.granularity, start=self.start, end=self.end, segment=self.segment,
                     as_of=self.as_of, gross_margin=self.gross_margin)


def view() -> View:
    return st.session_state.get("view", View())


def history(v: View | None = None) -> MetricsTable:
    """All complete periods for the view's granularity and segment (window not applied), cached per session."""
    v = v or view()
    query = v.query().history()
    return cached(("history", query), lambda: engine().metrics(query))


def metrics(v: View | None = None) -> MetricsTable:
    """The metrics table of the selected window: the cached history, cut to the window's periods."""
    v = v or view()
    table = history(v)
    labels = list(table["period"])
    lo = labels.index(v.start) if v.start in labels else 0
    hi = labels.index(v.end) + 1 if v.end in labels else len(labels)
    return table.iloc[lo:hi].reset_index(drop=True)


def currency() -> str:
    """The reporting currency of the session's data (see `Dataset.currency`)."""
    return dataset().currency()


def targets() -> list:
    """The user's own targets (retention.targets.Target), kept for this session only."""
    return st.session_state.setdefault("targets", [])


def report_meta(v: View, table: pd.DataFrame) -> dict[str, object]:
    """What every export says about itself: as-of date, periods, filters, currency, source."""
    translate = tr()
    first, last = (table["period"].iloc[0], table["period"].iloc[-1]) if len(table) else ("", "")
    return {
        "title": translate("Retention report"),
        "as_of": engine().as_of_for(v.query()).date().isoformat(),
        "period": f"{first} – {last}" if first != last else first,
        "granularity": translate(GRANULARITY_NAMES[v.granularity]),
        "segment": f"{v.segment[0]} = {v.segment[1]}" if v.segment else "",
        "currency": currency(),
        "gross_margin": f"{v.gross_margin:g} %",
        "source": source_label(),
        "generated": pd.Timestamp.now(tz="UTC").strftime("%Y-%m-%d %H:%M UTC"),
    }


def cached(key: tuple, compute):
    """A result cache keyed by what the result depends on: per session (cleared when data changes), and for
    the built-in sample shared by every session (`ui.sample.SharedResults`: nobody's private data, the same
    answer for everyone asking the same question)."""
    if showing_shared_sample():
        return sample.shared_results(SAMPLE_DIR).get(key, compute)
    results = st.session_state.setdefault("results", {})
    if key not in results:
        results[key] = compute()
    return results[key]


def peek(key: tuple):
    """What `cached` holds under `key` (None when nothing is stored yet); never computes."""
    if showing_shared_sample():
        return dict(sample.shared_results(SAMPLE_DIR).items()).get(key)
    return st.session_state.get("results", {}).get(key)


def showing_shared_sample() -> bool:
    """True when this session shows the process-wide sample object (not a private copy or the user's data)."""
    return data_source() == "sample" and st.session_state.get("dataset") is shared_sample()


def extra_table(kind: str, v: View) -> pd.DataFrame | None:
    """Events, surveys or churn reasons of the view's segment, cached per session."""
    result = dataset().extra.get(kind)
    if result is None:
        return None

    def compute() -> pd.DataFrame:
        ids = engine().segment_customers(v.segment)
        table = result.table
        return table if ids is None else table[table["customer_id"].astype(str).isin(ids)]

    return cached((kind, v.segment), compute)


def notes() -> list[tuple[pd.Timestamp, str]]:
    """(day, text) of the notes kept with the saved dataset this session shows ([] for the sample or an
    unsaved upload); read once per data change and after a note is added or removed."""
    current = st.session_state.get("workspace_dataset")  # (name, version), set when a saved dataset is shown
    if not current:
        return []

    def read() -> list[tuple[pd.Timestamp, str]]:
        from retention.notes import list_notes
        from retention.workspace import Workspace, WorkspaceError, workspace_path

        try:
            return [(n.day, n.text) for n in list_notes(Workspace(workspace_path()), current[0])]
        except WorkspaceError:
            return []

    return cached(("notes", current[0], st.session_state.get("notes_version", 0)), read)


def notes_changed() -> None:
    """Call after adding or removing a note: charts read the notes again."""
    st.session_state["notes_version"] = st.session_state.get("notes_version", 0) + 1
