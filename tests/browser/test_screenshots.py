"""Screenshots of every page in English, German and French on the sample data, for people to look at.

Each language gets its own browser context whose locale is the language (the app takes a first
visit's language from the browser), so the pictures show what a founder in Berlin or Lyon sees.
They land in tests/browser/screenshots/ (ignored by git) as `<language>-<page>.png`, one per
page of the navigation, pages discovered from the sidebar so a new page is covered the day it
is added.  The test fails when a page raises or shows a traceback; the looking is left to a person.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import VIEWPORT
from playwright.sync_api import expect
from stpage import TIMEOUT_MS, main_text, nav_links, open_app, screenshot, settle

pytestmark = pytest.mark.browser

FOLDER = Path(__file__).resolve().parent / "screenshots"
LANGUAGES = {"en": "en-US", "de": "de-DE", "fr": "fr-FR"}


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_every_page_in_three_languages(server, browser, language: str) -> None:
    FOLDER.mkdir(exist_ok=True)
    context = browser.new_context(viewport=VIEWPORT, locale=LANGUAGES[language])
    page = context.new_page()
    try:
        open_app(page, server.url)
        links = nav_links(page)
        for link in links:
            nav = page.locator('[data-testid="stSidebar"] [data-testid="stSidebarNavLink"]').filter(
                has=page.get_by_text(link.label, exact=True))
            nav.click()
            expect(nav).to_have_attribute("aria-current", "page", timeout=TIMEOUT_MS)
            settle(page, f"{language} {link.label}")
            assert "Traceback" not in main_text(page)
            screenshot(page, str(FOLDER / f"{language}-{link.slug}.png"))
        assert len(list(FOLDER.glob(f"{language}-*.png"))) >= len(links)
    finally:
        context.close()
