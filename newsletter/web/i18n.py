"""Translations of the public pages: Babel catalogues (.po, read at runtime) and language choice.

The catalogues live in ``newsletter/locale/<lang>/LC_MESSAGES/messages.po``. Reading the .po
files directly (compiled in memory once) means no build step can leave a stale .mo behind.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"
UI_LANGUAGES = ("en", "tr")
DEFAULT_LANGUAGE = "en"


def catalogue_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"


@cache
def translations(lang: str) -> NullTranslations:
    """The compiled catalogue of ``lang`` (English falls back to the message ids)."""
    path = catalogue_path(lang)
    if lang not in UI_LANGUAGES or not path.is_file():
        return NullTranslations()
    with path.open("rb") as f:
        catalog = read_po(f, locale=lang)
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return Translations(buf, domain="messages")


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


def _base(tag: str | None) -> str:
    return (tag or "").replace("_", "-").split("-")[0].lower()


def choose_language(
    explicit: str | None = None,
    subscriber: str | None = None,
    accept_language: str | None = None,
) -> str:
    """The page language: an explicit ?lang=, else the subscriber's, else the browser's."""
    for candidate in (explicit, subscriber):
        if _base(candidate) in UI_LANGUAGES:
            return _base(candidate)
    for tag in parse_accept_language(accept_language or ""):
        if _base(tag) in UI_LANGUAGES:
            return _base(tag)
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
