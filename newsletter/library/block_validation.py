"""Checking and normalising block fields, wherever they come from (options, files, imports).

Every error is a UserError that names the field and the value, e.g.
``status: unknown status 'done' (choose one of: draft, ready, archived)``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from babel import Locale

from newsletter.core.config import LibraryConfig
from newsletter.core.errors import UserError
from newsletter.core.models import BLOCK_KINDS, BLOCK_STATUSES
from newsletter.core.safe_text import one_line
from newsletter.core.textmatch import unique
from newsletter.library.areas import area_slug

EDITABLE = (
    "title", "summary", "body", "kind", "status", "area", "tags", "places", "partners",
    "event_date", "event_date_end", "image_url", "image_alt", "image_credit", "link_url",
    "link_label", "language", "translation_group", "author",
)  # fmt: skip
IMPORT_ONLY = ("source_file", "source_position", "content_hash", "guessed")
# Fields the importer may have guessed; ``guessed`` names them until an officer confirms them.
GUESSABLE = ("title", "summary", "area", "places", "partners", "event_date", "author")
KIND_ALIASES = {"figure": "highlight"}
MAX_TITLE = 300

# BCP 47 language tags as used for content: language, optional script, region and variants.
_BCP47 = re.compile(
    r"^(?P<lang>[a-z]{2,3}|[a-z]{5,8})(?:-[a-z]{4})?(?:-(?:[a-z]{2}|\d{3}))?"
    r"(?:-(?:[a-z\d]{5,8}|\d[a-z\d]{3}))*$"
)


def _text(field: str, value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise UserError(f"{field}: expected text, got {value!r}")
    text = str(value).strip()
    if "\x00" in text:  # MJML stops at a NUL: refused here, not as a baffling render error
        raise UserError(f"{field}: contains a NUL character; remove it and try again")
    return text


def _optional(field: str, value: Any) -> str | None:
    return _text(field, value) or None


def _title(field: str, value: Any) -> str:
    title = one_line(field, " ".join(_text(field, value).split()))
    if not title:
        raise UserError(f"{field}: a block needs a title")
    if len(title) > MAX_TITLE:
        raise UserError(f"{field}: longer than {MAX_TITLE} characters ({title[:40]!r}...)")
    return title


def _body(field: str, value: Any) -> str:
    # Keep the author's inner line breaks and indentation; only the ends are trimmed.
    if isinstance(value, str):
        if "\x00" in value:
            raise UserError(f"{field}: contains a NUL character; remove it and try again")
        return value.strip("\n\r ")
    return _text(field, value)


def _choice(choices: tuple[str, ...], aliases: dict[str, str] | None = None) -> Callable:
    def check(field: str, value: Any) -> str:
        text = _text(field, value).lower()
        text = (aliases or {}).get(text, text)
        if text not in choices:
            raise UserError(
                f"{field}: unknown {field} {value!r} (choose one of: {', '.join(choices)})"
            )
        return text

    return check


def _names(field: str, value: Any) -> list[str]:
    """A list of names, given as a list or as one comma-separated string."""
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        raise UserError(f"{field}: expected a list of names, got {value!r}")
    return unique(" ".join(_text(field, item).split()) for item in items if _text(field, item))


def _date(field: str, value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(_text(field, value))
    except ValueError:
        raise UserError(f"{field}: {value!r} is not a date (write it as YYYY-MM-DD)") from None


def _https(field: str, value: Any) -> str | None:
    url = _optional(field, value)
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.netloc or " " in url:
        raise UserError(f"{field}: {url!r} is not an https:// address")
    return url


def media_prefix(base_url: str) -> str:
    """Where photos of our own media library are served: ``<public base URL>/media/``."""
    return base_url.rstrip("/") + "/media/" if base_url else ""


def image_url(field: str, value: Any, media_base: str = "") -> str | None:
    """An https image address, or one of our media library's photos (``media_base`` is the
    public base URL): a test or demo install serves those over http://127.0.0.1."""
    url = _optional(field, value)
    prefix = media_prefix(media_base)
    ours = bool(prefix) and url is not None and url.startswith(prefix) and len(url) > len(prefix)
    if ours and url is not None and " " not in url:
        return url
    return _https(field, url)


def language_tag(field: str, value: Any) -> str:
    """A well-formed BCP 47 tag whose language CLDR knows, in canonical case (e.g. en-GB)."""
    tag = _text(field, value).replace("_", "-")
    match = _BCP47.match(tag.lower())
    if not match or match.group("lang") not in Locale("en").languages:
        raise UserError(f"{field}: {value!r} is not a BCP 47 language code (e.g. en, tr, ar)")
    parts = tag.lower().split("-")
    for i, part in enumerate(parts[1:], start=1):
        if len(part) == 4 and part.isalpha():
            parts[i] = part.title()
        elif len(part) == 2:
            parts[i] = part.upper()
    return "-".join(parts)


def _position(field: str, value: Any) -> int | None:
    if value is None or isinstance(value, int) and not isinstance(value, bool):
        return value
    raise UserError(f"{field}: expected a whole number, got {value!r}")


def _guessed(field: str, value: Any) -> list[str]:
    names = _names(field, value)
    unknown = [n for n in names if n not in GUESSABLE]
    if unknown:
        choices = ", ".join(GUESSABLE)
        raise UserError(f"{field}: unknown field {unknown[0]!r} (choose from: {choices})")
    return names


_CHECKS: dict[str, Callable[[str, Any], Any]] = {
    "title": _title,
    "summary": _text,
    "body": _body,
    "kind": _choice(BLOCK_KINDS, KIND_ALIASES),
    "status": _choice(BLOCK_STATUSES),
    "tags": _names,
    "places": _names,
    "partners": _names,
    "event_date": _date,
    "event_date_end": _date,
    "image_url": _https,
    "image_alt": _optional,
    "image_credit": _optional,
    "link_url": _https,
    "link_label": _optional,
    "language": language_tag,
    "translation_group": _optional,
    "author": _text,
    "source_file": _optional,
    "source_position": _position,
    "content_hash": _optional,
    "guessed": _guessed,
}


def check_status(value: Any) -> str:
    return _CHECKS["status"]("status", value)


def clean(library: LibraryConfig, fields: dict[str, Any], media_base: str = "") -> dict[str, Any]:
    """Each given field checked and normalised; an unknown field name is an error.

    ``media_base`` (the public base URL) also accepts photos of our media library as images,
    even where that address is http (see ``image_url``).
    """
    out: dict[str, Any] = {}
    for name, value in fields.items():
        if name == "area":
            out[name] = area_slug(library, value) if _text(name, value) else None
        elif name == "image_url":
            out[name] = image_url(name, value, media_base)
        elif name in _CHECKS:
            out[name] = _CHECKS[name](name, value)
        else:
            raise UserError(f"unknown block field '{name}' (fields: {', '.join(EDITABLE)})")
    return out


def check_record(record: dict[str, Any]) -> None:
    """Rules between fields, checked on the whole block as it would be saved."""
    if record.get("image_url") and not record.get("image_alt"):
        raise UserError(
            f"image_alt: the image {record['image_url']!r} needs alt text describing it "
            "for readers who cannot see it"
        )
    start, end = record.get("event_date"), record.get("event_date_end")
    if end and not start:
        raise UserError(f"event_date_end: {end.isoformat()} given without event_date")
    if start and end and end < start:
        raise UserError(
            f"event_date_end: {end.isoformat()} is before event_date {start.isoformat()}"
        )
