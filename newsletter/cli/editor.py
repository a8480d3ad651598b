"""Editing a block in the officer's own editor ($VISUAL, $EDITOR or library.editor).

Only the command line opens editors, so this lives in cli/: the library stays free of terminals
and subprocesses, and the web workspace edits the same fields through its forms.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from newsletter.core.config import LibraryConfig
from newsletter.core.errors import UserError
from newsletter.library.block_files import checked_fields, parse, title_from_heading
from newsletter.library.block_validation import clean


def editor_command(configured: str, environ: dict[str, str] | None = None) -> list[str]:
    """config library.editor, else $VISUAL, else $EDITOR, else vi."""
    env = os.environ if environ is None else environ
    chosen = configured or env.get("VISUAL") or env.get("EDITOR") or "vi"
    return shlex.split(chosen)


def edit_text(initial: str, command: list[str], name: str = "block") -> tuple[str, Path]:
    """Open ``initial`` in the editor; returns the saved text and the file (kept on disk)."""
    fd, raw = tempfile.mkstemp(prefix=f"newsletter-{name}-", suffix=".md")
    path = Path(raw)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(initial)
    try:
        result = subprocess.run([*command, str(path)], check=False)
    except FileNotFoundError:
        path.unlink(missing_ok=True)
        raise UserError(
            f"editor not found: {command[0]!r} (set $EDITOR or library.editor)"
        ) from None
    if result.returncode != 0:
        path.unlink(missing_ok=True)
        raise UserError(
            f"editor {command[0]!r} exited with status {result.returncode}: nothing saved"
        )
    try:
        return path.read_text(encoding="utf-8"), path
    except UnicodeDecodeError:
        raise UserError(f"{path}: the edited file is not UTF-8 text: nothing saved") from None


def edit_fields(
    initial: str, command: list[str], library: LibraryConfig, name: str = "block"
) -> dict[str, Any] | None:
    """Let the officer edit ``initial``; the checked fields, or None when the file is unchanged.

    A file that does not check out is kept, and the error says where, so no typing is lost.
    """
    text, path = edit_text(initial, command, name)
    if text == initial:
        path.unlink(missing_ok=True)
        return None
    try:
        matter = parse(text, str(path))
        title_from_heading(matter)
        fields = checked_fields(matter, library, str(path))
        fields["body"] = clean(library, {"body": matter.body})["body"]
    except UserError as exc:
        raise UserError(f"{exc} (nothing saved; your text is kept in {path})") from None
    path.unlink(missing_ok=True)
    return fields
