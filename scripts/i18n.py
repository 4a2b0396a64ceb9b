"""Keep the translation catalogs in step with the code.

    .venv/bin/python scripts/i18n.py extract        # code -> retention/locale/messages.pot -> every <lang>/…/retention.po
    .venv/bin/python scripts/i18n.py check          # exit 1 on anything untranslated, fuzzy, stale or with wrong {placeholders}
    .venv/bin/python scripts/i18n.py missing de     # the untranslated (and fuzzy) entries of one language, as PO text
    .venv/bin/python scripts/i18n.py fill de de.po  # copy the filled msgstrs of such a file into the catalog

After adding strings: run `extract`, then `missing LANG > todo.po` for each language, translate the
msgstrs in todo.po, `fill LANG todo.po`, and finish with `check` (the i18n tests run the same check).

What is extracted: the first argument of `tr(…)` and `N_(…)`, both arguments of `tr.plural(…)`, plus
the benchmark labels, segments and sources of `retention/benchmarks/benchmarks.csv` (shown through
`tr(b.label)` etc., so no Python literal carries them).  A string reaching `tr()` through a variable
must be marked with `N_("…")` where it is written, or it is never extracted and stays English.

Existing translations are kept when the template changes; a msgid whose wording changed slightly
comes back marked fuzzy with the old translation as a suggestion, and `check` treats fuzzy entries as
missing until a translator confirms them.  Line numbers are left out of the catalogs so that editing
code does not rewrite every .po file.
"""

from __future__ import annotations

import argparse
import ast
import csv
import re
import sys
from collections.abc import Iterable
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from retention.i18n import DEFAULT_LANGUAGE, DOMAIN, LANGUAGES, LOCALE_DIR, catalog_path  # noqa: E402

TEMPLATE = LOCALE_DIR / "messages.pot"
SOURCES = ("app.py", "pages", "ui", "retention")
"""Where user-facing strings live (tests, scripts and the CLI's argparse help stay English)."""
KEYWORDS = ("tr", "translate", "N_")
"""Names a translator (or the `N_` marker) is called by; `x.plural("…", "…", n)` is extracted too."""
BENCHMARKS_CSV = ROOT / "retention" / "benchmarks" / "benchmarks.csv"
BENCHMARK_COLUMNS = ("label", "segment", "source")
_PLACEHOLDER = re.compile(r"(?<!\{)\{([^{}]*)\}(?!\})")
_WRITE_OPTIONS = {"width": 100, "include_lineno": False, "sort_by_file": True, "ignore_obsolete": True}


def target_languages() -> list[str]:
    """Every language with a catalog: all languages of the picker except the source language."""
    return [code for code in LANGUAGES if code != DEFAULT_LANGUAGE]


