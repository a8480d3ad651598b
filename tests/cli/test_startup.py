"""Fast start-up: the root group lists its commands from a table and imports each one lazily.

Timing is measured by benchmarks/startup.py; these tests check what makes it fast (which modules
a start imports) and that the table agrees with the commands it stands for.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from newsletter.cli.main import COMMANDS, app, load_command, short_help, staged_app

# What `newsletter --help` lists, in order; written out so that losing one from the table fails.
ROOT_COMMANDS = [
    "init", "worker", "status", "serve", "demo",
    "db", "blocks", "issues", "lists", "subscribers", "confirmations", "bounces", "users",
]  # fmt: skip
GROUPS = ["db", "blocks", "issues", "lists", "subscribers", "confirmations", "bounces", "users"]
HEAVY = {"sqlalchemy", "sqlmodel", "alembic", "fastapi", "mjml", "rich", "pydantic", "jinja2"}
LIGHT_OWN = {"newsletter.cli", "newsletter.cli.main", "newsletter.cli.common", "newsletter.core",
             "newsletter.core.errors"}  # fmt: skip


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """A fresh interpreter running ARGS (e.g. "-m", "newsletter", "--help")."""
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, capture_output=True, text=True, env={**os.environ},
        timeout=60,
    )  # fmt: skip


def test_help_lists_every_command_with_its_help(tmp_path: Path) -> None:
    result = run("-m", "newsletter", "--help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.split("\nCommands:\n", 1)[1].splitlines()
    assert [line.split()[0] for line in lines] == ROOT_COMMANDS
    for line in lines:
        name, shown = line.split(None, 1)
        assert len(shown) > 20 and shown.removesuffix("...") in COMMANDS[name].help, line


def test_help_and_version_import_no_capability(tmp_path: Path) -> None:
    code = """
import json, sys
from newsletter.cli.main import run
loaded = [sorted(sys.modules)]
for args in (["--help"], ["--version"], []):
    sys.argv = ["newsletter", *args]
    try:
        run()
    except SystemExit:
        pass
    loaded.append(sorted(sys.modules))
print(json.dumps(loaded))
"""
    result = run("-c", code, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    for modules in json.loads(result.stdout.splitlines()[-1]):
        assert not {name.split(".")[0] for name in modules} & HEAVY
        assert {name for name in modules if name.startswith("newsletter.")} <= LIGHT_OWN


def test_a_command_imports_only_its_own_modules(tmp_path: Path) -> None:
    code = """
import sys
from newsletter.cli.main import load_command
load_command("lists")
print(" ".join(sorted(m for m in sys.modules if m.startswith("newsletter.cli."))))
"""
    result = run("-c", code, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "newsletter.cli.common", "newsletter.cli.lists", "newsletter.cli.main",
    ]  # fmt: skip


@pytest.mark.parametrize("name", ROOT_COMMANDS)
def test_table_help_is_the_commands_own(name: str) -> None:
    command = load_command(name)
    assert command.name == name
    for limit in range(20, 200, 9):
        assert short_help(name, limit) == command.get_short_help_str(limit)


def test_table_names_every_root_command_a_module_registers() -> None:
    """A command added by a module's register() but missing from the table is unreachable."""
    for name, entry in COMMANDS.items():
        provided = typer.main.get_command(staged_app(entry.module, entry.attribute, name))
        names = {other for other, e in COMMANDS.items() if e.module == entry.module}
        assert set(provided.commands) == names, entry.module


def test_a_group_loaded_first_has_all_its_commands(tmp_path: Path) -> None:
    """A module that adds commands to another's group (delivery and scheduling add to `issues`)
    must be in EXTENDS: else the group, when it is the first thing a process loads, lacks them."""
    expected = {name: sorted(load_command(name).commands) for name in GROUPS}
    code = """
import json, sys
from newsletter.cli.main import load_command
print(json.dumps(sorted(load_command(sys.argv[1]).commands)))
"""
    processes = {
        name: subprocess.Popen(
            [sys.executable, "-c", code, name],
            cwd=tmp_path,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for name in GROUPS
    }
    for name, process in processes.items():
        out, err = process.communicate(timeout=60)
        assert process.returncode == 0, err
        assert json.loads(out) == expected[name], name
    assert {"send", "report", "schedule", "compose"} <= set(expected["issues"])


def test_unknown_commands_still_get_suggestions() -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["isues"])
    assert result.exit_code == 2
    assert "No such command 'isues'. Did you mean 'issues', 'lists'?" in result.stderr
    result = runner.invoke(app, ["issues", "sned"])
    assert result.exit_code == 2
    assert "No such command 'sned'. Did you mean 'send'?" in result.stderr


def test_root_commands_from_register_run_in_a_fresh_process(tmp_path: Path) -> None:
    assert run("-m", "newsletter", "init", cwd=tmp_path).returncode == 0
    result = run("-m", "newsletter", "confirmations", "send", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, "0 confirmation email(s) sent.\n"), result
    result = run("-m", "newsletter", "db", "upgrade", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.startswith("schema "), result


def test_lazily_loaded_command_errors_are_one_line(tmp_path: Path) -> None:
    (tmp_path / "newsletter.toml").write_text('[smtp]\nport = "x"\n')
    result = run("-m", "newsletter", "status", cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and "smtp.port" in lines[0]
