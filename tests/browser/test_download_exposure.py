"""Download links cannot outlive the click that made them (issue 21 §6, issue 20 §6).

Streamlit's `/media/<fingerprint>` route serves a file to anyone holding its URL, with no cookie.  The
app's design (ui/media.py) is: no download exists before the user clicks (every button gets a callable),
the URL goes only to the browser that clicked, and the file is swept within two sweep periods.  This test
runs a server with a one-second period and checks each part with a second client that has no cookie at
all (plain HTTP), as a link leaked into a log or a chat would be fetched.
"""

from __future__ import annotations

import re
import time
import urllib.error
import urllib.request

import pytest
from conftest import VIEWPORT, StreamlitServer
from stpage import MAIN, TIMEOUT_MS, go_to, open_app

pytestmark = pytest.mark.browser

TTL = 1.0
MEDIA_URL = re.compile(r"/media/[0-9a-f]{32}")  # a download's URL (the app's fonts live under /static/media)


def _status(url: str) -> int:
    """The status a cookie-less client gets for `url`."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers={"Cookie": ""}), timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.fixture(scope="module")
def short_lived() -> StreamlitServer:
    app = StreamlitServer(name="downloads", env={"RETENTION_DOWNLOAD_TTL": str(TTL)})
    yield app
    app.stop()


def test_a_download_exists_only_after_the_click_and_only_briefly(short_lived, browser) -> None:
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    other = browser.new_context(viewport=VIEWPORT)
    try:
        page, spy = context.new_page(), other.new_page()
        open_app(spy, short_lived.url)
        go_to(spy, "Revenue")
        open_app(page, short_lived.url)
        go_to(page, "Revenue")
        # Before the click no file exists: the page carries no media URL at all.
        assert not MEDIA_URL.search(page.content())
        button = page.locator(MAIN).get_by_role("button", name="Download CSV").first
        with page.expect_download(timeout=TIMEOUT_MS) as info:
            button.click()
        download = info.value
        url = download.url
        assert MEDIA_URL.search(url), url
        assert download.path().read_bytes().startswith(b"\xef\xbb\xbf") or download.path().stat().st_size > 0
        clicked = time.monotonic()
        # Another browser session, on the same page, never receives the URL.
        assert url.split("/media/", 1)[1] not in spy.content()
        # A cookie-less client gets 404 once the sweep has run twice (at most 2 × TTL after the click), with no
        # script run anywhere on the server in between (Streamlit's own clean-up only runs after a script run).
        deadline = clicked + 2 * TTL + 5
        while _status(url) == 200:
            assert time.monotonic() < deadline, f"{url} was still served {time.monotonic() - clicked:.1f} s after the click"
            time.sleep(0.2)
        assert _status(url) == 404
        # The user can click again: the file is built anew for them.
        with page.expect_download(timeout=TIMEOUT_MS) as again:
            button.click()
        assert again.value.path().read_bytes() == download.path().read_bytes()
    finally:
        other.close()
        context.close()
