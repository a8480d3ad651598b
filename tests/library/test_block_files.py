"""Blocks as Markdown files with YAML front matter, and editing them in $EDITOR."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from newsletter.core.config import LibraryConfig
from newsletter.core.errors import UserError
from newsletter.library import block_files
from newsletter.library.block_files import checked_fields, editor_command, parse, render

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


def test_editor_command_precedence() -> None:
    env = {"VISUAL": "code --wait", "EDITOR": "nano"}
    assert editor_command("micro -x", env) == ["micro", "-x"]
    assert editor_command("", env) == ["code", "--wait"]
    assert editor_command("", {"EDITOR": "nano"}) == ["nano"]
    assert editor_command("", {}) == ["vi"]


def test_edit_fields_reads_the_saved_file(fake_editor) -> None:
    shown = fake_editor("path.write_text(text.replace('title:', 'title: Yeni başlık'))")
    fields = block_files.edit_fields(render({}), editor_command(""), LIBRARY)
    assert fields is not None and fields["title"] == "Yeni başlık"
    assert shown.read_text(encoding="utf-8").startswith("---\n")


def test_edit_fields_unchanged_file_is_none(fake_editor) -> None:
    fake_editor("pass")
    assert block_files.edit_fields(render({"title": "Same"}), editor_command(""), LIBRARY) is None


def test_edit_fields_broken_result_keeps_the_text(fake_editor) -> None:
    fake_editor("path.write_text(text.replace('title:', 'title: [broken'))")
    with pytest.raises(UserError) as caught:
        block_files.edit_fields(render({}), editor_command(""), LIBRARY)
    message = str(caught.value)
    assert "broken front matter" in message and "nothing saved" in message
    kept = Path(message.rsplit("kept in ", 1)[1].rstrip(")"))
    assert "title: [broken" in kept.read_text(encoding="utf-8")
    kept.unlink()


def test_editor_failure_saves_nothing(fake_editor) -> None:
    fake_editor("sys.exit(3)")
    with pytest.raises(UserError, match="exited with status 3: nothing saved"):
        block_files.edit_fields(render({}), editor_command(""), LIBRARY)


def test_missing_editor_is_a_clear_error() -> None:
    with pytest.raises(UserError, match="editor not found: 'no-such-editor-xyz'"):
        block_files.edit_fields(render({}), ["no-such-editor-xyz"], LIBRARY)
