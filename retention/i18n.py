"""One translation function for every user-facing string.

Strings are written in English in the code and looked up in gettext catalogs under
`retention/locale/<lang>/LC_MESSAGES/retention.po`, compiled in memory with Babel when first
used (no binary .mo files to keep in sync).  A `Translator` is an ordinary object that
callers pass around (the app keeps one per browser session); nothing here installs a
process-global language, so two sessions in two languages never see each other's words.

Placeholders use `str.format` names: `tr("{n} rows rejected", n=3)`.
"""

from __future__ import annotations

import gettext
import io
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

LOCALE_DIR = Path(__file__).with_name("locale")
DOMAIN = "retention"
DEFAULT_LANGUAGE = "en"
LANGUAGES: dict[str, str] = {
    "en": "English", "nl": "Nederlands", "de": "Deutsch", "fr": "Français", "it": "Italiano", "ro": "Română",
}
"""Languages offered in the picker: code -> name in that language. A language is listed once its
catalog is complete (the i18n tests fail on a missing translation)."""


def catalog_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def _catalog(language: str) -> gettext.NullTranslations:
    """Catalogs are immutable once compiled, so sharing them between sessions is safe."""
    path = catalog_path(language)
    if language == DEFAULT_LANGUAGE or not path.exists():
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


@dataclass(frozen=True)
class Translator:
    """Translate and format a message for one language."""

    language: str = DEFAULT_LANGUAGE
    _catalog: gettext.NullTranslations = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_catalog", _catalog(self.language))

    def __call__(self, message: str, /, **params: object) -> str:
        text = self._catalog.gettext(message)
        return text.format(**params) if params else text

    def plural(self, singular: str, plural: str, n: int, /, **params: object) -> str:
        text = self._catalog.ngettext(singular, plural, n)
        return text.format(n=n, **params)


ENGLISH = Translator()


def located(tr: Translator, file: str | None, row: int | None, column: str | None, template: str,
            params: dict[str, object]) -> str:
    """`file, row 7, column mrr: <message>` in the reader's language: every input error names where to look."""
    where = [file] if file else []
    if row is not None:
        where.append(tr("row {row}", row=row))
    if column is not None:
        where.append(tr("column {column}", column=column))
    text = tr(template, **params)
    return ", ".join(where) + ": " + text if where else text


class LocatedError(ValueError):
    """An input error that says where to look (file, row as a spreadsheet shows it, column) and
    keeps its English template, so each reader sees it in their own language."""

    def __init__(self, template: str, row: int | None = None, column: str | None = None, *, file: str | None = None,
                 **params: object):
        self.file = file
        self.template = template
        self.row = row
        self.column = column
        self.params = params
        super().__init__(self.message())

    def message(self, tr: Translator = ENGLISH) -> str:
        return located(tr, self.file, self.row, self.column, self.template, self.params)


def N_(message: str) -> str:
    """Mark a string for extraction without translating it yet (translated where shown)."""
    return message


def translator(language: str | None) -> Translator:
    """The translator for a language code, English when unknown."""
    code = (language or DEFAULT_LANGUAGE).split("-")[0].split("_")[0].lower()
    return Translator(code if code in LANGUAGES else DEFAULT_LANGUAGE)
