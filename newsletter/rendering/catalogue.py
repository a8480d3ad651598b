"""The words of the email themes: the Babel domain ``email``, read from the .po files at runtime.

``newsletter/locale/email.pot`` lists every word: ``msgctxt`` is the label's key (``read_more``),
``msgid`` its English text; ``newsletter/locale/<lang>/LC_MESSAGES/email.po`` translates them.
Keys rather than English texts name the words because two labels may share an English text and
templates read them as ``labels.read_more``. The .po files are read directly (once per language,
cached), as the public pages' catalogues are, so no build step can leave a stale .mo behind.
A theme's ``labels.toml`` can still change a word for a language (see ``templating.load_labels``).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import PoFileError, read_po

from newsletter.core.errors import UserError

LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"
DOMAIN = "email"


def template_path() -> Path:
    return LOCALE_DIR / f"{DOMAIN}.pot"


def catalogue_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read(path: Path, lang: str | None = None) -> Catalog:
    """A catalogue file, each message required to carry its key as ``msgctxt``."""
    try:
        with path.open("rb") as f:
            catalog = read_po(f, locale=lang, abort_invalid=True)
    except PoFileError as exc:
        raise UserError(f"{path}: {exc}") from exc
    for message in catalog:
        if message.id and not message.context:
            raise UserError(f"{path}, line {message.lineno}: msgid {message.id!r} has no msgctxt")
    return catalog


@cache
def english() -> dict[str, str]:
    """Every label's key and English text (the msgids of the template)."""
    return {m.context: m.id for m in read(template_path()) if m.id and m.context}


@cache
def translated(lang: str) -> dict[str, str]:
    """The keys ``lang``'s catalogue translates (fuzzy and empty entries left out, so English
    fills them); no catalogue for the language, no words."""
    path = catalogue_path(lang)
    if not lang or "/" in lang or "\\" in lang or not path.is_file():
        return {}
    return {
        m.context: m.string
        for m in read(path, lang)
        if m.id and m.context and isinstance(m.string, str) and m.string and not m.fuzzy
    }


@cache
def words(language: str) -> dict[str, str]:
    """English, then the base language's words ("tr" for "tr-TR"), then the full tag's."""
    found = dict(english())
    base = language.split("-")[0]
    found.update(translated(base))
    if language != base:
        found.update(translated(language.replace("-", "_")))
    return found


def clear_cache() -> None:
    """Forget the catalogues read (after editing a .po file in a long-running process)."""
    english.cache_clear()
    translated.cache_clear()
    words.cache_clear()
