"""The wheel carries the migrations and templates, and an installed wheel creates its database."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
         "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return next(out.glob("newsletter-*.whl"))


def test_wheel_ships_migrations_templates_and_example_config(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "newsletter/core/migrations/env.py" in names
    assert "newsletter/core/migrations/versions/0001_initial_schema.py" in names
    assert "newsletter/data/config.example.toml" in names
    templates = {n for n in names if n.startswith("newsletter_templates/")}
    repo_templates = {
        "newsletter_templates/" + p.relative_to(ROOT / "templates").as_posix()
        for p in (ROOT / "templates").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert repo_templates <= templates, sorted(repo_templates - templates)


def test_installed_wheel_initialises_a_database(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target),
         str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    work = tmp_path / "work"
    work.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target)}
    result = subprocess.run(
        [sys.executable, "-c",
         "import newsletter, sys; print(newsletter.__file__);"
         "from newsletter.cli.main import run; sys.argv=['newsletter','init']; run()"],
        cwd=work, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].startswith(str(target))
    assert "database ready" in result.stdout
    assert (work / "newsletter.db").is_file()
