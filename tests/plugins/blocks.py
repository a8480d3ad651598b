"""Test fixtures of the blocks capability: our own sample bulletin, a block factory, an editor."""

from __future__ import annotations

import stat
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session

from newsletter.core.config import Config
from newsletter.core.models import Block
from newsletter.library import blocks

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


@pytest.fixture
def bulletin_path() -> Path:
    """A fictional ten-story bulletin in the shape of the real ones (see tests/fixtures)."""
    return FIXTURES / "blocks-bulletin.txt"


@pytest.fixture
def add_block(session: Session, config: Config) -> Callable[..., Block]:
    """Create a block through the service; keyword arguments are block fields."""

    def make(**fields: Any) -> Block:
        fields.setdefault("title", "Mobile clinic opens in Kilis")
        block = blocks.create(session, config.library, fields, NOW)
        session.commit()
        return block

    return make


@pytest.fixture
def fake_editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[str], Path]:
    """Install $EDITOR as a small script running the given Python code on the file ``path``.

    The code sees ``path`` (a pathlib.Path) and ``text`` (its content); a copy of what the
    editor was shown is left in ``shown.md`` beside the script.
    """

    def install(code: str) -> Path:
        script = tmp_path / "fake-editor.py"
        script.write_text(
            f"#!{sys.executable}\n"
            "import pathlib, shutil, sys\n"
            "path = pathlib.Path(sys.argv[-1])\n"
            f"shutil.copy(path, {str(tmp_path / 'shown.md')!r})\n"
            "text = path.read_text(encoding='utf-8')\n" + code + "\n",
            encoding="utf-8",
        )
        script.chmod(script.stat().st_mode | stat.S_IXUSR)
        monkeypatch.delenv("VISUAL", raising=False)
        monkeypatch.setenv("EDITOR", str(script))
        return tmp_path / "shown.md"

    return install
