"""AppTest: every page in all six languages, picked from the browser's locale, with locale-formatted KPIs.

Pages are read from `app.py`'s `st.Page("pages/….py")` entries, so a page added later is covered
without touching this file.  While the app runs, every message the translator is asked for is
recorded, so a page that shows a string missing from its language's catalog fails here.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pandas as pd
import pytest
from babel import Locale
from babel.numbers import format_currency
from streamlit.testing.v1 import AppTest

from retention import i18n
from retention.benchmarks.catalog import KNOWN_METRICS
from retention.glossary import METRICS
from retention.i18n import LANGUAGES, Translator

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
PAGES = re.findall(r"st\.Page\(\s*\"(pages/[^\"]+\.py)\"", (ROOT / "app.py").read_text(encoding="utf-8"))
BROWSER = {"en": "en-US", "nl": "nl-NL", "de": "de-DE", "fr": "fr-FR", "it": "it-IT", "ro": "ro-RO"}
BABEL_LOCALE = {"en": "en_US", "nl": "nl_NL", "de": "de_DE", "fr": "fr_FR", "it": "it_IT", "ro": "ro_RO"}


def _sample_mrr_on(day: pd.Timestamp) -> float:
    """Independent of the engine: MRR of the sample subscriptions running on `day` and out of trial.

    MRR = amount × quantity ÷ months per interval (month 1, quarter 3, year 12); a subscription runs on
    `day` when it started on or before it and has not ended by it; trial days earn nothing.
    """
    subs = pd.read_csv(ROOT / "sample_data" / "subscriptions.csv", parse_dates=["start_date", "end_date", "trial_end"])
    running = (subs["start_date"] <= day) & (subs["end_date"].isna() | (subs["end_date"] > day))
    paying = subs["trial_end"].isna() | (subs["trial_end"] <= day)
    months = subs["interval"].map({"month": 1, "quarter": 3, "year": 12})
    return float((subs["amount"] * subs["quantity"] / months)[running & paying].sum())


def _whole_money(value: float, currency: str, language: str) -> str:
    """A whole amount in the locale's own currency pattern, straight from Babel's CLDR data."""
    locale = Locale.parse(BABEL_LOCALE[language])
    pattern = locale.currency_formats["standard"].pattern.split(";")[0].replace(".00", "")
    return format_currency(value, currency, locale=locale, format=pattern, currency_digits=False)


@pytest.fixture(scope="module")
def english_titles() -> dict[str, str]:
    at = AppTest.from_file(APP, default_timeout=120)
    at.context = {"locale": "en-US"}
    at.run()
    titles = {}
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        titles[page] = at.title[0].value
    return titles


@pytest.fixture
def misses(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Record (language, message) for every translation asked for that the language's catalog lacks."""
    found: list[tuple[str, str]] = []
    original = Translator.__call__

    def recording(self: Translator, message: str, /, **params: object) -> str:
        if self.language != "en" and message not in getattr(self._catalog, "_catalog", {}):
            found.append((self.language, message))
        return original(self, message, **params)

    monkeypatch.setattr(Translator, "__call__", recording)
    return found


RAW_KEY = re.compile(r"\b(" + "|".join(sorted((k for k in KNOWN_METRICS | set(METRICS) if "_" in k), key=len, reverse=True))
                     + r")\b")
ENGLISH_WORDS = {"year", "month", "quarter", "week-8", "day-7", "SaaS overall", "n.d."}
"""English words that once leaked into translated pages as whole cells (period bases, undated sources)."""


def _english_only(language: str) -> set[str]:
    """English messages whose translation differs: seeing one of them whole on a translated page is a leak."""
    tr = Translator(language)
    # Plural messages (ids are (singular, plural) pairs) are templates with a count in them: never a whole text.
    catalog = [m for m in _catalog(language) if m.id and m.string and isinstance(m.id, str)]
    translations = {tr(m.id) for m in catalog}  # Romanian "Data" (= Date) is a translation, not the English "Data"
    return ({m.id for m in catalog if tr(m.id) != m.id and len(m.id) > 2} | ENGLISH_WORDS) - translations - _data_values()


def _data_values() -> set[str]:
    """Values of the sample's own columns (the plan "Growth", the industry "Software"): the user's words, shown as they are."""
    values: set[str] = set()
    for name in ("customers.csv", "subscriptions.csv"):
        frame = pd.read_csv(ROOT / "sample_data" / name, dtype=str)
        for column in frame.columns:
            if frame[column].nunique() <= 50:
                values |= set(frame[column].dropna())
    return values