def _literals(node: ast.expr) -> list[str]:
    """The message(s) a call argument can be: a literal, or either branch of `"a" if x else "b"`."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _literals(node.body) + _literals(node.orelse)
    return []


def _source_files() -> list[Path]:
    files = [ROOT / "app.py"]
    for folder in SOURCES[1:]:
        files += sorted(p for p in (ROOT / folder).rglob("*.py") if "__pycache__" not in p.parts)
    return files


def _source_messages() -> Iterable[tuple[str, int, str | tuple[str, ...], list[str]]]:
    """Messages of `tr("…")`, `translate("…")`, `N_("…")` and `tr.plural("…", "…", n)` calls.

    Read from the syntax tree rather than the token stream: a token scanner also picks up string
    subscripts inside a call such as `tr(METRICS["arpa"].label)`, which are keys, not messages.
    """
    for path in _source_files():
        relative = path.relative_to(ROOT).as_posix()
        for node in ast.walk(ast.parse(path.read_bytes(), filename=relative)):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr == "plural" and len(node.args) >= 2:
                singular, plural = _literals(node.args[0]), _literals(node.args[1])
                if len(singular) == len(plural) == 1:
                    yield relative, node.lineno, (singular[0], plural[0]), []
            elif isinstance(func, ast.Name) and func.id in KEYWORDS:
                for message in _literals(node.args[0]):
                    yield relative, node.lineno, message, []
                if isinstance(node.args[0], ast.JoinedStr):
                    print(f"warning: {relative}:{node.lineno}: an f-string passed to {func.id}() cannot be translated; "
                          "use a {placeholder}", file=sys.stderr)


def _benchmark_messages() -> Iterable[tuple[str, int, str, list[str]]]:
    """Benchmark texts come from a CSV, not from code: each label, segment and source is a msgid."""
    with BENCHMARKS_CSV.open(encoding="utf-8", newline="") as handle:
        for row_number, row in enumerate(csv.DictReader(handle), start=2):
            for column in BENCHMARK_COLUMNS:
                text = (row.get(column) or "").strip()
                if text:
                    yield BENCHMARKS_CSV.relative_to(ROOT).as_posix(), row_number, text, [f"benchmarks.csv column {column}"]


def extract_template() -> Catalog:
    """Every translatable message of the code and the benchmark file, as a fresh template (nothing written)."""
    template = Catalog(project="retention-dashboard", version="0.1", domain=DOMAIN, fuzzy=False, charset="utf-8",
                       header_comment="# Messages of the retention dashboard. Generated by scripts/i18n.py extract; do not edit.")
    for filename, lineno, message, comments in [*_source_messages(), *_benchmark_messages()]:
        if isinstance(message, tuple) and not all(message):
            continue  # tr.plural called with a variable: nothing literal to extract
        if not message:
            continue
        template.add(message, None, [(filename, lineno)], auto_comments=comments)
    return template


def _write(catalog: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = BytesIO()
    write_po(buffer, catalog, **_WRITE_OPTIONS)
    new = buffer.getvalue()
    # The creation/revision dates change on every run: only rewrite a file whose messages changed.
    if path.exists() and _without_dates(path.read_bytes()) == _without_dates(new):
        return
    path.write_bytes(new)


def _without_dates(data: bytes) -> bytes:
    return re.sub(rb'"(POT-Creation-Date|PO-Revision-Date): [^"]*"', b"", data)


def load(language: str) -> Catalog:
    path = catalog_path(language)
    if not path.exists():
        return _new_catalog(language)
    with path.open("rb") as handle:
        return read_po(handle, locale=language, domain=DOMAIN)


def _new_catalog(language: str) -> Catalog:
    return Catalog(
        locale=language, domain=DOMAIN, project="retention-dashboard", version="0.1", charset="utf-8", fuzzy=False,
        header_comment=f"# Translations ({language}) of the retention dashboard.\n"
                       "# Generated by scripts/i18n.py extract; translations are kept across runs.",
        last_translator="retention-dashboard contributors", language_team=LANGUAGES.get(language, language),
    )


def extract() -> dict[str, int]:
    """Write the template and merge it into every language's catalog, keeping translations; returns counts."""
    template = extract_template()
    _write(template, TEMPLATE)
    counts = {"msgids": len([m for m in template if m.id])}
    for language in target_languages():
        catalog = load(language)
        catalog.update(template, update_header_comment=False)
        _write(catalog, catalog_path(language))
        counts[language] = len(untranslated(catalog))
    return counts


def placeholders(text: str) -> list[str]:
    """The `{name}` fields of a str.format template (with conversion and spec), sorted; `{{` escapes are not fields."""
    return sorted(_PLACEHOLDER.findall(text))


def _forms(message: Message) -> tuple[list[str], list[str]]:
    ids = list(message.id) if isinstance(message.id, (list, tuple)) else [message.id]
    strings = list(message.string) if isinstance(message.string, (list, tuple)) else [message.string or ""]
    return ids, [s or "" for s in strings]


def untranslated(catalog: Catalog) -> list[Message]:
    """Messages a reader would see in English: no translation, a partial plural, or fuzzy."""
    out = []
    for message in catalog:
        if not message.id:
            continue
        _, strings = _forms(message)
        if message.fuzzy or not all(strings):
            out.append(message)
    return out


