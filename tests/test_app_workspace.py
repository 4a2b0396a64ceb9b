"""AppTest of the workspace in the app: save an upload, open it again in a new session, pick, roll back.

A new `AppTest` is a new browser session (a reload): what it shows comes from the workspace, not
from the previous session.  The numbers are those of tests/test_app.py's hand-worked upload:
MRR $350 at the end of March 2024, and $300 for the NL segment.
"""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from retention.workspace import Workspace

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
FIXTURES = Path(__file__).parent / "fixtures" / "app"


def _session(**params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(params)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def _upload(at: AppTest, customers: bool = True) -> None:
    at.switch_page("pages/data.py").run()
    uploaders = {u.label: u for u in at.file_uploader}
    uploaders["Subscriptions"].set_value(("subs.csv", (FIXTURES / "subscriptions.csv").read_bytes(), "text/csv"))
    if customers:
        uploaders["Customers (optional)"].set_value(("customers.csv", (FIXTURES / "customers.csv").read_bytes(), "text/csv"))
    at.run()
    at.button(key="load_files").click().run()
    assert not at.exception, [e.value for e in at.exception]


def _save(at: AppTest, name: str | None = None, version_of: str | None = None, mode: str = "replace") -> None:
    if version_of is not None:
        at.radio(key="save_target").set_value("version").run()
        at.selectbox(key="save_dataset").set_value(version_of)
        at.radio(key="save_mode").set_value(mode).run()
    else:
        at.text_input(key="save_name").set_value(name).run()
    at.button(key="save_to_workspace").click().run()
    assert not at.exception, [e.value for e in at.exception]


def test_an_empty_workspace_opens_on_labelled_sample_data() -> None:
    at = _session()
    assert at.session_state["data_source"] == "sample"
    assert "Showing the built-in sample data: nothing is saved in the workspace yet." in [c.value for c in at.sidebar.caption]
    at.switch_page("pages/data.py").run()
    assert any("built-in sample data" in i.value for i in at.info)
    assert "dataset" not in at.query_params


def test_save_reload_pick_and_roll_back(empty_workspace: Path) -> None:
    at = _session()
    _upload(at)
    assert [s.value for s in at.subheader].count("Save to the workspace") == 1
    _save(at, "Acme")
    assert at.session_state["workspace_dataset"] == ("Acme", 1)
    assert at.query_params["dataset"] == ["Acme"] or at.query_params["dataset"] == "Acme"
    store = Workspace(empty_workspace)
    [version] = store.versions("Acme")
    subs = version.part("subscriptions")
    # The fixture: 6 rows read, 5 used, 1 rejected (row 7 has no readable start date); the sha256 of the upload.
    assert (subs.file, subs.rows_read, subs.rows_used, subs.rows_rejected) == ("subs.csv", 6, 5, 1)
    import hashlib

    assert subs.sha256 == hashlib.sha256((FIXTURES / "subscriptions.csv").read_bytes()).hexdigest()

    # A reload is a new session: it opens on the saved dataset, with the hand-computed numbers.
    again = _session()
    assert again.session_state["workspace_dataset"] == ("Acme", 1)
    assert _metric(again, "MRR") == "$350"
    again.selectbox(key="segment_attribute").set_value("country").run()
    again.selectbox(key="segment_value").set_value("NL").run()
    assert _metric(again, "MRR") == "$300"

    # A second save without the customers file replaces version 1: no segments in version 2.
    _upload(again, customers=False)
    _save(again, version_of="Acme", mode="replace")
    assert again.session_state["workspace_dataset"] == ("Acme", 2)
    assert again.session_state["dataset"].customers is None

    # The versions table lists both; rolling back to 1 adds version 3 with the customers again.
    again.switch_page("pages/data.py").run()
    table = next(df.value for df in again.dataframe if "Version" in df.value.columns)
    assert table["Version"].tolist() == [2, 1]
    assert table["Current"].tolist() == ["✓", ""]
    again.selectbox(key="rollback_version").set_value(1)
    again.button(key="rollback_button").click().run()
    assert not again.exception
    assert again.session_state["workspace_dataset"] == ("Acme", 3)
    assert again.session_state["dataset"].customers is not None
    assert [(v.version, v.action, v.based_on) for v in store.versions("Acme")] == [
        (3, "rollback", 1), (2, "replace", 1), (1, "replace", None)]

    # The sidebar picker switches to the sample and back; the URL follows.
    again.selectbox(key="dataset_picker").set_value("\x00sample").run()
    assert again.session_state["data_source"] == "sample"
    assert again.query_params["dataset"] in ("sample", ["sample"])
    again.selectbox(key="dataset_picker").set_value("Acme").run()
    assert again.session_state["workspace_dataset"] == ("Acme", 3)


def test_the_url_names_the_dataset_a_new_session_opens(empty_workspace: Path) -> None:
    from retention.dataset import Dataset
    from retention.importing import load_customers, load_subscriptions
    from ui.state import load_sample

    store = Workspace(empty_workspace)
    subs = load_subscriptions((FIXTURES / "subscriptions.csv").read_bytes(), "subscriptions.csv")
    customers = load_customers((FIXTURES / "customers.csv").read_bytes(), "customers.csv")
    store.save("Acme", Dataset(subs, customers))
    store.save("Sample copy", load_sample())  # the newest: opened when the URL names none

    assert _session().session_state["workspace_dataset"] == ("Sample copy", 1)
    linked = _session(dataset="Acme")
    assert linked.session_state["workspace_dataset"] == ("Acme", 1)
    assert _metric(linked, "MRR") == "$350"
    assert _session(dataset="sample").session_state["data_source"] == "sample"
    assert _session(dataset="no such thing").session_state["workspace_dataset"] == ("Sample copy", 1)


def test_demo_mode_has_no_workspace(monkeypatch) -> None:
    monkeypatch.setenv("RETENTION_MODE", "demo")
    at = _session()
    _upload(at)
    assert "Save to the workspace" not in [s.value for s in at.subheader]
    assert not [s for s in at.selectbox if s.key == "dataset_picker"]


def _save_fixture(store: Workspace, name: str) -> None:
    from retention.dataset import Dataset
    from retention.importing import load_customers, load_subscriptions

    subs = load_subscriptions((FIXTURES / "subscriptions.csv").read_bytes(), "subscriptions.csv")
    customers = load_customers((FIXTURES / "customers.csv").read_bytes(), "customers.csv")
    store.save(name, Dataset(subs, customers))


def test_an_editor_deletes_a_dataset_only_after_confirming(empty_workspace: Path) -> None:
    store = Workspace(empty_workspace)
    _save_fixture(store, "Acme")
    _save_fixture(store, "Old export")  # the newest: a new session opens on it
    at = _session()
    assert at.session_state["workspace_dataset"] == ("Old export", 1)
    at.switch_page("pages/data.py").run()
    at.button(key="delete_dataset").click().run()
    # The first click only asks, naming the dataset and what goes with it.
    assert [d.name for d in store.datasets()] == ["Old export", "Acme"]
    assert any("Delete Old export with its only version?" in w.value for w in at.warning)
    at.button(key="delete_cancel").click().run()
    assert not [b for b in at.button if b.key == "delete_confirm"]
    assert [d.name for d in store.datasets()] == ["Old export", "Acme"]

    at.button(key="delete_dataset").click().run()
    assert at.button(key="delete_confirm").label == "Yes, delete Old export"
    at.button(key="delete_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [d.name for d in store.datasets()] == ["Acme"]
    # The session moves to the dataset left, says what happened, and the picker no longer offers the deleted one.
    assert at.session_state["workspace_dataset"] == ("Acme", 1)
    assert "Deleted Old export and its only version." in [s.value for s in at.success]
    assert at.selectbox(key="dataset_picker").options == ["Sample data", "Acme"]
    assert _metric(_session(), "MRR") == "$350"

    # Deleting the last dataset leaves the labelled sample data.
    at.switch_page("pages/data.py").run()
    at.button(key="delete_dataset").click().run()
    at.button(key="delete_confirm").click().run()
    assert store.datasets() == []
    assert at.session_state["data_source"] == "sample"


def test_a_viewer_has_no_delete_button(monkeypatch, empty_workspace: Path) -> None:
    from retention.access import add_user

    store = Workspace(empty_workspace)
    _save_fixture(store, "Acme")
    add_user(store, "vera", "viewer password 1", "viewer")
    add_user(store, "eddy", "editor password 1", "editor")
    monkeypatch.setenv("RETENTION_MODE", "team")
    for name, password, offered in (("vera", "viewer password 1", False), ("eddy", "editor password 1", True)):
        at = _session()
        at.text_input(key="sign_in_name").set_value(name)
        at.text_input(key="sign_in_password").set_value(password)
        at.button[0].click().run()
        at.switch_page("pages/data.py").run()
        assert not at.exception, [e.value for e in at.exception]
        assert at.session_state["workspace_dataset"] == ("Acme", 1)
        assert bool([b for b in at.button if b.key == "delete_dataset"]) is offered, name
    assert [d.name for d in store.datasets()] == ["Acme"]
