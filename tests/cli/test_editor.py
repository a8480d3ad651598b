"""Editing a block in the officer's editor: command precedence, saved text, failures."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsletter.cli.editor import edit_fields, editor_command
from newsletter.core.config import LibraryConfig
from newsletter.core.errors import UserError
from newsletter.library.block_files import render

LIBRARY = LibraryConfig()


def test_editor_command_precedence() -> None:
    env = {"VISUAL": "code --wait", "EDITOR": "nano"}
    assert editor_command("micro -x", env) == ["micro", "-x"]
    assert editor_command("", env) == ["code", "--wait"]
    assert editor_command("", {"EDITOR": "nano"}) == ["nano"]
    assert editor_command("", {}) == ["vi"]


def test_edit_fields_reads_the_saved_file(fake_editor) -> None:
    shown = fake_editor("path.write_text(text.replace('title:', 'title: Yeni başlık'))")
    fields = edit_fields(render({}), editor_command(""), LIBRARY)
    assert fields is not None and fields["title"] == "Yeni başlık"
    assert shown.read_text(encoding="utf-8").startswith("---\n")


def test_edit_fields_unchanged_file_is_none(fake_editor) -> None:
    fake_editor("pass")
    assert edit_fields(render({"title": "Same"}), editor_command(""), LIBRARY) is None


def test_edit_fields_broken_result_keeps_the_text(fake_editor) -> None:
    fake_editor("path.write_text(text.replace('title:', 'title: [broken'))")
    with pytest.raises(UserError) as caught:
        edit_fields(render({}), editor_command(""), LIBRARY)
    message = str(caught.value)
    assert "broken front matter" in message and "nothing saved" in message
    kept = Path(message.rsplit("kept in ", 1)[1].rstrip(")"))
    assert "title: [broken" in kept.read_text(encoding="utf-8")
    kept.unlink()


def test_editor_failure_saves_nothing(fake_editor) -> None:
    fake_editor("sys.exit(3)")
    with pytest.raises(UserError, match="exited with status 3: nothing saved"):
        edit_fields(render({}), editor_command(""), LIBRARY)


def test_missing_editor_is_a_clear_error() -> None:
    with pytest.raises(UserError, match="editor not found: 'no-such-editor-xyz'"):
        edit_fields(render({}), ["no-such-editor-xyz"], LIBRARY)
