"""Users, roles and sign-in of a team workspace: Argon2id hashes only, a growing wait after failures,
`python -m retention users add|remove|list`, and the app's access modes (AppTest)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from retention.access import SignInRefused, add_user, authenticate, list_users, remove_user
from retention.access.users import BASE_WAIT, FREE_FAILURES, wait_before
from retention.cli import main
from retention.workspace import Workspace, WorkspaceError

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
PASSWORD = "correct horse battery staple"


@pytest.fixture()
def ws(tmp_path: Path) -> Workspace:
    return Workspace(tmp_path / "ws")


def test_passwords_are_stored_as_argon2id_hashes_only(ws: Workspace) -> None:
    assert add_user(ws, "anna", PASSWORD, "editor") is True
    with duckdb.connect(str(ws.db_path), read_only=True) as con:
        [(stored,)] = con.execute("SELECT password_hash FROM access_users").fetchall()
        everything = " ".join(str(v) for row in con.execute("SELECT * FROM access_users").fetchall() for v in row)
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in everything
    assert PASSWORD.encode() not in ws.db_path.read_bytes()


def test_sign_in_roles_and_removal(ws: Workspace) -> None:
    add_user(ws, "anna", PASSWORD, "editor")
    add_user(ws, "ben", "viewer password 1", "viewer")
    assert [(u.name, u.role) for u in list_users(ws)] == [("anna", "editor"), ("ben", "viewer")]
    anna = authenticate(ws, "anna", PASSWORD)
    assert anna is not None and anna.can_edit
    ben = authenticate(ws, "ben", "viewer password 1")
    assert ben is not None and not ben.can_edit
    assert authenticate(ws, "anna", "wrong password") is None
    assert authenticate(ws, "nobody", PASSWORD) is None
    assert add_user(ws, "ben", "a new password 2", "editor") is False  # updated, not added
    assert authenticate(ws, "ben", "viewer password 1") is None
    remove_user(ws, "ben")
    assert authenticate(ws, "ben", "a new password 2") is None
    with pytest.raises(WorkspaceError, match="no user named 'ben'"):
        remove_user(ws, "ben")
    with pytest.raises(WorkspaceError, match="at least 10 characters"):
        add_user(ws, "carl", "short", "viewer")
    with pytest.raises(WorkspaceError, match="role must be viewer or editor, not admin"):
        add_user(ws, "carl", PASSWORD, "admin")


def test_the_wait_doubles_after_the_free_failures() -> None:
    now = dt.datetime(2026, 1, 1, 12, 0, 0)
    ago = [now - dt.timedelta(seconds=s) for s in (40, 30, 20, 10, 0)]
    assert wait_before(ago[:FREE_FAILURES - 1], now) == 0
    # 3 failures: 2 s after the last; 4 failures: 4 s; 5 failures: 8 s (the last one just now).
    assert wait_before(ago[-3:], now) == BASE_WAIT
    assert wait_before(ago[-4:], now) == 2 * BASE_WAIT
    assert wait_before(ago, now) == 4 * BASE_WAIT
    assert wait_before(ago, now + dt.timedelta(seconds=3)) == 4 * BASE_WAIT - 3
    assert wait_before(ago, now + dt.timedelta(hours=2)) == 0  # old failures are forgotten


def test_repeated_failures_are_refused_before_the_password_is_checked(ws: Workspace) -> None:
    add_user(ws, "anna", PASSWORD, "editor")
    start = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    for i in range(FREE_FAILURES):
        assert authenticate(ws, "anna", "guess", now=start + dt.timedelta(seconds=i)) is None
    last = start + dt.timedelta(seconds=FREE_FAILURES - 1)
    with pytest.raises(SignInRefused) as refused:
        authenticate(ws, "anna", PASSWORD, now=last + dt.timedelta(seconds=0.5))  # even the right password waits
    assert refused.value.wait_seconds == BASE_WAIT - 0.5
    assert refused.value.message() == "too many failed sign-ins; try again in 2 s"
    assert authenticate(ws, "anna", PASSWORD, now=last + dt.timedelta(seconds=BASE_WAIT)) is not None


def test_users_command(capsys, ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["users", "add", "anna", "--role", "editor", "--password-stdin", "--workspace", str(ws.folder)]) == 0
    assert capsys.readouterr().out == "anna: added as editor\n"
    assert main(["users", "list", "--workspace", str(ws.folder), "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "name,role,added" and out.splitlines()[1].startswith("anna,editor,")
    assert PASSWORD not in out
    assert main(["users", "remove", "anna", "--workspace", str(ws.folder)]) == 0
    assert main(["users", "remove", "anna", "--workspace", str(ws.folder)]) == 2
    assert capsys.readouterr().err.endswith("error: no user named 'anna'\n")


def _app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_team_mode_shows_only_the_sign_in_page_until_signed_in(monkeypatch, empty_workspace: Path) -> None:
    from ui.state import load_sample

    store = Workspace(empty_workspace)
    store.save("Acme secret", load_sample())
    add_user(store, "vera", "viewer password 1", "viewer")
    monkeypatch.setenv("RETENTION_MODE", "team")
    at = _app()
    assert [t.value for t in at.title] == ["Sign in"]
    assert "dataset" not in at.session_state and not at.metric and not at.dataframe
    at.text_input(key="sign_in_name").set_value("vera")
    at.text_input(key="sign_in_password").set_value("wrong password")
    at.button[0].click().run()
    assert [e.value for e in at.error] == ["Wrong user name or password."]
    assert "dataset" not in at.session_state
    at.text_input(key="sign_in_password").set_value("viewer password 1")
    at.button[0].click().run()
    assert not at.exception
    assert at.session_state["signed_in"] == {"name": "vera", "role": "viewer"}
    assert at.session_state["workspace_dataset"] == ("Acme secret", 1)
    at.switch_page("pages/data.py").run()
    assert not at.file_uploader, "a viewer cannot import"
    assert any("signed in as a viewer" in i.value for i in at.info)
    assert not [b for b in at.button if b.key in ("rollback_button", "save_to_workspace", "load_files")]


PAGE_RUNNER = """
import runpy
from ui import boot
with boot.running_app():  # as if app.py's gate had been passed by mistake
    runpy.run_path({path!r}, run_name="__main__")
"""


@pytest.mark.parametrize("page", sorted(p.name for p in (ROOT / "pages").glob("*.py")))
def test_every_page_checks_the_sign_in_itself(monkeypatch, empty_workspace: Path, page: str) -> None:
    from ui.state import load_sample

    Workspace(empty_workspace).save("Acme secret", load_sample())
    monkeypatch.setenv("RETENTION_MODE", "team")
    at = AppTest.from_string(PAGE_RUNNER.format(path=str(ROOT / "pages" / page)), default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.title and not at.metric and not at.dataframe and "dataset" not in at.session_state


def test_local_mode_refuses_a_non_loopback_address() -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.error
    from ui.access import is_loopback

    assert [is_loopback(a) for a in ("127.0.0.1", "127.1.2.3", "::1", "localhost", "0.0.0.0", "", None, "192.168.1.4")] == [
        True, True, True, True, False, False, False, False]


def test_local_mode_on_all_interfaces_serves_nothing() -> None:
    from streamlit import config

    at = AppTest.from_file(APP, default_timeout=60)
    before = config.get_option("server.address")
    config.set_option("server.address", "0.0.0.0")
    try:
        at.run()
    finally:
        config.set_option("server.address", before)
    assert any("runs in local mode" in e.value for e in at.error)
    assert not at.metric and "dataset" not in at.session_state
