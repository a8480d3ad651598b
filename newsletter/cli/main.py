"""The `newsletter` command: a root group that imports a command's module only when it runs.

Each group lives in its own module and calls the services; importing them all costs about half
a second (SQLModel, the renderer, the sender...), which every invocation, even `--help`, used to
pay. Here the root group knows its commands from `COMMANDS` (name -> module, attribute, help):
`newsletter --help` lists them from that table, and `newsletter NAME ...` imports only the
modules that make NAME. `benchmarks/startup.py` measures the result.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, MutableMapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import typer

from newsletter import __version__
from newsletter.cli.common import AppState, UserErrorGroup, set_state

if TYPE_CHECKING:
    from typer._click import Command, HelpFormatter


class Entry(NamedTuple):
    module: str
    # "app": the module's Typer group, added under the command's name; "register": the module's
    # register(app) adds the command (with its other root-level commands) to the app it is given.
    attribute: str
    # The first sentence of the command's help: `newsletter --help` shows it without importing.
    # tests/cli/test_startup.py checks it against the command's own help.
    help: str


# In the order `newsletter --help` lists them (as Typer did: commands first, then groups).
COMMANDS: dict[str, Entry] = {
    "init": Entry(
        "newsletter.cli.dbcmd",
        "register",
        "Create a config file (if none exists) and the database, ready to use.",
    ),
    "worker": Entry(
        "newsletter.cli.scheduling",
        "register",
        "Run the worker: sends scheduled issues at their time, resumes interrupted sends and "
        "sends confirmation emails.",
    ),
    "status": Entry(
        "newsletter.cli.scheduling",
        "register",
        "Show scheduled issues (local times), sends in progress with counts and rate, paused and "
        "missed issues, the workers, and the last errors and warnings.",
    ),
    "serve": Entry(
        "newsletter.cli.serve",
        "register",
        "Serve the public web pages until interrupted (Ctrl-C).",
    ),
    "demo": Entry(
        "newsletter.cli.demo",
        "register",
        "Import sample blocks, compose and approve an issue, and send it to the outbox folder.",
    ),
    "db": Entry("newsletter.cli.dbcmd", "register", "Create and migrate the database."),
    "blocks": Entry(
        "newsletter.cli.blocks",
        "app",
        "The library of update blocks: add, find, edit, import and archive stories for issues.",
    ),
    "issues": Entry(
        "newsletter.cli.issues",
        "app",
        "Compose issues from library blocks, review, preview and check them.",
    ),
    "lists": Entry(
        "newsletter.cli.lists",
        "app",
        "Mailing lists: who can join them and how (single or double opt-in).",
    ),
    "subscribers": Entry(
        "newsletter.cli.subscribers",
        "app",
        "Subscribers: add, find, import and export them; answer data and erasure requests.",
    ),
    "confirmations": Entry(
        "newsletter.cli.delivery",
        "register",
        "Confirmation emails for double opt-in lists.",
    ),
    "bounces": Entry(
        "newsletter.cli.bounces",
        "app",
        "Bounces and complaints: import delivery status and feedback reports, list what they did.",
    ),
    "users": Entry(
        "newsletter.cli.users",
        "app",
        "Workspace users: add them, give them a role, disable them, set passwords.",
    ),
}

# Modules whose register(app) also adds commands to a group defined elsewhere: they are
# registered, in this order (the order `issues --help` lists their commands), before the group
# is built.
EXTENDS: dict[str, tuple[str, ...]] = {
    "issues": ("newsletter.cli.delivery", "newsletter.cli.scheduling"),
}

# Module path -> the Typer app its commands were registered into. A module registers once per
# process: register() also adds commands to other modules' groups, which must not repeat.
_STAGED: dict[str, typer.Typer] = {}


def _no_options() -> None:
    """Callback of a staging app: makes Typer build a group of it, however few commands."""


def staged_app(module_path: str, attribute: str, name: str) -> typer.Typer:
    """The app holding the root-level commands of MODULE_PATH, imported and registered once."""
    staged = _STAGED.get(module_path)
    if staged is None:
        module = importlib.import_module(module_path)
        # rich_markup_mode=None as on the root app, which Typer passed down to its commands.
        staged = typer.Typer(rich_markup_mode=None, add_completion=False)
        staged.callback()(_no_options)
        if attribute == "register":
            module.register(staged)
        else:
            staged.add_typer(getattr(module, attribute), name=name)
        _STAGED[module_path] = staged
    return staged


def load_command(name: str) -> Command:
    """The click command or group NAME, importing only the modules that make it."""
    entry = COMMANDS[name]
    for extender in EXTENDS.get(name, ()):
        staged_app(extender, "register", name)
    staged = staged_app(entry.module, entry.attribute, name)
    return typer.main.get_command(staged).commands[name]  # type: ignore[attr-defined]


def short_help(name: str, limit: int) -> str:
    """NAME's line in `newsletter --help`: a placeholder command (cheap, nothing imported)
    shortens the table's help to LIMIT characters exactly as the real command would its own."""
    return typer.core.TyperCommand(name, help=COMMANDS[name].help).get_short_help_str(limit)


class LazyCommands(MutableMapping[str, "Command"]):
    """The root group's commands: every name of `COMMANDS`, each loaded on first lookup."""

    def __init__(self) -> None:
        self._loaded: dict[str, Command] = {}

    def __getitem__(self, name: str) -> Command:
        if name not in self._loaded:
            if name not in COMMANDS:
                raise KeyError(name)
            self._loaded[name] = load_command(name)
        return self._loaded[name]

    def __setitem__(self, name: str, command: Command) -> None:
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        del self._loaded[name]

    def __iter__(self) -> Iterator[str]:
        yield from COMMANDS
        yield from (name for name in self._loaded if name not in COMMANDS)

    def __len__(self) -> int:
        return len(COMMANDS) + sum(name not in COMMANDS for name in self._loaded)


class LazyGroup(UserErrorGroup):
    """The root group: looking a command up imports it (Typer's get_command and its "Did you
    mean" suggestions go through `self.commands`); listing and `--help` import nothing."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        eager, self.commands = self.commands, LazyCommands()
        self.commands.update(eager)  # any added to the root app directly, none today

    def _loaded_help(self, name: str, limit: int) -> str:
        return self.commands[name].get_short_help_str(limit)

    def list_commands(self, ctx: typer.Context) -> list[str]:
        return list(self.commands)  # the names only: TyperGroup's version loads every command

    def format_commands(self, ctx: typer.Context, formatter: HelpFormatter) -> None:
        # TyperGroup.format_commands, with the table's help in place of the loaded commands'.
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = [
            (name, short_help(name, limit) if name in COMMANDS else self._loaded_help(name, limit))
            for name in names
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


app = typer.Typer(
    name="newsletter",
    help="Write update blocks, compose them into issues, and send them to subscribers.",
    cls=LazyGroup,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"newsletter {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    config: Path | None = typer.Option(
        None,
        "--config",
        "-c",
        help="Config file (default: $NEWSLETTER_CONFIG, else ./newsletter.toml).",
    ),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="More detail in logs."),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    set_state(AppState(config_path=config, verbose=verbose))


def run() -> None:
    app()
