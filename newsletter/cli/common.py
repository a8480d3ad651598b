"""What every CLI command shares: the loaded config, the database, JSON output, errors.

Kept light on purpose: `newsletter.cli.main` imports this module for every invocation, even
`newsletter --help`, so the config loader (pydantic), the database (SQLAlchemy, SQLModel) and
Rich are imported only when a command first needs them.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from newsletter.core.errors import UserError

if TYPE_CHECKING:
    from rich.console import Console
    from sqlalchemy.engine import Engine
    from sqlmodel import Session

    from newsletter.core.config import Config

    console: Console
    err_console: Console


def __getattr__(name: str) -> Any:
    """`console` and `err_console`, made on first use so importing this module skips Rich."""
    if name in ("console", "err_console"):
        from rich.console import Console

        value = Console(stderr=name == "err_console")
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class UserErrorGroup(typer.core.TyperGroup):
    """Turns a UserError anywhere below into one line on stderr and exit code 1."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except UserError as exc:
            typer.echo(f"Error: {exc}", err=True)
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            typer.echo("interrupted", err=True)
            raise typer.Exit(130) from None


@dataclass
class AppState:
    config_path: Path | None = None
    verbose: bool = False
    _engine: Engine | None = field(default=None, repr=False)

    @cached_property
    def config(self) -> Config:
        from newsletter.core.config import load_config

        return load_config(self.config_path)

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            from newsletter.core.db import open_database

            self._engine = open_database(self.config)
        return self._engine

    @contextmanager
    def session(self) -> Iterator[Session]:
        from newsletter.core.db import session_scope

        with session_scope(self.engine) as session:
            yield session


_STATE: AppState | None = None


def set_state(new: AppState) -> None:
    global _STATE
    _STATE = new


def state() -> AppState:
    """The state set up by the root command's callback for this invocation."""
    global _STATE
    if _STATE is None:
        _STATE = AppState()
    return _STATE


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "model_dump"):
        return value.model_dump()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def print_json(data: Any) -> None:
    """Machine-readable output for --json: UTF-8, not ASCII-escaped, dates as ISO 8601."""
    sys.stdout.write(json.dumps(data, default=_default, ensure_ascii=False, indent=2) + "\n")


JSON_OPTION = typer.Option(False, "--json", help="Print JSON for scripts instead of a table.")


def new_app(help_text: str) -> typer.Typer:
    return typer.Typer(help=help_text, no_args_is_help=True, rich_markup_mode=None)
