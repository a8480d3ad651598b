"""Shared fixtures: a real config file and SQLite database in a temporary folder, and the CLI."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session
from typer.testing import CliRunner

from newsletter.core import db
from newsletter.core.config import Config, load_config

pytest_plugins = [
    "tests.plugins.smtp",
    "tests.plugins.browser",
    "tests.plugins.blocks",
    "tests.plugins.compose",
    "tests.plugins.audience",
    "tests.plugins.delivery",
    "tests.plugins.scheduling",
    "tests.plugins.web",
    "tests.plugins.admin",
]

SECRET = "test-secret-key-that-is-long-enough-for-signing-0123456789"


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test sees the developer's NEWSLETTER_* variables or working folder."""
    for name in list(os.environ):
        if name.startswith("NEWSLETTER_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("NEWSLETTER_SECRET_KEY", SECRET)
    monkeypatch.chdir(tmp_path)


def write_config(folder: Path, extra: str = "") -> Path:
    """A config file using a SQLite file and an outbox inside ``folder``."""
    path = folder / "newsletter.toml"
    path.write_text(
        f"""
[database]
url = "sqlite:///{folder / "newsletter.db"}"

[sending]
outbox_dir = "{folder / "outbox"}"
from_address = "news@example.org"
from_name = "Örnek Kuruluş"

[organisation]
name = "Örnek Kuruluş"
postal_address = "Atatürk Bulvarı 1, 06420 Çankaya, Ankara, Türkiye"
website = "https://example.org"

[public]
base_url = "https://news.example.org"

[subscribers]
folder = "{folder / "subscribers"}"
{extra}
""",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    return write_config(tmp_path)


@pytest.fixture
def config(config_path: Path) -> Config:
    return load_config(config_path)


@pytest.fixture
def engine(config: Config) -> Iterator[Engine]:
    eng = db.make_engine(config)
    db.upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with db.session_scope(engine) as s:
        yield s


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def cli(config_path: Path, engine: Engine):
    """Run `newsletter --config <tmp config> ARGS...` in-process; returns exit code and output."""
    from newsletter.cli.main import app

    runner = CliRunner()

    def invoke(*args: str, input: str | None = None) -> CliResult:
        result = runner.invoke(app, ["--config", str(config_path), *args], input=input)
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return CliResult(result.exit_code, result.stdout, result.stderr)

    return invoke
