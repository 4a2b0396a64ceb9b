"""Upload limits in a real browser: too-large files are refused with a clear message, huge files show progress.

The over-size case runs on the `strict_server` (server.maxUploadSize = 1 MB) so a 2 MB file is
enough; the project's own limit is checked by tests/test_security_config.py.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import VIEWPORT
from playwright.sync_api import expect
from stpage import LOADED, MAIN, SIDEBAR, TIMEOUT_MS, go_to, metric, open_app, settle, upload

pytestmark = pytest.mark.browser

ROWS = 1_000_000
CUSTOMERS = 50_000


def test_a_file_over_the_size_limit_is_refused_with_a_clear_message(strict_server, browser) -> None:
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    try:
        open_app(page, strict_server.url)
        go_to(page, "Data")
        # Just over 2 MB of valid CSV: a 27-byte header + 105,000 rows of 20 bytes = 2,100,027 bytes > 2 × 1,048,576.
        body = "customer_id,start_date,mrr\n" + "c0001,2024-01-01,10\n" * 105_000
        assert len(body.encode()) > 2 * 1024 * 1024
        uploader = page.locator(f'{MAIN} [data-testid="stFileUploader"]').first
        uploader.locator('input[type="file"]').set_input_files(
            {"name": "too_big.csv", "mimeType": "text/csv", "buffer": body.encode()})
        # Streamlit's own message names the limit.
        expect(uploader).to_contain_text("File must be 1.0MB or smaller.", timeout=TIMEOUT_MS)
        settle(page, "Data after a refused upload")
        expect(page.locator(MAIN).get_by_role("button", name="Load files")).to_be_disabled()
        # Nothing was loaded: the sample data is still what the app shows.
        expect(page.get_by_text("You are looking at the built-in sample data", exact=False)).to_be_visible()
        assert page.locator(f"{MAIN} [data-testid='stExpander']").filter(has_text="too_big.csv").count() == 0
    finally:
        context.close()


def test_the_server_refuses_uploads_without_the_xsrf_token(server) -> None:
    """A PUT straight to the upload endpoint, as a cross-site form or script would send it, is refused (XSRF on)."""
    request = urllib.request.Request(
        f"{server.url}/_stcore/upload_file/some-session/some-file",
        data=b"customer_id,start_date,mrr\nc1,2024-01-01,1\n", method="PUT",
        headers={"Content-Type": "application/octet-stream"},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    refused.value.close()  # the error holds the response's socket; warnings are errors in this suite
    assert refused.value.code == 403


@pytest.fixture(scope="module")
def million_rows(tmp_path_factory) -> Path:
    """1,000,000 subscriptions of $1 for 50,000 customers, 20 each starting 2024-01-01 … 2024-01-20 (no two rows alike).

    Row i belongs to customer i mod 50,000 and starts on January day 1 + i div 50,000; the very last
    row (customer 49,999's 20th) starts 2024-02-29 instead, which makes the as-of date 2024-02-29.
    Month 2024-02 (snapshot 02-29): all 1,000,000 rows run -> MRR 1,000,000 from 50,000 paying customers.
    """
    index = np.arange(ROWS)
    ids = index % CUSTOMERS
    start = pd.Timestamp("2024-01-01") + pd.to_timedelta(index // CUSTOMERS, unit="D")
    start = start.strftime("%Y-%m-%d").to_numpy(dtype=object)
    start[-1] = "2024-02-29"
    path = tmp_path_factory.mktemp("big") / "million.csv"
    pd.DataFrame({"customer_id": ids, "start_date": start, "mrr": 1}).to_csv(path, index=False)
    return path


def test_a_million_rows_show_progress_then_the_result(server, browser, million_rows) -> None:
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    try:
        open_app(page, server.url)
        go_to(page, "Data")
        upload(page, "Subscriptions", str(million_rows))
        expect(page.get_by_text("Column mapping for million.csv")).to_be_visible(timeout=TIMEOUT_MS)
        settle(page, "Data with a million rows")
        page.locator(MAIN).get_by_role("button", name="Load files").click()
        # While the file loads, the page says so (a spinner with the elapsed time), instead of sitting still.
        spinner = page.locator(f'{MAIN} [data-testid="stSpinner"]')
        expect(spinner).to_be_visible(timeout=TIMEOUT_MS)
        expect(spinner).to_contain_text("Loading million.csv")
        expect(page.get_by_text(LOADED)).to_be_visible(timeout=TIMEOUT_MS)
        settle(page, "Data after loading a million rows")
        # 1,000,000 rows of 50,000 customers, every one paying on 2024-02-29.
        expect(metric(page, "Customers with paid subscriptions")).to_have_text("50,000")
        go_to(page, "Overview")
        expect(metric(page, "MRR")).to_have_text("$1,000,000")
        expect(page.locator(SIDEBAR)).to_contain_text("Period")
    finally:
        context.close()
