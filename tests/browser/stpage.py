"""Driving a Streamlit page in Playwright: waiting until a run has settled, navigating, reading widgets.

Streamlit renders a skeleton first, then streams elements while the script runs, and draws Plotly
charts lazily; a check made before all of that has finished sees a half-drawn page.  `settle`
waits for the finished page, and every check of the suite starts from it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

TIMEOUT_MS = 90_000
MAIN = '[data-testid="stMain"]'
SIDEBAR = '[data-testid="stSidebar"]'
EXCEPTION = '[data-testid="stException"]'
LOADED = "Loaded. The dashboard pages now show your data."

# True once the script run is over and the page is drawn: a title or an exception is in the main
# area, nothing is running, no skeleton is left, every visible table has its cells and every Plotly chart its SVG.
_SETTLED = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-testid="stStatusWidget"]')) return false;
  const main = document.querySelector('[data-testid="stMain"]');
  if (!main) return false;
  if (main.querySelector('[data-testid="stException"]')) return true;
  if (!main.querySelector('h1')) return false;
  if (main.querySelector('[data-testid="stSkeleton"]')) return false;
  if (main.querySelector('[data-testid="stSpinner"]')) return false;
  for (const grid of main.querySelectorAll('[data-testid="stDataFrame"]')) {
    const shown = grid.checkVisibility() && !grid.closest('details:not([open])');
    if (shown && !grid.querySelector('table')) return false;
  }
  for (const chart of main.querySelectorAll('[data-testid="stPlotlyChart"]')) {
    if (!chart.querySelector('.js-plotly-plot .main-svg')) return false;
  }
  return true;
}"""


class PageRaised(AssertionError):
    """A Streamlit page showed an exception element."""


def assert_no_exception(page: Page, where: str = "") -> None:
    exceptions = page.locator(EXCEPTION)
    if exceptions.count():
        text = " | ".join(exceptions.all_inner_texts())
        raise PageRaised(f"page {where or page.url} raised: {text}")


def settle(page: Page, where: str = "") -> None:
    """Wait until the current script run has finished drawing, then fail if the page raised."""
    page.wait_for_function(_SETTLED, timeout=TIMEOUT_MS, polling=100)
    assert_no_exception(page, where)


def open_app(page: Page, url: str, path: str = "") -> None:
    page.goto(f"{url}/{path}", timeout=TIMEOUT_MS)
    settle(page, path or "/")


@dataclass(frozen=True)
class NavLink:
    """One page of the sidebar navigation, as the browser shows it."""

    label: str
    href: str

    @property
    def slug(self) -> str:
        """File-name-safe page name: the URL path, or the label for the default page at '/'."""
        path = self.href.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
        if not path or ":" in path:
            path = self.label
        return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "page"


def nav_links(page: Page) -> list[NavLink]:
    """Every page the sidebar navigation offers, discovered from the links themselves."""
    links = page.locator(f'{SIDEBAR} [data-testid="stSidebarNavLink"]')
    expect(links.first).to_be_visible(timeout=TIMEOUT_MS)
    found = []
    for i in range(links.count()):
        link = links.nth(i)
        label = link.locator('[data-testid="stMarkdownContainer"]').inner_text().strip()
        found.append(NavLink(label, link.get_attribute("href") or ""))
    return found


def go_to(page: Page, label: str) -> None:
    """Switch page inside the same session (a click, not a reload, so the session's data stays)."""
    link = page.locator(f'{SIDEBAR} [data-testid="stSidebarNavLink"]').filter(
        has=page.get_by_text(label, exact=True))
    link.click()
    expect(link).to_have_attribute("aria-current", "page", timeout=TIMEOUT_MS)
    settle(page, label)


def title(page: Page) -> str:
    return page.locator(f"{MAIN} h1").first.inner_text().strip()


def main_text(page: Page) -> str:
    return page.locator(MAIN).inner_text()


def metric(page: Page, label: str) -> Locator:
    """The value element of the KPI card with this label."""
    card = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=re.compile(rf"^\s*{re.escape(label)}\s*$")))
    return card.first.locator('[data-testid="stMetricValue"]')


def segmented(page: Page, option: str) -> None:
    """Pick an option of a segmented control (the period picker)."""
    page.locator(f'{SIDEBAR} [data-testid="stButtonGroup"] button[role="radio"]').filter(
        has_text=re.compile(rf"^\s*{re.escape(option)}\s*$")).click()


