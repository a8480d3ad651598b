"""Markdown files for `blocks import`: front matter for fields, one block per file or per `##`.

A file becomes one block when its front matter has a ``title`` (or ``split: false``), or when it
has no ``## `` headings; then a leading ``# Heading`` can give the title. Otherwise each ``## ``
heading starts a block and the front matter's fields apply to all of them; a ``# `` heading
above the first ``## `` is the document's title and is not imported.
"""

from __future__ import annotations

import re
from typing import Any

from newsletter.core.config import LibraryConfig
from newsletter.core.errors import UserError
from newsletter.library.block_files import FrontMatter, checked_fields, parse, title_from_heading

MARKDOWN_SUFFIXES = (".md", ".markdown")
_H2 = re.compile(r"^##\s+(.+?)\s*#*\s*$")
_H1 = re.compile(r"^#\s+\S")
_FENCE = re.compile(r"^\s*(```|~~~)")


def _sections(body: str, first_line: int) -> list[tuple[int, list[str]]]:
    """(line of the heading, lines) for the preamble (line 0) and each ``##`` section."""
    sections: list[tuple[int, list[str]]] = [(0, [])]
    fenced = False
    for offset, line in enumerate(body.split("\n")):
        if _FENCE.match(line):
            fenced = not fenced
        if not fenced and _H2.match(line):
            sections.append((first_line + offset, [line]))
        else:
            sections[-1][1].append(line)
    return sections


def _should_split(matter: FrontMatter, source: str, sections: list) -> bool:
    fields = matter.fields
    split = fields.get("split")
    if split is not None and not isinstance(split, bool):
        line = matter.lines.get("split", 1)
        raise UserError(f"{source}, line {line}: split: expected true or false, got {split!r}")
    if split is not None:
        return split
    return len(sections) > 1 and not fields.get("title")


def split_markdown(text: str, source: str, library: LibraryConfig) -> list[dict[str, Any]]:
    """Block fields for each block in the file, checked; errors name the file and line."""
    matter = parse(text, source)
    common = checked_fields(matter, library, source)
    sections = _sections(matter.body, matter.body_line)
    if not _should_split(matter, source, sections):
        title_from_heading(matter)
        if not matter.fields.get("title"):
            raise UserError(
                f"{source}: no title (add 'title:' to the front matter or start with '# Title')"
            )
        fields = {**common, **checked_fields(matter, library, source)}
        return [{**fields, "body": matter.body.strip(), "source_position": 1}]
    preamble = [line for line in sections[0][1] if line.strip() and not _H1.match(line)]
    if preamble:
        raise UserError(
            f"{source}, line {matter.body_line}: text before the first '## ' heading belongs to "
            "no block (give the file a 'title:' to import it as one block)"
        )
    out = []
    for line, lines in sections[1:]:
        title = _H2.match(lines[0]).group(1)  # type: ignore[union-attr]
        body = "\n".join(lines[1:]).strip()
        out.append({**common, "title": title, "body": body, "source_position": line})
    if not out:
        raise UserError(f"{source}: no stories found (no '## ' headings)")
    return out
