"""Payload strings and the files that carry them into every text field the app reads.

Each payload holds the marker `PWN` so a test can find where file text reached the page, and each
is a construct a renderer would act on: Markdown images (a tracking beacon fetched by every viewer),
Markdown and HTML links, HTML that Plotly renders in labels (`<b>`, `<i>`, `<br>`), Streamlit's
colour directives and hover-template fields.
"""

from __future__ import annotations

import csv
import io

MARKER = "PWN"
MD_IMAGE = "![x](http://beacon.invalid/PWN.png)"
MD_LINK = "[PWN](javascript:alert(1))"
BOLD = '"><b>PWN</b>'
HTML_IMAGE = "<img src=http://beacon.invalid/PWN.png>"
ITALIC = "<i>PWN</i><br>x"
ANCHOR = "<a href='http://evil.invalid'>PWN</a>"
COLOUR = ":red[PWN] **PWN**"
TEMPLATE = "%{y}PWN%{x}"
PAYLOADS = (MD_IMAGE, MD_LINK, BOLD, HTML_IMAGE, ITALIC, ANCHOR, COLOUR, TEMPLATE)
FILE_NAME = f"subs {MD_IMAGE} <b>PWN</b>.csv"
HEADER = "<b>PWN</b> region"


def _csv(header: tuple[str, ...], rows: list[tuple[object, ...]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def customer_ids() -> list[str]:
    """One customer per payload (the payload is its id), plus plain ones so segments have several members."""
    return [*PAYLOADS, *(f"plain-{i}" for i in range(4))]


def subscriptions() -> bytes:
    """Monthly subscriptions from 2024-01-01 (100 a month); every third one ends on 2024-06-15; plans are payloads."""
    rows = []
    for i, customer in enumerate(customer_ids()):
        end = "2024-06-15" if i % 3 == 0 else ""
        rows.append((customer, PAYLOADS[i % len(PAYLOADS)], "2024-01-01", end, "100", "month", "USD", "active"))
    return _csv(("customer_id", "plan", "start_date", "end_date", "amount", "interval", "currency", "status"), rows)


def mixed_currencies() -> bytes:
    """A file whose currency cells are payloads: the Data page must ask for rates without rendering them."""
    rows = [(f"c{i}", "2024-01-01", "", "100", "month", code) for i, code in enumerate((MD_IMAGE, ANCHOR, "USD"))]
    return _csv(("customer_id", "start_date", "end_date", "amount", "interval", "currency"), rows)


def customers() -> bytes:
    """Attributes whose values and one column name are payloads: segment names on every chart and picker."""
    rows = [(customer, PAYLOADS[(i + 3) % len(PAYLOADS)], PAYLOADS[i % 2]) for i, customer in enumerate(customer_ids())]
    return _csv(("customer_id", "industry", HEADER), rows)


def events() -> bytes:
    """Logins by every customer's user over eight weeks; event names are payloads."""
    rows = []
    for i, customer in enumerate(customer_ids()):
        for day in range(0, 56, 3 + i % 3):
            stamp = f"2024-{1 + day // 28:02d}-{1 + day % 28:02d}T10:00:00Z"
            rows.append((stamp, f"u-{i}", customer, PAYLOADS[day % len(PAYLOADS)]))
    return _csv(("timestamp", "user_id", "customer_id", "event"), rows)


def surveys() -> bytes:
    """NPS answers; detractors' comments are payloads (shown in the 'What detractors say' table)."""
    rows = [(customer, f"2024-0{1 + i % 5}-10", i % 11, "nps", PAYLOADS[i % len(PAYLOADS)])
            for i, customer in enumerate(customer_ids())]
    return _csv(("customer_id", "date", "score", "kind", "comment"), rows)
