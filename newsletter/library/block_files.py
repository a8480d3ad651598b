"""Blocks as Markdown files with YAML front matter, and editing them in the officer's editor.

    ---
    title: Mobile health teams reach Şanlıurfa
    area: migration-health
    tags: [health, mobile teams]
    date: 2026-10-14
    ---
    The body in Markdown.

A file without ``title`` may start its body with a ``# Heading``, which becomes the title.
Errors name the file and the line: ``notes.md, line 4: ...``.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from newsletter.core.config import LibraryConfig
from newsletter.core.errors import UserError
from newsletter.core.textfiles import read_text
from newsletter.library.block_validation import EDITABLE, check_record, clean

# Friendlier names in files, mapped to block fields; field names themselves work too.
FILE_KEYS = {
    "date": "event_date",
    "date_end": "event_date_end",
    "end_date": "event_date_end",
    "image": "image_url",
    "link": "link_url",
}
SHOWN_AS = {"event_date": "date", "event_date_end": "date_end", "image_url": "image",
            "link_url": "link"}  # fmt: skip
FILE_ONLY = ("split",)  # Markdown import: one block per file or one per "## " heading
KEEP_WHEN_EMPTY = ("kind", "status", "language")  # an empty value keeps the default
_FENCE = re.compile(r"^(---|\.\.\.)\s*$")
_HEADING = re.compile(r"^#\s+(.+?)\s*#*\s*$")


class FrontMatter:
    """Front matter fields (block field names) and the line each key was written on."""

    def __init__(self, fields: dict[str, Any], lines: dict[str, int], body: str, body_line: int):
        self.fields = fields
        self.lines = lines
        self.body = body
        self.body_line = body_line  # the file line the body starts on


def _key_lines(lines: list[str], first_line: int) -> dict[str, int]:
    found: dict[str, int] = {}
    for offset, line in enumerate(lines):
        match = re.match(r"^([A-Za-z_][\w-]*)\s*:", line)
        if match:
            found.setdefault(match.group(1), first_line + offset)
    return found


class _Loader(yaml.SafeLoader):
    """YAML without its own date parsing: ``date: 2021-02-30`` reaches our check as text, which
    names the field and line instead of failing inside PyYAML."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _load_yaml(text: str, source: str) -> Any:
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 2 if mark else 1  # +1 for 1-based, +1 for the opening ---
        problem = exc.problem or exc.context or "not valid YAML"
        raise UserError(f"{source}, line {line}: broken front matter: {problem}") from None
    except yaml.YAMLError as exc:
        raise UserError(f"{source}: broken front matter: {exc}") from None


def parse(text: str, source: str) -> FrontMatter:
    """Split and read the front matter; keys are mapped to block field names."""
    lines = text.lstrip("\ufeff").split("\n")
    if not lines or lines[0].strip() != "---":
        return FrontMatter({}, {}, text.lstrip("\ufeff"), 1)
    end = next((i for i in range(1, len(lines)) if _FENCE.match(lines[i])), None)
    if end is None:
        raise UserError(f"{source}, line 1: front matter opened with --- is never closed by ---")
    data = _load_yaml("\n".join(lines[1:end]), source)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise UserError(f"{source}, line 2: front matter must be 'key: value' lines")
    key_lines = _key_lines(lines[1:end], 2)
    fields: dict[str, Any] = {}
    where: dict[str, int] = {}
    for key, value in data.items():
        name = FILE_KEYS.get(str(key), str(key))
        line = key_lines.get(str(key), 2)
        if name not in EDITABLE and name not in FILE_ONLY:
            known = ", ".join(SHOWN_AS.get(k, k) for k in EDITABLE)
            raise UserError(f"{source}, line {line}: unknown field '{key}' (fields: {known})")
        fields[name], where[name] = value, line
    return FrontMatter(fields, where, "\n".join(lines[end + 1 :]), end + 2)


def checked_fields(matter: FrontMatter, library: LibraryConfig, source: str) -> dict[str, Any]:
    """The front matter's block fields, checked; an error names the file and the key's line."""
    out: dict[str, Any] = {}
    for name, value in matter.fields.items():
        if name in FILE_ONLY or (name in KEEP_WHEN_EMPTY and value in (None, "")):
            continue
        try:
            out.update(clean(library, {name: value}))
        except UserError as exc:
            line = matter.lines.get(name, 1)
            raise UserError(f"{source}, line {line}: {_as_written(str(exc))}") from None
    try:
        check_record(out)
    except UserError as exc:
        field = str(exc).split(":", 1)[0]
        line = matter.lines.get(field) or matter.lines.get("image_url") or 1
        raise UserError(f"{source}, line {line}: {_as_written(str(exc))}") from None
    return out


def _as_written(message: str) -> str:
    """Name the field the way files write it (``date``, not ``event_date``)."""
    field, sep, rest = message.partition(":")
    return f"{SHOWN_AS.get(field, field)}{sep}{rest}"


def title_from_heading(matter: FrontMatter) -> None:
    """Without a title field, a leading ``# Heading`` of the body becomes the title."""
    if matter.fields.get("title"):
        return
    lines = matter.body.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is not None and (match := _HEADING.match(lines[first].strip())):
        matter.fields["title"] = match.group(1)
        matter.lines["title"] = matter.body_line + first
        matter.body = "\n".join(lines[first + 1 :])


def read_block_file(path: Path) -> FrontMatter:

    matter = parse(read_text(path), str(path))
    title_from_heading(matter)
    return matter


def _yaml_line(key: str, value: Any) -> str:
    if value is None or value == "":
        return f"{key}:"
    if isinstance(value, date):
        return f"{key}: {value.isoformat()}"
    if isinstance(value, list):  # lists on one line: tags: [health, mobile teams]
        flow = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=10**6)
        return f"{key}: {flow.strip()}"
    dumped = yaml.safe_dump({key: value}, allow_unicode=True, default_flow_style=False, width=10**6)
    return dumped.strip()


def render(record: dict[str, Any], hints: list[str] | None = None) -> str:
    """A block as front matter plus Markdown body, for editing."""
    lines = ["---", *(f"# {h}" for h in hints or [])]
    for name in EDITABLE:
        if name != "body":
            lines.append(_yaml_line(SHOWN_AS.get(name, name), record.get(name)))
    lines += ["---", "", (record.get("body") or "").rstrip("\n"), ""]
    return "\n".join(lines)