def placeholder_mismatches(catalog: Catalog) -> list[tuple[Message, list[str], list[str]]]:
    """Translations whose fields differ from the msgid's: they would raise KeyError or drop a value.

    A plural form may follow either English form ("one row" has no `{n}`, "{n} rows" has).
    """
    out = []
    for message in catalog:
        if not message.id or message.fuzzy:
            continue  # a fuzzy entry is reported as untranslated; its old suggestion may well differ
        ids, strings = _forms(message)
        allowed = [placeholders(text) for text in ids]
        for text in strings:
            if text and placeholders(text) not in allowed:
                out.append((message, allowed[-1], placeholders(text)))
    return out


def _msgids(catalog: Catalog) -> set[str]:
    return {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}


def problems(fresh: Catalog | None = None) -> list[str]:
    """Everything `check` reports, one line each; empty when all catalogs are complete and current."""
    lines: list[str] = []
    if fresh is not None:
        code = _msgids(fresh)
        for language in target_languages():
            stale = sorted(code - _msgids(load(language)))
            if stale:
                lines.append(f"{language}: {len(stale)} msgid(s) in the code but not in the catalog (run extract): "
                             + "; ".join(repr(s) for s in stale[:10]) + (" …" if len(stale) > 10 else ""))
    for language in target_languages():
        if not catalog_path(language).exists():
            lines.append(f"{language}: no catalog at {catalog_path(language).relative_to(ROOT)} (run extract)")
            continue
        catalog = load(language)
        for message in untranslated(catalog):
            state = "fuzzy" if message.fuzzy else "untranslated"
            lines.append(f"{language}: {state}: {_forms(message)[0][0]!r}")
        for message, wanted, found in placeholder_mismatches(catalog):
            lines.append(f"{language}: placeholders {found} instead of {wanted}: {_forms(message)[0][0]!r}")
    return lines


def missing_po(language: str) -> str:
    """The entries a translator still has to fill, as a PO file (fuzzy entries keep their suggestion)."""
    catalog = load(language)
    todo = _new_catalog(language)
    for message in untranslated(catalog):
        todo[message.id] = Message(message.id, message.string, message.locations, flags=message.flags,
                                   auto_comments=message.auto_comments)
    buffer = BytesIO()
    write_po(buffer, todo, **_WRITE_OPTIONS)
    return buffer.getvalue().decode("utf-8")


def fill(language: str, source: Path) -> int:
    """Copy non-empty, non-fuzzy msgstrs of a PO file into the language's catalog; returns how many."""
    with source.open("rb") as handle:
        filled = read_po(handle, locale=language, domain=DOMAIN)
    catalog = load(language)
    count = 0
    for message in filled:
        if not message.id or message.fuzzy or message.id not in catalog:
            continue
        _, strings = _forms(message)
        if not all(strings):
            continue
        target = catalog[message.id]
        target.string = message.string
        target.flags.discard("fuzzy")
        count += 1
    _write(catalog, catalog_path(language))
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/i18n.py", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("extract", help="regenerate messages.pot and merge it into every catalog")
    commands.add_parser("check", help="exit 1 on untranslated, fuzzy, stale or mismatched messages")
    missing = commands.add_parser("missing", help="print the untranslated entries of one language as PO text")
    missing.add_argument("language", choices=target_languages())
    filler = commands.add_parser("fill", help="copy the translations of a PO file into one language's catalog")
    filler.add_argument("language", choices=target_languages())
    filler.add_argument("file", type=Path)
    args = parser.parse_args(argv)

    if args.command == "extract":
        counts = extract()
        todo = ", ".join(f"{lang} {counts[lang]}" for lang in target_languages())
        print(f"{counts['msgids']} msgids in {TEMPLATE.relative_to(ROOT)}; still to translate: {todo}")
        return 0
    if args.command == "check":
        found = problems(extract_template())
        for line in found:
            print(line)
        if found:
            print(f"{len(found)} problem(s); see `scripts/i18n.py missing LANG`", file=sys.stderr)
            return 1
        print(f"all {len(target_languages())} catalogs complete")
        return 0
    if args.command == "missing":
        sys.stdout.write(missing_po(args.language))
        return 0
    print(f"{fill(args.language, args.file)} translations filled into {catalog_path(args.language).relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
