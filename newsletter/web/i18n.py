"""Translations of the public pages: Babel catalogues (.po, read at runtime), language choice and
text direction.

The catalogues live in ``newsletter/locale/<lang>/LC_MESSAGES/messages.po``. Reading the .po
files directly (compiled in memory once) means no build step can leave a stale .mo behind.
Messages with a count go through ``ngettext``: Arabic has six plural forms, Turkish and English
two, and the catalogue's Plural-Forms header picks the right one.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"
UI_LANGUAGES = ("en", "tr", "ar")
DEFAULT_LANGUAGE = "en"
# First strong isolate … pop directional isolate: a value dropped into a right-to-left sentence
# (an address, a list name in Latin letters ending in ")") keeps its own direction and cannot
# reorder the words around it.
FSI, PDI = "\u2068", "\u2069"


def catalogue_path(lang: str, domain: str = "messages") -> Path:
    """``messages``: the public pages; ``admin``: the workspace under /admin."""
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.po"


@cache
def translations(lang: str, domain: str = "messages") -> NullTranslations:
    """The compiled catalogue of ``lang`` (English falls back to the message ids)."""
    path = catalogue_path(lang, domain)
    if lang not in UI_LANGUAGES or not path.is_file():
        return NullTranslations()
    with path.open("rb") as f:
        catalog = read_po(f, locale=lang)
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return Translations(buf, domain=domain)


@cache
def direction(lang: str) -> str:
    """``rtl`` or ``ltr``, for ``<html dir=…>`` (Babel's CLDR data: Arabic is right to left)."""
    try:
        return "rtl" if Locale.parse(lang.replace("-", "_")).text_direction == "rtl" else "ltr"
    except (UnknownLocaleError, ValueError):
        return "ltr"


def isolate(value: object, lang: str) -> object:
    """A text value wrapped in Unicode isolates on right-to-left pages; numbers stay as they are
    (they keep their order in either direction)."""
    if isinstance(value, str) and value and direction(lang) == "rtl":
        return f"{FSI}{value}{PDI}"
    return value


class Translator:
    """A page language's gettext: ``_("… %(email)s", email=…)`` and ``_.ngettext(…, n, …)``.

    Values are formatted into the translated message, isolated on right-to-left pages unless
    ``isolating`` is off (plain text such as a feed's title, where the marks are not wanted).
    """

    def __init__(self, lang: str, isolating: bool = True, domain: str = "messages") -> None:
        self.lang = lang
        self.isolating = isolating
        self._trans = translations(lang, domain)

    def _format(self, text: str, values: dict[str, Any]) -> str:
        if not values:
            return text
        if self.isolating:
            values = {name: isolate(value, self.lang) for name, value in values.items()}
        return text % values

    def __call__(self, message: str, **values: Any) -> str:
        return self._format(self._trans.gettext(message), values)

    def ngettext(self, singular: str, plural: str, n: int, **values: Any) -> str:
        return self._format(self._trans.ngettext(singular, plural, n), values)


@cache
def translator(lang: str, isolating: bool = True, domain: str = "messages") -> Translator:
    return Translator(lang, isolating, domain)


def parse_accept_language(header: str) -> list[str]:
    """Language tags of an Accept-Language header, best first ("*" and q=0 dropped)."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        tag = tag.strip()
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and tag != "*" and quality > 0:
            ranked.append((-quality, position, tag))
    return [tag for _, _, tag in sorted(ranked)]


def base(tag: str | None) -> str:
    """The primary language of a tag: "ar" for "ar-EG", "tr" for "TR_tr"."""
    return (tag or "").replace("_", "-").split("-")[0].lower()


def choose_language(
    explicit: str | None = None,
    subscriber: str | None = None,
    accept_language: str | None = None,
    list_default: str | None = None,
    site_default: str = DEFAULT_LANGUAGE,
) -> str:
    """The page language: an explicit ?lang=, else the subscriber's, else the browser's, else
    the list's default language, else the site's (each only if the pages speak it)."""
    for candidate in (explicit, subscriber):
        if base(candidate) in UI_LANGUAGES:
            return base(candidate)
    for tag in parse_accept_language(accept_language or ""):
        if base(tag) in UI_LANGUAGES:
            return base(tag)
    for candidate in (list_default, site_default):
        if base(candidate) in UI_LANGUAGES:
            return base(candidate)
    return DEFAULT_LANGUAGE


def language_name(code: str, in_language: str) -> str:
    """A language's name as a reader of ``in_language`` calls it ("Türkçe", "Turkish")."""
    try:
        name = Locale.parse(code).get_display_name(Locale.parse(in_language))
    except (UnknownLocaleError, ValueError):
        return code
    return name[:1].upper() + name[1:] if name else code


def own_name(code: str) -> str:
    """A language's name in itself, for language switchers."""
    return language_name(code, code)
