"""A founder's path through the app in a real browser: upload exports, read the numbers, slice them, export them.

The fixture files are tiny so every number can be worked out by hand (METRICS.md):

    subscriptions.csv   a 2024-01-01..open 100 Pro · b 2024-01-01..2024-03-01 100 Pro · c 2024-02-10..open 200 Team
                        d 2024-03-05..2024-03-20 50 Pro · e 2024-03-31..open 50 Team · x: bad date (rejected)
    as-of = latest date in the file = 2024-03-31
    snapshot 2024-02-29: a 100, b 100, c 200 -> MRR 400, 3 customers
    snapshot 2024-03-31: a 100, c 200, e 50  -> MRR 350, 3 customers (b ended 03-01, d ran 03-05..03-20)
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from conftest import VIEWPORT
from playwright.sync_api import expect
from stpage import MAIN, TIMEOUT_MS, go_to, load_files, metric, open_app, segmented, selectbox, settle

pytestmark = pytest.mark.browser

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "app"


@pytest.fixture(scope="module")
def founder(server, browser):
    """One browser session that has loaded the hand-computable fixture; the tests below share it in order."""
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    page = context.new_page()
    open_app(page, server.url)
    yield page
    context.close()


def test_uploaded_files_replace_the_sample_numbers(founder) -> None:
    page = founder
    go_to(page, "Overview")
    sample_mrr = metric(page, "MRR").inner_text()
    load_files(page, FIXTURES / "subscriptions.csv", FIXTURES / "customers.csv")
    # 6 rows read, 5 used, 1 rejected (x: "not a date"); the customers file has 5 rows.
    expect(page.get_by_text("1 rows could not be used", exact=False)).to_be_visible()
    go_to(page, "Overview")
    # MRR at 2024-03-31 = a 100 + c 200 + e 50 = 350.
    expect(metric(page, "MRR")).to_have_text("$350")
    # CRR 2024-03 = (E - N) / S = (3 - 1) / 3 = 66.7 % (S = a, b, c; E = a, c, e; N = e).
    expect(metric(page, "CRR")).to_have_text("66.7%")
    # Logo churn = churned / S = 1 / 3 = 33.3 %; NRR = GRR = (400 - 100 churned) / 400 = 75.0 %.
    expect(metric(page, "Logo churn")).to_have_text("33.3%")
    expect(metric(page, "NRR")).to_have_text("75.0%")
    assert sample_mrr != "$350"
    expect(page.locator(MAIN).get_by_text("2024-01 to 2024-03 · All customers", exact=False)).to_be_visible()


def test_period_and_segment_change_the_numbers(founder) -> None:
    page = founder
    go_to(page, "Overview")
    expect(metric(page, "CRR")).to_have_text("66.7%")
    # Quarter 2024-Q1 compares 2023-12-31 (nobody active) with 2024-03-31: S = 0, so CRR is undefined (a dash),
    # while MRR is the same snapshot: 350.
    segmented(page, "Quarter")
    expect(metric(page, "CRR")).to_have_text("—", timeout=TIMEOUT_MS)
    settle(page, "Overview by quarter")
    expect(metric(page, "MRR")).to_have_text("$350")
    expect(page.locator(MAIN).get_by_text("2024-Q1 · All customers", exact=False)).to_be_visible()
    # The year 2024 ends 2024-12-31, after the as-of date: no complete year, and the page says so.
    segmented(page, "Year")
    expect(page.get_by_text("No complete period in the selected range", exact=False)).to_be_visible(timeout=TIMEOUT_MS)
    settle(page, "Overview by year")
    segmented(page, "Month")
    expect(metric(page, "CRR")).to_have_text("66.7%", timeout=TIMEOUT_MS)
    settle(page, "Overview by month")
    # plan = Pro (a, b, d), 2024-03: S = a, b; E = a; N = 0 -> CRR = (1 - 0) / 2 = 50.0 %, MRR = 100.
    selectbox(page, "Segment", "plan")
    settle(page, "Overview, segment attribute")
    selectbox(page, "Value of plan", "Pro")
    expect(metric(page, "MRR")).to_have_text("$100", timeout=TIMEOUT_MS)
    settle(page, "Overview, plan = Pro")
    expect(metric(page, "CRR")).to_have_text("50.0%")
    # plan = Team (c, e): S = c; E = c, e; N = e -> CRR = (2 - 1) / 1 = 100.0 %, MRR = 200 + 50 = 250.
    selectbox(page, "Value of plan", "Team")
    expect(metric(page, "MRR")).to_have_text("$250", timeout=TIMEOUT_MS)
    settle(page, "Overview, plan = Team")
    expect(metric(page, "CRR")).to_have_text("100.0%")
    expect(page.locator(MAIN).get_by_text("plan = Team", exact=False)).to_be_visible()
    # The selection survives a page switch (same session).
    go_to(page, "Revenue")
    go_to(page, "Overview")
    expect(metric(page, "MRR")).to_have_text("$250")
    selectbox(page, "Segment", "All customers")
    expect(metric(page, "MRR")).to_have_text("$350", timeout=TIMEOUT_MS)
    settle(page, "Overview, all customers")


def test_metrics_export_downloads_the_numbers_shown(founder) -> None:
    page = founder
    go_to(page, "Overview")
    expect(metric(page, "MRR")).to_have_text("$350")
    # "Download CSV" is for people (headers in their language); the machine-readable file keeps the English names.
    button = page.locator(f'{MAIN} [data-testid="stDownloadButton"]').filter(has_text="CSV for scripts").first
    with page.expect_download(timeout=TIMEOUT_MS) as info:
        button.click()
    download = info.value
    assert download.suggested_filename == "metrics-raw.csv"
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    assert {"period", "customers_end", "crr", "mrr_end"} <= set(rows[0])
    assert [r["period"] for r in rows] == ["2024-01", "2024-02", "2024-03"]
    march = rows[-1]
    # 2024-03: E = 3 (a, c, e), MRR end = 350, CRR = 2 / 3 = 66.67 %.
    assert int(march["customers_end"]) == 3
    assert float(march["mrr_end"]) == 350
    assert float(march["crr"]) == pytest.approx(200 / 3)
    # 2024-01 has no customers at the start: CRR is undefined, exported as an empty cell, never 0.
    assert rows[0]["crr"] == ""
