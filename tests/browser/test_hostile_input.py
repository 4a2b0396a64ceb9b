"""Hostile customer data is shown as text everywhere and never runs, in a real browser.

A founder's CRM export can hold anything in a name or attribute: markup, script, Markdown links,
format placeholders, huge strings, emoji.  The app must show them literally (tables, segment
pickers, captions, labels, exports) and the browser must never get an element that executes them.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from conftest import VIEWPORT
from playwright.sync_api import expect
from stpage import MAIN, SIDEBAR, TIMEOUT_MS, go_to, grid_text, nav_links, open_app, selectbox, selectbox_options, settle

pytestmark = pytest.mark.browser

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
SVG_COLUMN = "<svg onload=alert(1)>"
MD_LINK = "[click me](javascript:alert(1))"
PLACEHOLDER = "{0} {attribute} {name}"
LONG = "L" * 4990 + "-long-end"  # 4,999 characters
EMOJI = "Café 🚀 データ 🇳🇱"
FORMULA = '=HYPERLINK("http://example.invalid","x")'

CUSTOMERS = [
    # customer_id, name, plan, <svg onload=alert(1)> (an attribute column with a hostile header)
    ("c1", SCRIPT, IMG, EMOJI),
    ("c2", IMG, SCRIPT, MD_LINK),
    ("c3", LONG, EMOJI, PLACEHOLDER),
    ("c4", MD_LINK, PLACEHOLDER, FORMULA),
    ("c5", FORMULA, "**bold** _it_ $x^2$", SCRIPT),
]
# Every customer pays 100 a month from 2024-01-01, so every segment has the same, simple numbers.
SUBSCRIPTIONS = [(cid, "2024-01-01", "", "100") for cid, *_ in CUSTOMERS] + [("c1", "2024-03-31", "", "0")]
CUSTOMERS_FILE_NAME = f"customers {IMG} **bold** {MD_LINK}.csv"

# Elements or attributes that would run code if an injected value had become markup.
_INJECTED = """() => {
  const hits = [];
  for (const s of document.querySelectorAll('script')) if ((s.textContent || '').includes('alert(')) hits.push('script');
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase(), value = (attr.value || '').toLowerCase();
      if (name.startsWith('on') && value.includes('alert')) hits.push(el.tagName + '[' + name + ']');
      if (['href', 'src', 'action', 'formaction', 'xlink:href'].includes(name) && value.trim().startsWith('javascript:'))
        hits.push(el.tagName + '[' + name + ']');
    }
  }
  for (const img of document.querySelectorAll('img[src="x"]')) hits.push('img[src=x]');
  for (const el of document.querySelectorAll('iframe[srcdoc], object, embed')) hits.push(el.tagName);
  return hits;
}"""


def _csv(rows: list[tuple[str, ...]], header: tuple[str, ...]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _file(name: str, data: bytes) -> dict:
    return {"name": name, "mimeType": "text/csv", "buffer": data}


def assert_nothing_injected(page, where: str) -> None:
    hits = page.evaluate(_INJECTED)
    assert not hits, f"{where}: executable injected markup {hits}"


@pytest.fixture(scope="module")
def hostile(server, browser):
    """A session that loaded the hostile files; every dialog the page ever opens is recorded (and dismissed)."""
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    page = context.new_page()
    dialogs: list[str] = []

    def on_dialog(dialog) -> None:
        dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    open_app(page, server.url)
    go_to(page, "Data")
    subscriptions = _csv(SUBSCRIPTIONS, ("customer_id", "start_date", "end_date", "mrr"))
    customers = _csv(CUSTOMERS, ("customer_id", "name", "plan", SVG_COLUMN))
    uploaders = page.locator(f'{MAIN} [data-testid="stFileUploader"] input[type="file"]')
    uploaders.nth(0).set_input_files(_file("subscriptions.csv", subscriptions))
    expect(page.get_by_text("Column mapping for subscriptions.csv")).to_be_visible(timeout=TIMEOUT_MS)
    uploaders.nth(1).set_input_files(_file(CUSTOMERS_FILE_NAME, customers))
    expect(page.get_by_text(f"Column mapping for {CUSTOMERS_FILE_NAME}")).to_be_visible(timeout=TIMEOUT_MS)
    settle(page, "Data with hostile files")
    page.locator(MAIN).get_by_role("button", name="Load files").click()
    expect(page.get_by_text("Loaded. The dashboard pages now show your data.")).to_be_visible(timeout=TIMEOUT_MS)
    settle(page, "Data after loading hostile files")
    page.dialogs = dialogs
    yield page
    context.close()


def test_data_page_shows_hostile_values_as_text(hostile) -> None:
    page = hostile
    go_to(page, "Data")
    assert_nothing_injected(page, "Data")
    # The file name, with its markup and Markdown, is shown literally in the loaded-files table.
    # The mapping previews come first; a grid only builds its cell table once on screen, so scroll to it.
    page.locator(MAIN).get_by_text("What is loaded", exact=True).scroll_into_view_if_needed()
    loaded = page.locator(f'{MAIN} [data-testid="stDataFrame"] table').filter(has_text=CUSTOMERS_FILE_NAME)
    expect(loaded.first).to_be_attached(timeout=TIMEOUT_MS)
    page.locator(f'{MAIN} [data-testid="stTab"]').filter(has_text="Customers").click()
    customers_panel = page.locator(f'{MAIN} [data-testid="stTabPanel"]').filter(has=page.locator('[data-testid="stDataFrame"]')).last
    expect(customers_panel.locator('[data-testid="stDataFrame"] table')).to_contain_text("c5", timeout=TIMEOUT_MS)
    cells = grid_text(page)
    for value in (SCRIPT, IMG, MD_LINK, EMOJI, PLACEHOLDER, SVG_COLUMN):
        assert value in cells, value
    assert LONG[:200] in cells
    assert_nothing_injected(page, "Data, customers preview")
    # The export keeps the values as text and neutralises the spreadsheet formula.
    button = customers_panel.locator('[data-testid="stDownloadButton"]').filter(has_text="CSV for scripts")
    with page.expect_download(timeout=TIMEOUT_MS) as info:
        button.click()
    rows = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8"))))
    by_id = {row["customer_id"]: row for row in rows}
    assert by_id["c1"]["name"] == SCRIPT
    assert by_id["c2"]["plan"] == SCRIPT
    assert by_id["c3"]["name"] == LONG
    assert by_id["c1"][SVG_COLUMN] == EMOJI
    assert by_id["c5"]["name"] == "'" + FORMULA
    assert page.dialogs == []


def test_segment_pickers_and_captions_show_hostile_values_as_text(hostile) -> None:
    page = hostile
    go_to(page, "Overview")
    attributes = selectbox_options(page, "Segment")
    assert {"name", "plan", SVG_COLUMN} <= set(attributes), attributes
    selectbox(page, "Segment", "plan")
    settle(page, "Overview, segment plan")
    values = selectbox_options(page, "Value of plan")
    assert {SCRIPT, IMG, EMOJI, PLACEHOLDER, "**bold** _it_ $x^2$"} <= set(values), values
    for value in (SCRIPT, IMG, EMOJI, PLACEHOLDER, "**bold** _it_ $x^2$"):
        selectbox(page, "Value of plan", value)
        # The caption names the segment literally: no tag, no bold, no formula, no format placeholder filled in.
        expect(page.locator(f'{MAIN} [data-testid="stCaptionContainer"]').first).to_contain_text(
            f"plan = {value}", timeout=TIMEOUT_MS)
        settle(page, f"Overview, plan = {value}")
        assert_nothing_injected(page, f"Overview, plan = {value}")
    # The hostile column header is itself a segment: its label and values are text too.
    selectbox(page, "Segment", SVG_COLUMN)
    settle(page, "Overview, hostile attribute")
    expect(page.locator(f'{SIDEBAR} [data-testid="stWidgetLabel"]').filter(has_text=f"Value of {SVG_COLUMN}")).to_be_visible()
    selectbox(page, f"Value of {SVG_COLUMN}", MD_LINK)
    expect(page.locator(f'{MAIN} [data-testid="stCaptionContainer"]').first).to_contain_text(
        f"{SVG_COLUMN} = {MD_LINK}", timeout=TIMEOUT_MS)
    settle(page, "Overview, hostile attribute value")
    assert page.locator(f'{MAIN} [data-testid="stCaptionContainer"] a').count() == 0
    # The 5,000-character name is a segment value like any other.
    selectbox(page, "Segment", "name")
    settle(page, "Overview, segment name")
    names = selectbox_options(page, "Value of name")
    assert LONG in names
    assert page.dialogs == []


def test_every_page_survives_hostile_data(hostile) -> None:
    page = hostile
    go_to(page, "Overview")
    selectbox(page, "Segment", "plan")
    settle(page, "Overview, segment plan")
    selectbox(page, "Value of plan", SCRIPT)
    settle(page, "Overview, plan = script")
    for link in nav_links(page):
        go_to(page, link.label)
        assert_nothing_injected(page, link.label)
        # Hover every chart: hover labels are drawn from the same values and must not run either.
        charts = page.locator(f'{MAIN} .js-plotly-plot')
        for i in range(charts.count()):
            charts.nth(i).scroll_into_view_if_needed()
            box = charts.nth(i).bounding_box()
            if box:
                page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        assert_nothing_injected(page, f"{link.label} after hovering")
        if link.slug == "segments":
            # Segment values are the charts' category labels there: drawn as literal text.
            labels = page.evaluate("() => [...document.querySelectorAll('.js-plotly-plot text')].map(t => t.textContent)")
            assert any(SCRIPT in label for label in labels), labels
    assert page.dialogs == []
