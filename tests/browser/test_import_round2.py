"""Issue 14 in a real browser: a payment history uploaded on the Data page becomes subscriptions,
explained customer by customer, and the dashboard shows the MRR its payments imply.

`tests/fixtures/app/payments_ledger.csv` is the hand-made ledger of `tests/test_importing_ledger.py`
(spans worked out there).  Its last payment is 2025-01-10, so the data's as-of date is 2025-01-10 and
the last complete month is 2024-12: b (1200 yearly) and e (1200 yearly, a single payment read like
b's) are the only ones still paying -> MRR 200, 2 customers.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import OUTPUT, VIEWPORT
from playwright.sync_api import expect
from stpage import MAIN, TIMEOUT_MS, go_to, load_files, metric, open_app, screenshot

pytestmark = pytest.mark.browser

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "app"


def test_payment_history_upload_is_explained_and_measured(server, browser) -> None:
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    try:
        open_app(page, server.url)
        go_to(page, "Data")
        load_files(page, FIXTURES / "payments_ledger.csv")
        main = page.locator(MAIN)
        expect(main.get_by_text("How payments_ledger.csv was read", exact=False)).to_be_visible(timeout=TIMEOUT_MS)
        main.get_by_text("How payments_ledger.csv was read", exact=False).click()
        expect(main.get_by_text("Format: Payment history (generic columns). 23 rows read, 20 used, 3 rejected.",
                                exact=False)).to_be_visible(timeout=TIMEOUT_MS)
        expect(main.get_by_text("Payments turned into subscriptions", exact=False)).to_be_visible(timeout=TIMEOUT_MS)
        screenshot(page, str(OUTPUT / "issue14-data-ledger.png"))
        go_to(page, "Overview")
        expect(metric(page, "MRR")).to_have_text("$200", timeout=TIMEOUT_MS)
    finally:
        context.close()
