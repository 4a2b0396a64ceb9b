"""Every page of the navigation renders in a real browser on the sample data, charts drawn, no exception.

Pages are discovered from the sidebar links, so a new page is covered the day it is added.  A
screenshot of each page lands in test-output/screenshots/ for a human to glance at.
"""

from __future__ import annotations

import pytest
from conftest import VIEWPORT, StreamlitServer
from stpage import PageRaised, go_to, main_text, nav_links, open_app, screenshot, settle, title

pytestmark = pytest.mark.browser

# Reference pages (tables and text); every other page of the dashboard, including pages added later,
# must draw at least one chart.
PAGES_WITHOUT_CHARTS = {"data", "benchmarks", "definitions", "alerts"}


def test_every_page_renders_with_its_charts(server, browser, screenshots) -> None:
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    try:
        open_app(page, server.url)
        links = nav_links(page)
        assert len(links) >= 4, links
        assert len({link.slug for link in links}) == len(links), links
        for link in links:
            go_to(page, link.label)
            assert title(page), f"{link.label} has no title"
            assert "Traceback" not in main_text(page)
            charts = page.locator('[data-testid="stMain"] [data-testid="stPlotlyChart"]')
            drawn = page.locator('[data-testid="stMain"] .js-plotly-plot .main-svg')
            if link.slug not in PAGES_WITHOUT_CHARTS:
                assert charts.count() > 0, f"{link.label} shows no chart"
            # settle() waited for every chart's SVG; each chart has its main SVG layers drawn.
            assert drawn.count() >= charts.count()
            screenshot(page, str(screenshots / f"{link.slug}.png"))
    finally:
        context.close()


def test_a_raising_page_fails_the_suite(browser) -> None:
    """The detector works under the project's own config (tracebacks hidden): a page that raises is caught."""
    app = StreamlitServer("tests/fixtures/browser/raising_app.py", name="raising")
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    try:
        open_app(page, app.url)
        with pytest.raises(PageRaised):
            go_to(page, "Broken")
        # The user sees a generic message, never the exception's text or a traceback.
        text = main_text(page)
        assert "secret-detail-42" not in text
        assert "Traceback" not in text
        with pytest.raises(PageRaised):
            settle(page)
    finally:
        context.close()
        app.stop()
