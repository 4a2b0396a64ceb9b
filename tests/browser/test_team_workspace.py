"""Issue 12 in a real browser: a team workspace behind a sign-in.

The server runs in *team* mode on its own temporary workspace, with two users made by the real
`python -m retention users add` (an editor and a viewer).  The tests run in order and share it:

1. the editor signs in, uploads the hand-computable fixture of `test_upload_flow.py` under
   distinctive file names, saves it as a named dataset, reloads, signs in again and finds the same
   dataset and the same KPI numbers;
2. a viewer, in a second browser profile, sees that dataset and its numbers but no control to
   import, save, roll back or delete;
3. a signed-out browser sees none of the dataset name, the file names or the numbers: not in the
   page and not in any WebSocket message the server sent it.

Numbers (tests/fixtures/app, worked out in test_upload_flow.py): as of 2024-03-31, MRR = a 100 +
c 200 + e 50 = $350 and CRR 2024-03 = (3 − 1) / 3 = 66.7 %.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote_plus

import pytest
from conftest import OUTPUT, ROOT, VIEWPORT, StreamlitServer
from playwright.sync_api import Page, expect
from stpage import (
    MAIN,
    SIDEBAR,
    TIMEOUT_MS,
    combobox,
    go_to,
    load_files,
    main_text,
    metric,
    open_app,
    screenshot,
    settle,
)

pytestmark = pytest.mark.browser

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "app"
EDITOR, VIEWER = "erin-editor", "victor-viewer"
PASSWORD = "correct horse battery staple"
DATASET = "Orion Ledger 7731"
SUBSCRIPTIONS = "orion-billing-7731.csv"
CUSTOMERS = "orion-accounts-7731.csv"
MRR, CRR = "$350", "66.7%"
SECRETS = [DATASET, SUBSCRIPTIONS, CUSTOMERS, MRR, CRR]


def add_user(workspace: Path, name: str, role: str) -> None:
    """The real `users add` command, password on stdin as a provisioning script would pass it."""
    done = subprocess.run([sys.executable, "-m", "retention", "users", "add", name, "--role", role, "--password-stdin",
                           "--workspace", str(workspace)], input=PASSWORD + "\n", text=True, capture_output=True,
                          cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"{name}: added as {role}"


@pytest.fixture(scope="module")
def team(tmp_path_factory) -> Iterator[StreamlitServer]:
    workspace = tmp_path_factory.mktemp("team-workspace")
    add_user(workspace, EDITOR, "editor")
    add_user(workspace, VIEWER, "viewer")
    app = StreamlitServer("app.py", name="team", env={"RETENTION_MODE": "team", "RETENTION_WORKSPACE": str(workspace)})
    yield app
    app.stop()


@pytest.fixture(scope="module")
def exports(tmp_path_factory) -> tuple[Path, Path]:
    """The fixture files under names that appear nowhere else, so a leaked file name is unmistakable."""
    folder = tmp_path_factory.mktemp("exports")
    subs, customers = folder / SUBSCRIPTIONS, folder / CUSTOMERS
    shutil.copy(FIXTURES / "subscriptions.csv", subs)
    shutil.copy(FIXTURES / "customers.csv", customers)
    return subs, customers


@pytest.fixture(scope="module")
def editor(team, browser) -> Iterator[Page]:
    context = browser.new_context(viewport=VIEWPORT)
    yield context.new_page()
    context.close()


def sign_in(page: Page, name: str) -> None:
    """Fill the sign-in form as a user does and wait for the dashboard behind it."""
    main = page.locator(MAIN)
    expect(main.locator("h1").first).to_have_text("Sign in", timeout=TIMEOUT_MS)
    form = main.locator('[data-testid="stForm"]')
    # "Password" alone also names the field's show-password button: ask for the text box.
    form.get_by_role("textbox", name="User name", exact=True).fill(name)
    form.get_by_role("textbox", name="Password", exact=True).fill(PASSWORD)
    form.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.locator(SIDEBAR).get_by_text(f"Signed in as {name}", exact=False)).to_be_visible(timeout=TIMEOUT_MS)
    expect(main.locator("h1").first).not_to_have_text("Sign in", timeout=TIMEOUT_MS)
    settle(page, f"after {name} signed in")


def controls(page: Page) -> dict[str, int]:
    """How many of the editing controls the Data page shows."""
    main = page.locator(MAIN)
    return {
        "uploader": main.locator('[data-testid="stFileUploader"]').count(),
        "load": main.get_by_role("button", name="Load files", exact=True).count(),
        "save": main.get_by_role("button", name="Save", exact=True).count(),
        "rollback": main.get_by_role("button", name="Roll back", exact=True).count(),
        "delete": main.get_by_role("button", name=re.compile(r"^Delete")).count(),
    }


def test_editor_uploads_saves_and_finds_the_same_data_after_a_reload(team, editor, exports) -> None:
    page = editor
    open_app(page, team.url)
    sign_in(page, EDITOR)
    # An empty workspace opens on the sample data, and says so.
    expect(page.locator(SIDEBAR).get_by_text("Showing the built-in sample data", exact=False)).to_be_visible()
    load_files(page, *exports)
    main = page.locator(MAIN)
    name = main.get_by_role("textbox", name="Name of the dataset", exact=True)
    expect(name).to_have_value("orion-billing-7731")  # proposed from the subscriptions file's name
    name.fill(DATASET)
    name.press("Enter")
    settle(page, "Data, dataset named")
    main.get_by_role("button", name="Save", exact=True).click()
    expect(combobox(page, "Dataset")).to_have_value(DATASET, timeout=TIMEOUT_MS)
    settle(page, "Data after saving")
    expect(main.get_by_text(f"Saved dataset {DATASET}, version 1", exact=False)).to_be_visible()
    expect(main.get_by_text(f"Versions of {DATASET}", exact=False)).to_be_visible()
    assert SUBSCRIPTIONS in main_text(page) or SUBSCRIPTIONS in page.content()
    screenshot(page, str(OUTPUT / "issue12-editor-data-saved.png"))
    go_to(page, "Overview")
    expect(metric(page, "MRR")).to_have_text(MRR)
    expect(metric(page, "CRR")).to_have_text(CRR)
    assert f"dataset={DATASET.replace(' ', '+')}" in page.url or f"dataset={DATASET.replace(' ', '%20')}" in page.url

    # A reload is a new session: sign in again, and the saved dataset (not the sample) is back.
    page.reload(timeout=TIMEOUT_MS)
    settle(page, "after reload")
    sign_in(page, EDITOR)
    expect(combobox(page, "Dataset")).to_have_value(DATASET, timeout=TIMEOUT_MS)
    go_to(page, "Overview")
    expect(metric(page, "MRR")).to_have_text(MRR)
    expect(metric(page, "CRR")).to_have_text(CRR)


def test_viewer_sees_the_dataset_but_cannot_change_it(team, editor, exports, browser) -> None:
    # Two more versions from the command line, as a cron job makes them: the subscriptions alone (v2), then a
    # rollback to v1 (v3, the same data and numbers as v1).  Now older versions exist to roll back to.
    subs = exports[0]
    for argv in (["import", "--dataset", DATASET, "--replace", str(subs)], ["rollback", DATASET, "1"]):
        done = subprocess.run([sys.executable, "-m", "retention", "workspace", *argv, "--workspace", str(team.workspace)],
                              capture_output=True, text=True, cwd=ROOT, timeout=120)
        assert done.returncode == 0, done.stderr
    # The editor is offered every control on the Data page ...
    editor.reload(timeout=TIMEOUT_MS)
    settle(editor, "editor after the CLI rollback")
    sign_in(editor, EDITOR)
    go_to(editor, "Data")
    expect(editor.locator(MAIN).get_by_text(f"Saved dataset {DATASET}, version 3", exact=False)).to_be_visible()
    offered = controls(editor)
    assert offered["uploader"] >= 1 and offered["load"] == 1 and offered["rollback"] == 1 and offered["delete"] == 1, offered

    # ... the viewer, in another browser profile, sees the same data and none of them.
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    try:
        # A bookmarked link to a page and a dataset: the sign-in form first, then that page on that dataset.
        open_app(page, team.url, f"revenue?dataset={quote_plus(DATASET)}")
        sign_in(page, VIEWER)
        expect(page.locator(MAIN).locator("h1").first).to_have_text("Revenue")
        expect(combobox(page, "Dataset")).to_have_value(DATASET, timeout=TIMEOUT_MS)
        go_to(page, "Overview")
        expect(metric(page, "MRR")).to_have_text(MRR)
        expect(metric(page, "CRR")).to_have_text(CRR)
        go_to(page, "Data")
        main = page.locator(MAIN)
        expect(main.get_by_text("You are signed in as a viewer", exact=False)).to_be_visible()
        expect(main.get_by_text(f"Versions of {DATASET}", exact=False)).to_be_visible()
        assert controls(page) == {"uploader": 0, "load": 0, "save": 0, "rollback": 0, "delete": 0}
        assert main.get_by_role("combobox", name="Roll back to version").count() == 0
        screenshot(page, str(OUTPUT / "issue12-viewer-data.png"))
    finally:
        context.close()


def test_signed_out_browser_receives_nothing_of_the_workspace(team, browser) -> None:
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    frames: list[str] = []

    def listen(ws) -> None:
        ws.on("framereceived", lambda payload: frames.append(
            payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else str(payload)))

    page.on("websocket", listen)
    try:
        # The entry point and deep links: every address shows the sign-in form (a "page not found" dialog
        # over it made the form inert), and nothing else.
        for path in ("", "data", "revenue", "cohorts", "customer"):
            open_app(page, team.url, path)
            expect(page.locator(MAIN).locator("h1").first).to_have_text("Sign in")
            text, html = page.locator("body").inner_text(), page.content()
            leaked = [s for s in SECRETS if s in text or s in html]
            assert not leaked, f"/{path}: the signed-out page shows {leaked}"
        # A failed sign-in shows nothing either.
        form = page.locator(MAIN).locator('[data-testid="stForm"]')
        form.get_by_role("textbox", name="User name", exact=True).fill(EDITOR)
        form.get_by_role("textbox", name="Password", exact=True).fill("not the password")
        form.get_by_role("button", name="Sign in", exact=True).click()
        expect(page.get_by_text("Wrong user name or password.")).to_be_visible(timeout=TIMEOUT_MS)
        settle(page, "after a failed sign-in")
        screenshot(page, str(OUTPUT / "issue12-signed-out.png"))
        assert not [s for s in SECRETS if s in page.content()]
        assert frames, "no WebSocket message was captured: the check below would prove nothing"
        received = "\n".join(frames)
        assert "Sign in" in received  # the frames are readable: the sign-in page's own text is in them
        leaked = [s for s in SECRETS if s in received]
        assert not leaked, f"the server sent a signed-out browser {leaked}"
    finally:
        context.close()
