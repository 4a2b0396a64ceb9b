"""Two founders on the same server at the same time never see each other's customers, and a closed tab's data goes.

Each browser context is a separate browser profile, hence a separate Streamlit session.  The
tenants' files use disjoint customer ids and names, so a single leaked marker anywhere in the
other's page (text, tables, pickers, hidden HTML) fails the test.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from conftest import STRICT_SESSION_TTL, VIEWPORT
from playwright.sync_api import expect
from stpage import (
    MAIN,
    TIMEOUT_MS,
    go_to,
    grid_text,
    load_files,
    nav_links,
    open_app,
    segmented,
    selectbox,
    selectbox_options,
    settle,
)

pytestmark = pytest.mark.browser

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "browser"
A = FIXTURES / "tenant_a"
B = FIXTURES / "tenant_b"
A_MARKERS = ["alpha-7731", "alpha-7732", "alpha-7733", "Aldebaran Aerospace", "Amberfield Apiaries", "Azimuth Analytics"]
B_MARKERS = ["bravo-4411", "bravo-4412", "bravo-4413", "bravo-4414", "Borealis Bakery", "Brightwater Brewing",
             "Basalt Biotech", "Bluebell Books"]
UPLOADS = 'cache_memory_bytes{cache_type="UploadedFileManager"'


def _uploaded_bytes(tenant: Path) -> int:
    return sum(path.stat().st_size for path in (tenant / "subscriptions.csv", tenant / "customers.csv"))


def assert_never_sees(page, foreign: list[str], where: str) -> None:
    html = page.content()
    leaked = [marker for marker in foreign if marker in html]
    assert not leaked, f"{where}: another session's customers are on this page: {leaked}"


def customers_preview(page) -> str:
    """The Data page's customers preview table, as rendered."""
    go_to(page, "Data")
    page.locator(f'{MAIN} [data-testid="stTab"]').filter(has_text="Customers").click()
    panel = page.locator(f'{MAIN} [data-testid="stTabPanel"]').filter(has=page.locator('[data-testid="stDataFrame"]')).last
    expect(panel.locator('[data-testid="stDataFrame"] table')).to_be_attached(timeout=TIMEOUT_MS)
    settle(page, "Data, customers preview")
    return grid_text(page)


def check_every_page(page, own: list[str], foreign: list[str], where: str) -> None:
    for link in nav_links(page):
        go_to(page, link.label)
        assert_never_sees(page, foreign, f"{where}, {link.label}")
    preview = customers_preview(page)
    assert all(marker in preview for marker in own), f"{where}: own customers missing from the preview"
    assert_never_sees(page, foreign, f"{where}, customers preview")


def _wait_for(condition, what: str, nudge=None, deadline_seconds: float = 90) -> None:
    """Poll a server-side condition; `nudge` runs between polls (Streamlit reaps expired sessions on activity)."""
    deadline = time.monotonic() + deadline_seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for: {what}")
        if nudge is not None:
            nudge()
        time.sleep(0.5)


def test_two_sessions_never_see_each_others_customers_and_closing_frees_the_data(strict_server, browser) -> None:
    server = strict_server
    alice_context = browser.new_context(viewport=VIEWPORT)
    bob_context = browser.new_context(viewport=VIEWPORT)
    alice, bob = alice_context.new_page(), bob_context.new_page()
    try:
        open_app(alice, server.url)
        open_app(bob, server.url)
        load_files(alice, A / "subscriptions.csv", A / "customers.csv")
        load_files(bob, B / "subscriptions.csv", B / "customers.csv")
        assert server.metric("active_sessions") == 2
        assert server.metric(UPLOADS) == _uploaded_bytes(A) + _uploaded_bytes(B)

        check_every_page(alice, A_MARKERS, B_MARKERS, "Alice")
        check_every_page(bob, B_MARKERS, A_MARKERS, "Bob")

        # Reruns in both sessions, interleaved: period, segment, page switches.
        go_to(alice, "Overview")
        go_to(bob, "Overview")
        segmented(alice, "Quarter")
        selectbox(bob, "Segment", "name")
        settle(alice, "Alice, quarter")
        settle(bob, "Bob, segment name")
        # Bob's segment picker lists only Bob's customers' names.
        names = selectbox_options(bob, "Value of name")
        assert names == sorted(B_MARKERS[4:]), names
        selectbox(bob, "Value of name", "Basalt Biotech")
        selectbox(alice, "Segment", "plan")
        settle(alice, "Alice, segment plan")
        assert selectbox_options(alice, "Value of plan") == ["Gold", "Silver"]
        settle(bob, "Bob, Basalt Biotech")
        assert_never_sees(alice, B_MARKERS, "Alice after reruns")
        assert_never_sees(bob, A_MARKERS, "Bob after reruns")
        go_to(alice, "Revenue")
        go_to(bob, "Revenue")
        assert_never_sees(alice, B_MARKERS, "Alice, Revenue after reruns")
        assert_never_sees(bob, A_MARKERS, "Bob, Revenue after reruns")
        assert "bravo-4413" in customers_preview(bob)
        assert_never_sees(bob, A_MARKERS, "Bob, preview after reruns")
        assert "alpha-7733" in customers_preview(alice)
        assert_never_sees(alice, B_MARKERS, "Alice, preview after reruns")

        # Alice closes her tab.  The server keeps a closed session only for server.disconnectedSessionTTL
        # (for a reconnecting tab), then drops it: her uploaded bytes leave the server's memory, and they
        # only can once nothing (no global cache, no reference from app code) holds her session anymore.
        alice_context.close()
        _wait_for(lambda: server.metric("active_sessions") == 1, "Alice's session to disconnect")
        time.sleep(STRICT_SESSION_TTL + 0.5)

        def nudge() -> None:  # a tab connecting and leaving lets the server reap sessions whose time is up
            probe_context = browser.new_context(viewport=VIEWPORT)
            probe = probe_context.new_page()
            probe.goto(server.url, timeout=TIMEOUT_MS)
            expect(probe.locator('[data-testid="stSidebarNavLink"]').first).to_be_visible(timeout=TIMEOUT_MS)
            probe_context.close()

        _wait_for(lambda: server.metric(UPLOADS) == _uploaded_bytes(B), "Alice's uploads to be freed", nudge=nudge)

        # Bob is unaffected: his data is still there after Alice's session is gone.
        go_to(bob, "Overview")
        assert_never_sees(bob, A_MARKERS, "Bob after Alice left")
        assert all(marker in customers_preview(bob) for marker in B_MARKERS)
    finally:
        alice_context.close()  # closing twice is harmless
        bob_context.close()


def test_a_reload_starts_a_fresh_session_on_the_sample_data(strict_server, browser) -> None:
    """Uploaded data lives in the session, not in the URL or a cookie: a reload shows the sample again."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    try:
        open_app(page, strict_server.url)
        load_files(page, A / "subscriptions.csv", A / "customers.csv")
        assert "alpha-7731" in customers_preview(page)
        page.reload()
        settle(page, "Data after reload")
        expect(page.get_by_text("You are looking at the built-in sample data", exact=False)).to_be_visible()
        assert_never_sees(page, A_MARKERS, "after reload")
    finally:
        context.close()