def _figure_texts(spec: dict) -> list[str]:
    layout = spec.get("layout", {})
    texts = []
    title = layout.get("title")
    texts.append(title.get("text", "") if isinstance(title, dict) else str(title or ""))
    for key, axis in layout.items():
        if key.startswith(("xaxis", "yaxis")) and isinstance(axis, dict):
            axis_title = axis.get("title")
            texts.append(axis_title.get("text", "") if isinstance(axis_title, dict) else str(axis_title or ""))
            texts += [str(t) for t in axis.get("ticktext") or []]
    texts += [str(a.get("text", "")) for a in layout.get("annotations", [])]
    texts += [str(s.get("name", "")) for s in layout.get("shapes", []) if s.get("showlegend")]
    for trace in spec.get("data", []):
        texts.append(str(trace.get("name", "")))
        if trace.get("type") in ("bar", "waterfall", "heatmap") and isinstance(trace.get("x"), list):
            texts += [str(x) for x in trace["x"] if isinstance(x, str)]
    return [t for text in texts for t in re.split(r"<br>|<[^>]+>", text) if t.strip()]


RAW_DATA_PAGES = {"pages/data.py"}
"""Pages whose table cells are the user's own rows (status `active`, industry `Retail`), shown as uploaded."""


def page_texts(at: AppTest, cells: bool = True) -> list[str]:
    """Every piece of text a page shows: titles, paragraphs, captions, alerts, cards, table headers and text
    cells, and the titles, axis titles, tick labels, legend entries and category labels of its charts."""
    texts: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "success", "warning", "error"):
        texts += [str(e.value) for e in getattr(at, kind)]
    for metric in at.metric:
        texts += [str(metric.label), str(metric.value)]
    for frame in at.dataframe:
        value = frame.value
        value = value.data if hasattr(value, "data") and not isinstance(value, pd.DataFrame) else value
        texts += [str(c) for c in value.columns]
        for column in value.columns if cells else ():
            if value[column].dtype == object:
                texts += [str(v) for v in value[column].head(50) if isinstance(v, str)]
    for chart in at.get("plotly_chart"):
        texts += _figure_texts(json.loads(chart.proto.spec))
    return texts


def untranslated_text(at: AppTest, language: str, page: str = "") -> list[str]:
    """Raw metric keys (week_8_retention) and whole English messages on a page shown in `language`."""
    english = _english_only(language)
    found = []
    for text in page_texts(at, cells=page not in RAW_DATA_PAGES):
        clean = text.strip().rstrip(":").strip()
        if RAW_KEY.search(text):
            found.append(f"raw key: {text!r}")
        elif clean in english:
            found.append(f"English: {text!r}")
    return found


def test_pages_are_discovered_from_app_py() -> None:
    assert "pages/overview.py" in PAGES and "pages/definitions.py" in PAGES and len(PAGES) >= 7


@pytest.mark.parametrize("language", [code for code in LANGUAGES if code != "en"])
def test_every_page_renders_translated(language: str, english_titles: dict[str, str],
                                       misses: list[tuple[str, str]]) -> None:
    at = AppTest.from_file(APP, default_timeout=120)
    at.context = {"locale": BROWSER[language]}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["language"] == language  # first visit: the browser's language
    tr = Translator(language)
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, (language, page, [e.value for e in at.exception])
        title = at.title[0].value
        assert title == tr(english_titles[page]), (language, page, title)
        assert english_titles[page] in {m.id for m in _catalog(language) if m.string}, (language, page)
        problems = untranslated_text(at, language, page)
        assert not problems, (language, page, problems[:10])
    assert not misses, f"shown without a translation: {sorted(set(misses))[:20]}"


def test_overview_mrr_card_is_formatted_per_language() -> None:
    """The MRR card of the sample data, in each language, equals Babel's own formatting of the hand-computed MRR."""
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception
    month_end = pd.Period(at.session_state["view"].end or at.session_state["view"].start, "M").end_time.normalize()
    expected = _sample_mrr_on(month_end)
    assert expected > 1000  # big enough to show each locale's thousands separator
    shown_per_language = {}
    for language in LANGUAGES:
        at.sidebar.selectbox(key="language_picker").set_value(language).run()  # the sidebar picker switches the language
        assert not at.exception
        cards = {m.label: m.value for m in at.metric}
        shown = cards[Translator(language)("MRR")]
        candidates = {_whole_money(math.floor(expected), "USD", language), _whole_money(math.ceil(expected), "USD", language)}
        assert shown in candidates, (language, shown, candidates)
        shown_per_language[language] = shown
    assert len(set(shown_per_language.values())) >= 4  # $12,345 · 12.345 $ · 12 345 $US · US$ 12.345 …


def test_unsupported_browser_language_falls_back_to_english() -> None:
    at = AppTest.from_file(APP, default_timeout=120)
    at.context = {"locale": "pt-BR"}
    at.run()
    assert not at.exception
    assert at.session_state["language"] == "en"


def _catalog(language: str):
    from babel.messages.pofile import read_po

    with i18n.catalog_path(language).open("rb") as handle:
        return read_po(handle, locale=language)