def combobox(page: Page, label: str, scope: str = SIDEBAR) -> Locator:
    """The input of the selectbox whose visible label is `label` (the label as shown, Markdown rendered)."""
    widget = page.locator(f'{scope} [data-testid="stSelectbox"]').filter(
        has=page.locator('[data-testid="stWidgetLabel"]', has_text=re.compile(rf"^\s*{re.escape(label)}\s*$")))
    return widget.locator('input[role="combobox"]')


def selectbox(page: Page, label: str, option: str, scope: str = SIDEBAR) -> None:
    """Choose an option of a selectbox by its label, typing to filter like a user would."""
    box = combobox(page, label, scope)
    listbox = page.locator('[role="listbox"]')
    box.click()
    try:
        expect(listbox).to_be_visible(timeout=5_000)
    except AssertionError:  # a rerun replaced the widget under the click: open it again from the keyboard
        box.click()
        box.press("ArrowDown")
        expect(listbox).to_be_visible(timeout=TIMEOUT_MS)
    listbox.locator('[role="option"]').filter(has_text=re.compile(rf"^\s*{re.escape(option)}\s*$")).first.click()
    expect(box).to_have_value(option, timeout=TIMEOUT_MS)


def selectbox_options(page: Page, label: str, scope: str = SIDEBAR) -> list[str]:
    """The options a selectbox offers, read from its open list (then closed again)."""
    box = combobox(page, label, scope)
    listbox = page.locator('[role="listbox"]')
    box.click()
    try:
        expect(listbox).to_be_visible(timeout=5_000)
    except AssertionError:  # a rerun replaced the widget under the click: open it again from the keyboard
        box.click()
        box.press("ArrowDown")
        expect(listbox).to_be_visible(timeout=TIMEOUT_MS)
    options = [o.strip() for o in listbox.locator('[role="option"]').all_inner_texts()]
    page.keyboard.press("Escape")
    expect(listbox).to_be_hidden(timeout=TIMEOUT_MS)
    return options


def upload(page: Page, label: str, path: str) -> None:
    """Give a file to the uploader with this label through its real <input type=file>."""
    uploader = page.locator('[data-testid="stFileUploader"]').filter(
        has=page.locator('[data-testid="stWidgetLabel"]', has_text=re.compile(rf"^\s*{re.escape(label)}\s*$")))
    uploader.locator('input[type="file"]').set_input_files(path)


def grid_text(page: Page, scope: str = MAIN) -> str:
    """The text of every rendered data-grid cell (st.dataframe draws on a canvas; this reads its a11y table)."""
    return "\n".join(page.locator(f'{scope} [data-testid="stDataFrame"] table').all_text_contents())


def screenshot(page: Page, path: str) -> None:
    """A screenshot of the whole page: Streamlit scrolls inside its main area, so grow the window to fit it first."""
    viewport = page.viewport_size or {"width": 1400, "height": 900}
    height = page.evaluate("""() => {
      const main = document.querySelector('[data-testid="stMain"]');
      return Math.max(window.innerHeight, main ? main.scrollHeight : 0);
    }""")
    page.set_viewport_size({"width": viewport["width"], "height": min(int(height) + 40, 16_000)})
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    page.screenshot(path=path, full_page=True)
    page.set_viewport_size(viewport)


def load_files(page: Page, subscriptions: Path, customers: Path | None = None) -> None:
    """Upload through the Data page's real file inputs and press "Load files", as a user does."""
    go_to(page, "Data")
    upload(page, "Subscriptions", str(subscriptions))
    expect(page.get_by_text(f"Column mapping for {subscriptions.name}")).to_be_visible(timeout=TIMEOUT_MS)
    if customers is not None:
        upload(page, "Customers (optional)", str(customers))
        expect(page.get_by_text(f"Column mapping for {customers.name}")).to_be_visible(timeout=TIMEOUT_MS)
    settle(page, "Data")
    button = page.locator(MAIN).get_by_role("button", name="Load files")
    expect(button).to_be_enabled(timeout=TIMEOUT_MS)
    button.click()
    expect(page.get_by_text(LOADED)).to_be_visible(timeout=TIMEOUT_MS)
    settle(page, "Data after loading")
