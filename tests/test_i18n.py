"""Translations: complete and current catalogs, per-session translators, locale formatting.

The catalog checks are the ones `scripts/i18n.py check` runs, so a failure here is fixed with
`scripts/i18n.py extract`, `scripts/i18n.py missing LANG` and `scripts/i18n.py fill LANG FILE`.
"""

from __future__ import annotations

import ast
import builtins
import gettext
import importlib.util
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog

from retention import formatting
from retention.i18n import ENGLISH, LANGUAGES, N_, Translator, translator

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("i18n_script", ROOT / "scripts" / "i18n.py")
catalogs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(catalogs)

TRANSLATED = [code for code in LANGUAGES if code != "en"]


# --- catalogs -------------------------------------------------------------------------------------------------------

def test_six_languages_are_offered_by_their_own_names() -> None:
    assert LANGUAGES == {"en": "English", "nl": "Nederlands", "de": "Deutsch", "fr": "Français", "it": "Italiano",
                         "ro": "Română"}


def test_every_message_is_translated_with_the_same_placeholders() -> None:
    problems = catalogs.problems()
    assert not problems, "\n".join(problems[:40]) + "\nfix: scripts/i18n.py missing LANG, then fill LANG FILE"


def test_catalogs_hold_exactly_the_messages_of_the_code() -> None:
    """A new `tr("…")` without a catalog entry fails here (run `scripts/i18n.py extract`, then translate)."""
    code = {m.id for m in catalogs.extract_template() if m.id}
    assert len(code) > 400  # the extraction really read the app, not an empty folder
    for language in TRANSLATED:
        catalog = {m.id for m in catalogs.load(language) if m.id}
        new, stale = sorted(code - catalog), sorted(catalog - code)
        assert not new and not stale, f"{language}: not in catalog {new[:10]}; no longer in code {stale[:10]}"


def test_extraction_reads_call_arguments_not_subscripts() -> None:
    """`tr(METRICS["arpa"].label)` translates a label, not the key "arpa"; benchmark texts come from the CSV."""
    code = {m.id for m in catalogs.extract_template() if m.id}
    assert "arpa" not in code and "logo_churn_rate" not in code
    assert "Median NRR, private B2B SaaS" in code  # benchmarks.csv label
    assert "not a date" in code  # reject reason marked with N_ at its call site


def test_check_finds_missing_fuzzy_and_placeholder_errors() -> None:
    catalog = Catalog(locale="de")
    catalog.add("Overview", "Übersicht")
    catalog.add("{n} rows rejected", "{m} Zeilen abgelehnt")
    catalog.add("{value!r} is not a number", "{value} ist keine Zahl")  # the conversion is part of the field
    catalog.add("Only {n} left", "")
    catalog.add("Revenue", "Umsatz", flags=["fuzzy"])
    catalog.add("Literal {{braces}} and {x}", "Wörtlich {{Klammern}} und {x}")
    assert [m.id for m in catalogs.untranslated(catalog)] == ["Only {n} left", "Revenue"]
    assert [(m.id, found) for m, _, found in catalogs.placeholder_mismatches(catalog)] == [
        ("{n} rows rejected", ["m"]), ("{value!r} is not a number", ["value"]),
    ]


def test_error_templates_are_marked_for_translation() -> None:
    """Templates handed to LoadError & co. are shown through `tr(self.template)`: a bare literal is never extracted."""
    sites = {"LoadError": 1, "AmbiguousDateOrder": 1, "BenchmarkFileError": 1, "TargetFileError": 0, "reject": 2,
             "rejects_frame": 4, "LoadResult": 0}
    bare = []
    for path in catalogs._source_files():
        for node in ast.walk(ast.parse(path.read_bytes())):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", None))
            index = sites.get(name)
            if index is None or len(node.args) <= index:
                continue
            arg = node.args[index]
            branches = [arg.body, arg.orelse] if isinstance(arg, ast.IfExp) else [arg]
            bare += [f"{path.relative_to(ROOT)}:{node.lineno}" for b in branches
                     if isinstance(b, ast.Constant) and isinstance(b.value, str)]
    assert not bare, f"wrap these messages in N_(…): {bare}"


