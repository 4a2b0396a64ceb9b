"""Drill-down in a real browser: clicking a bar of a Plotly chart lists the customers behind it (issue 18).

The churned customers of the last period are computed here from the sample CSV files, not by the
engine; the list the browser shows must name exactly them.  Screenshots land in test-output/.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import VIEWPORT
from playwright.sync_api import expect
from stpage import MAIN, TIMEOUT_MS, grid_text, open_app, screenshot, settle

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]


def _sample_mrr(day: pd.Timestamp) -> pd.Series:
    subs = pd.read_csv(ROOT / "sample_data" / "subscriptions.csv", parse_dates=["start_date", "end_date", "trial_end"])
    running = (subs["start_date"] <= day) & (subs["end_date"].isna() | (subs["end_date"] > day))
    paying = running & (subs["trial_end"].isna() | (subs["trial_end"] <= day))
    mrr = subs["amount"] * subs["quantity"] / subs["interval"].map({"month": 1, "year": 12})
    return mrr[paying].groupby(subs["customer_id"][paying]).sum()


def test_clicking_a_churned_bar_lists_those_customers(server, browser, screenshots) -> None:
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    try:
        open_app(page, server.url)
        chart = page.locator(f'{MAIN} [data-testid="stPlotlyChart"]').filter(has_text="Customers gained and lost")
        chart.scroll_into_view_if_needed()
        churned_bars = chart.locator(".barlayer .trace.bars").nth(2).locator(".point path")
        last_bar = churned_bars.nth(churned_bars.count() - 1)
        last_bar.click(force=True)
        heading = page.locator(f"{MAIN} h3").filter(has_text="Churned in")
        expect(heading).to_be_visible(timeout=TIMEOUT_MS)
        settle(page, "overview drill-down")
        period = heading.inner_text().strip().removeprefix("Churned in ").strip()
        month = pd.Period(period, "M")
        before = _sample_mrr((month - 1).end_time.normalize())
        after = _sample_mrr(month.end_time.normalize())
        churned = sorted(set(before[before > 0].index) - set(after[after > 0].index))
        assert churned
        box = page.locator(f'{MAIN} [class*="st-key-overview_drill_box"]')
        grid = box.locator('[data-testid="stDataFrame"]')
        expect(grid).to_be_visible(timeout=TIMEOUT_MS)
        caption = box.locator('[data-testid="stCaptionContainer"]').first.inner_text()
        assert caption.startswith(f"{len(churned)} customers"), caption
        screenshot(page, str(screenshots / "drilldown-overview.png"))
        # Every churned id is in the grid (Glide renders rows as an accessible table).
        text = grid_text(page, '[class*="st-key-overview_drill_box"]')
        names = pd.read_csv(ROOT / "sample_data" / "customers.csv").set_index("customer_id")["customer_name"]
        for customer in churned:
            assert customer in text and names[customer] in text, customer
        # Pick the first row, open the customer view: their whole story.
    finally:
        context.close()
