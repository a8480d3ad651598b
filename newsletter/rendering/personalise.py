"""Per-recipient parts of a rendered issue, filled by string joins (no template engine).

The issue is rendered once per language with markers where personal values go, such as
``[[nl:name]]``; author text never produces one (``markdown.neutralise_markers``). The markers
are plain printable ASCII because MJML escapes other characters in attribute values.
Conditional runs let a template fall back cleanly:

    [[nl:?name]]Dear [[nl:name]],[[nl:/]][[nl:!name]]Hello,[[nl:/]]

``?field`` keeps the run when the field is non-empty, ``!field`` when it is empty, ``/`` ends it.
``compile_parts`` splits both parts once; ``fill`` picks the pre-split variant for which fields
are empty and drops the escaped values into their slots.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from urllib.parse import urlencode

from newsletter.core.errors import UserError

OPEN, CLOSE = "[[nl:", "]]"
FIELDS = ("name", "email", "unsubscribe_url", "preferences_url", "view_online_url")
_INDEX = {name: i for i, name in enumerate(FIELDS)}
_TOKEN = re.compile(re.escape(OPEN) + "([?!/]?)([a-z_]*)" + re.escape(CLOSE))


@dataclass(frozen=True, slots=True)
class PersonalFields:
    name: str = ""
    email: str = ""
    unsubscribe_url: str = ""
    preferences_url: str = ""
    view_online_url: str = ""


def public_fields(base_url: str, issue_id: int, lang: str = "") -> PersonalFields:
    """Fields for the archive's web version (of edition ``lang``): nobody's name and no
    personal links."""
    return PersonalFields(view_online_url=archive_url(base_url, issue_id, lang=lang))


def archive_url(base_url: str, issue_id: int, key: str = "", lang: str = "") -> str:
    """The web version's address: ``lang`` picks the edition (``?lang=ar``), ``key``
    (tokens.archive_key) opens a non-public issue; both together give ``?lang=ar&key=…``."""
    url = f"{base_url.rstrip('/')}/archive/{issue_id}"
    query = urlencode([(name, value) for name, value in (("lang", lang), ("key", key)) if value])
    return f"{url}?{query}" if query else url


def marker(name: str) -> str:
    return f"{OPEN}{name}{CLOSE}"


@lru_cache(maxsize=1)
def markers() -> dict[str, str]:
    """What templates write for personal parts: ``p.name``, ``p.if_name`` … ``p.end``."""
    out = {name: marker(name) for name in FIELDS}
    for name in FIELDS:
        out[f"if_{name}"] = f"{OPEN}?{name}{CLOSE}"
        out[f"if_no_{name}"] = f"{OPEN}!{name}{CLOSE}"
    out["end"] = f"{OPEN}/{CLOSE}"
    return out


# A compiled part: literal strings and (field index) slots, with the conditions they need.
Segment = tuple[str | int, tuple[tuple[int, bool], ...]]
Variant = tuple[list[str], list[tuple[int, int]]]


def _parse(source: str, part: str) -> list[Segment]:
    segments: list[Segment] = []
    conditions: list[tuple[int, bool]] = []
    pos = 0
    for match in _TOKEN.finditer(source):
        if match.start() > pos:
            segments.append((source[pos : match.start()], tuple(conditions)))
        pos = match.end()
        op, name = match.groups()
        if op == "/":
            if not conditions:
                raise UserError(f"{part} part: personal-field block closed but never opened")
            conditions.pop()
            continue
        if name not in _INDEX:
            raise UserError(f"{part} part: unknown personal field {name!r}")
        if op:
            conditions.append((_INDEX[name], op == "?"))
        else:
            segments.append((_INDEX[name], tuple(conditions)))
    if conditions:
        raise UserError(f"{part} part: personal-field block opened but never closed")
    if pos < len(source):
        segments.append((source[pos:], ()))
    if any(isinstance(s, str) and OPEN in s for s, _ in segments):
        raise UserError(f"{part} part: malformed personal-field marker")
    return segments


def _variant(segments: list[Segment], present: tuple[bool, ...]) -> Variant:
    parts: list[str] = []
    slots: list[tuple[int, int]] = []
    last_literal = False
    for value, conds in segments:
        if any(present[field] != wanted for field, wanted in conds):
            continue
        if isinstance(value, int):
            slots.append((len(parts), value))
            parts.append("")
            last_literal = False
        elif last_literal:
            parts[-1] += value  # merge neighbouring literals: fewer pieces to join
        else:
            parts.append(value)
            last_literal = True
    return parts, slots


class Personaliser:
    """Both parts of one snapshot, split once; ``fill`` is called once per recipient."""

    def __init__(self, html: str, text: str) -> None:
        self._html = _parse(html, "HTML")
        self._text = _parse(text, "text")
        self._variants: dict[tuple[bool, ...], tuple[Variant, Variant]] = {}

    def fields_used(self) -> set[str]:
        return {FIELDS[v] for v, _ in self._html + self._text if isinstance(v, int)}

    def _pick(self, present: tuple[bool, ...]) -> tuple[Variant, Variant]:
        found = self._variants.get(present)
        if found is None:
            found = (_variant(self._html, present), _variant(self._text, present))
            self._variants[present] = found
        return found

    def fill(self, fields: PersonalFields) -> tuple[str, str]:
        """The recipient's HTML and text parts."""
        values = (
            _one_line(fields.name),
            _one_line(fields.email),
            _one_line(fields.unsubscribe_url),
            _one_line(fields.preferences_url),
            _one_line(fields.view_online_url),
        )
        (html_parts, html_slots), (text_parts, text_slots) = self._pick(
            tuple(bool(v) for v in values)
        )
        escaped = [escape(v) for v in values]
        html = html_parts.copy()
        for index, field in html_slots:
            html[index] = escaped[field]
        text = text_parts.copy()
        for index, field in text_slots:
            text[index] = values[field]
        return "".join(html), "".join(text)


def _one_line(value: str) -> str:
    """No line breaks or runs of spaces: a name must not add lines to the text part."""
    if "\n" in value or "\r" in value or "  " in value or value != value.strip():
        return " ".join(value.split())
    return value


def compile_parts(html: str, text: str) -> Personaliser:
    return Personaliser(html, text)