# --- translators ----------------------------------------------------------------------------------------------------

def test_translators_of_two_sessions_do_not_share_a_language() -> None:
    german, french = Translator("de"), Translator("fr")

    def words(tr: Translator) -> list[str]:
        return [tr("Overview"), tr("{n} rows could not be used. Each is listed with the file, row, column and reason; "
                                   "fix them in your export and upload again.", n=3)]

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(words, [german, french] * 20))
    assert all(r == results[0] for r in results[0::2]) and all(r == results[1] for r in results[1::2])
    assert results[0][0] == "Übersicht" and results[1][0] == "Vue d'ensemble"
    assert results[0][1].startswith("3 Zeilen") and results[1][1].startswith("3 lignes")
    # Nothing process-global was installed: plain gettext and builtins are untouched.
    assert gettext.gettext("Overview") == "Overview"
    assert not hasattr(builtins, "_")
    assert ENGLISH("Overview") == "Overview"


def test_translator_picks_the_language_of_a_browser_tag() -> None:
    assert translator("de-DE").language == "de"
    assert translator("fr_CA").language == "fr"
    assert translator("RO").language == "ro"
    assert translator("pt-BR").language == "en"  # not offered: English
    assert translator(None).language == "en"


def test_marked_strings_are_translated_where_shown() -> None:
    label = N_("Churned customers")
    assert label == "Churned customers"
    assert [Translator(code)(label) for code in TRANSLATED] == [
        "Vertrokken klanten", "Abgewanderte Kunden", "Clients perdus", "Clienti persi", "Clienți pierduți",
    ]


def test_glossary_keeps_saas_acronyms_in_every_language() -> None:
    for code in TRANSLATED:
        tr = Translator(code)
        for acronym in ("NRR", "GRR", "MRR", "ARPA", "LTV", "CRR"):
            assert tr(acronym) == acronym
        assert "(NRR)" in tr("Net revenue retention (NRR)") and "(CRR)" in tr("Customer retention rate (CRR)")


# --- formatting -----------------------------------------------------------------------------------------------------

NBSP, NNBSP = "\u00a0", "\u202f"


@pytest.mark.parametrize(("language", "expected"), [
    ("en", "€1,234.5"),
    ("nl", f"€{NBSP}1.234,5"),
    ("de", f"1.234,5{NBSP}€"),
    ("fr", f"1{NNBSP}234,5{NBSP}€"),  # narrow no-break space groups thousands, no-break space before the symbol
    ("it", f"1.234,5{NBSP}€"),
    ("ro", f"1.234,5{NBSP}EUR"),
])
def test_money_is_written_the_local_way(language: str, expected: str) -> None:
    assert formatting.money(1234.5, "EUR", language, digits=1) == expected


@pytest.mark.parametrize(("language", "whole", "percent", "day"), [
    ("en", "$12,345", "92.5%", "Mar 5, 2024"),
    ("nl", f"US${NBSP}12.345", "92,5%", "5 mrt 2024"),
    ("de", f"12.345{NBSP}$", f"92,5{NBSP}%", "05.03.2024"),
    ("fr", f"12{NNBSP}345{NBSP}$US", f"92,5{NBSP}%", "5 mars 2024"),
    ("it", f"12.345{NBSP}USD", "92,5%", "5 mar 2024"),
    ("ro", f"12.345{NBSP}USD", f"92,5{NBSP}%", "5 mar. 2024"),
])
def test_amounts_percentages_and_dates_per_locale(language: str, whole: str, percent: str, day: str) -> None:
    import pandas as pd

    assert formatting.money(12345, "USD", language) == whole
    assert formatting.percent(92.5, language) == percent
    assert formatting.day(pd.Timestamp("2024-03-05"), language) == day
    assert formatting.percent(None, language) == formatting.MISSING  # undefined is a dash, never 0 %
