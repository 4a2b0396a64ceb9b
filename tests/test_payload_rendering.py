"""AppTest: payloads in every text field of every file are shown as text on every page, never rendered.

The files (tests/hostile/payloads.py) carry Markdown images and links, HTML tags and Plotly
template fields in customer ids, plans, attribute names and values, event names, survey comments,
currency codes and the file name.  Every element that Streamlit renders as Markdown (titles,
captions, alerts, widget labels, metric cards) and every string of every Plotly figure is checked:
a payload may only appear escaped.  Tables (`st.dataframe`) show cells as plain text and are not
checked here; the browser suite checks them in Chromium.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from google.protobuf.json_format import MessageToDict
from hostile import payloads
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
SMALL_SAMPLE = ROOT / "tests" / "fixtures" / "browser" / "tenant_b"
PAGES = sorted(f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py"))  # every page, including ones added later
# Proto fields that Streamlit renders as Markdown.  Widget options and values are plain text.
MARKDOWN_FIELDS = {"body", "label", "help", "caption", "placeholder", "title", "text"}
# Markup that would be acted on if it came from the file unescaped.
UNESCAPED = [
    re.compile(r"(?<!\\)!(?<!\\)\[[^\]]*PWN"),  # Markdown image
    re.compile(r"(?<!\\)\[[^\]]*(?<!\\)\]\((?!\\)"),  # Markdown link
    re.compile(r"(?<!\\)<(?:a|b|i|img|br)[\s>]", re.IGNORECASE),  # HTML
    re.compile(r"(?<!\\):red(?<!\\)\["),  # Streamlit colour directive
    re.compile(r"(?<!\\)\*\*PWN"),  # bold
]


def _strings(value: object, key: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v, key)
    elif isinstance(value, str):
        yield key, value


def _nodes(node) -> Iterator[object]:
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _nodes(child)


def rendered_payloads(at: AppTest) -> list[str]:
    """Every place a payload from the files would be rendered as markup (empty when all is escaped)."""
    found = []
    for root in (at.main, at.sidebar):
        for node in _nodes(root):
            proto = getattr(node, "proto", None)
            if proto is None or node.type in ("arrow_data_frame", "dataframe"):
                continue
            fields = MessageToDict(proto, preserving_proto_field_name=True)
            if node.type == "plotly_chart":
                spec = json.loads(fields.get("spec", "{}"))
                for _, text in _strings(spec):
                    raw = [p for p in (*payloads.PAYLOADS, payloads.HEADER) if "<" in p or "%{" in p]
                    found += [f"plotly: {text!r}" for p in raw if p in text]
                    if payloads.MARKER in text and re.search(r"<(?:a|b|i|img)[\s>]", text, re.IGNORECASE):
                        found.append(f"plotly tag: {text!r}")
                continue
            for key, text in _strings(fields):
                if key not in MARKDOWN_FIELDS or payloads.MARKER not in text:
                    continue
                found += [f"{node.type}.{key}: {text!r}" for pattern in UNESCAPED if pattern.search(text)]
    return found


@pytest.fixture()
def app(monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.syspath_prepend(str(ROOT))
    import ui.state

    monkeypatch.setattr(ui.state, "SAMPLE_DIR", SMALL_SAMPLE)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.run()
    return at


def test_the_checker_sees_unescaped_markup() -> None:
    from retention.escaping import markdown, plotly_text

    for payload in payloads.PAYLOADS[:7]:
        assert any(p.search(payload) for p in UNESCAPED), payload
        assert not any(p.search(markdown(payload)) for p in UNESCAPED), payload
    assert "<" not in plotly_text(payloads.ITALIC) and "%{" not in plotly_text(payloads.TEMPLATE)


def test_no_markup_from_the_files_is_rendered_on_any_page(app: AppTest) -> None:
    at = app
    at.switch_page("pages/data.py").run()
    uploads = [
        (payloads.FILE_NAME, payloads.subscriptions()), (f"customers {payloads.ANCHOR}.csv", payloads.customers()),
        ("events.csv", payloads.events()), ("surveys.csv", payloads.surveys()),
    ]
    for uploader, (name, data) in zip(at.file_uploader, uploads, strict=False):
        uploader.set_value((name, data, "text/csv"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert rendered_payloads(at) == []
    at.button(key="load_files").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["data_source"] == "upload" if "data_source" in at.session_state else True
    assert set(payloads.PAYLOADS) <= set(at.session_state["dataset"].subscriptions.table["customer_id"])
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        assert rendered_payloads(at) == [], page
    at.switch_page("pages/segments.py").run()
    specs = []
    for attribute in at.selectbox(key="compare_by").options:
        at.selectbox(key="compare_by").set_value(attribute).run()
        assert not at.exception, [e.value for e in at.exception]
        assert rendered_payloads(at) == [], attribute
        specs += [chart.proto.spec for chart in at.get("plotly_chart")]
    assert any("&lt;b&gt;PWN&lt;\\u002fb&gt;" in spec for spec in specs), "segment names reach the charts, escaped"


def test_currency_codes_from_the_file_are_not_rendered(app: AppTest) -> None:
    at = app
    at.switch_page("pages/data.py").run()
    at.file_uploader[0].set_value(("currencies.csv", payloads.mixed_currencies(), "text/csv"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    shown = [w.value for w in (*at.warning, *at.info, *at.error)]
    assert any("PWN" in w for w in shown), shown  # the codes are named (escaped) in the message about currencies
    assert rendered_payloads(at) == []
