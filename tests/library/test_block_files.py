"""Blocks as Markdown files with YAML front matter, parsed and checked."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from newsletter.core.config import LibraryConfig
from newsletter.core.errors import UserError
from newsletter.library import block_files
from newsletter.library.block_files import checked_fields, parse, render

LIBRARY = LibraryConfig()

GOOD = """---
title: Mobile health teams reach Şanlıurfa
area: Migration health
tags: [health, "mobile teams"]
places: [Şanlıurfa, Siverek]
date: 2026-10-14
image: https://example.org/teams.jpg
image_alt: A nurse measures a child’s height
link: https://example.org/more
---
Nurses met **640 people** in Siverek.

“We come every month,” says Zeynep.
"""


def test_front_matter_becomes_checked_fields() -> None:
    matter = parse(GOOD, "story.md")
    fields = checked_fields(matter, LIBRARY, "story.md")
    assert fields["title"] == "Mobile health teams reach Şanlıurfa"
    assert fields["area"] == "migration-health"
    assert fields["tags"] == ["health", "mobile teams"]
    assert fields["event_date"] == date(2026, 10, 14)
    assert fields["image_url"] == "https://example.org/teams.jpg"
    assert matter.body.startswith("Nurses met **640 people**")
    assert "“We come every month,” says Zeynep." in matter.body


def test_render_and_parse_round_trip() -> None:
    fields = checked_fields(parse(GOOD, "story.md"), LIBRARY, "story.md")
    fields |= {"translation_group": "teams-2026-10", "kind": "event", "status": "ready"}
    body = "Text with ç ğ ı İ ö ş ü and “quotes”.\n\nSecond paragraph."
    text = render({**fields, "body": body}, hints=["a comment line"])
    assert text.startswith("---\n# a comment line\n")
    again = parse(text, "again.md")
    assert checked_fields(again, LIBRARY, "again.md") == {
        **fields, "summary": "", "partners": [], "author": "", "event_date_end": None,
        "image_credit": None, "link_label": None,
    }  # fmt: skip
    assert again.body.strip() == body


def test_empty_template_fields_keep_their_defaults() -> None:
    fields = checked_fields(parse(render({"title": "A"}), "new.md"), LIBRARY, "new.md")
    assert "kind" not in fields and "status" not in fields and "language" not in fields
    assert fields["area"] is None and fields["tags"] == []


def test_title_from_a_leading_heading() -> None:
    matter = parse("\n# Kilis centre opens\n\nThe centre opened.\n", "kilis.md")
    block_files.title_from_heading(matter)
    assert matter.fields["title"] == "Kilis centre opens"
    assert matter.body.strip() == "The centre opened."


@pytest.mark.parametrize(
    "text, message",
    [
        ("---\ntitle: A\ntags: [a, b\n---\nBody", "story.md, line 3: broken front matter"),
        ("---\ntitle: A\n  bad: indent\n---\n", "story.md, line 3: broken front matter"),
        ("---\ntitle: A\nBody without closing line\n", "story.md, line 1: front matter opened"),
        ("---\n- a list\n---\n", "story.md, line 2: front matter must be 'key: value' lines"),
        ("---\ntitle: A\ncolour: red\n---\n", "story.md, line 3: unknown field 'colour'"),
        ("---\ntitle: A\nstatus: done\n---\n", "story.md, line 3: status: unknown status 'done'"),
        ("---\ntitle: A\nimage: https://a.org/a.jpg\n---\n", "story.md, line 3: image_alt:"),
        ("---\ntitle: A\ndate: 14 October\n---\n", "story.md, line 3: date: '14 October'"),
        ("---\ntitle: A\ndate: 2021-02-30\n---\n", "story.md, line 3: date: '2021-02-30' is not"),
        ("---\ntitle: A\ndate: 2021-05-01\ndate_end: 2021-04-01\n---\n",
         "story.md, line 4: date_end: 2021-04-01 is before"),
    ],
)  # fmt: skip
def test_broken_files_name_file_and_line(text: str, message: str) -> None:
    with pytest.raises(UserError) as caught:
        checked_fields(parse(text, "story.md"), LIBRARY, "story.md")
    assert str(caught.value).startswith(message)


def test_read_block_file_refuses_binary(tmp_path: Path) -> None:
    path = tmp_path / "photo.md"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    with pytest.raises(UserError, match="photo.md: binary file"):
        block_files.read_block_file(path)
