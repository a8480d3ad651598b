"""The `newsletter` command: each group lives in its own module and calls the services."""

from __future__ import annotations

from pathlib import Path

import typer

from newsletter import __version__
from newsletter.cli import (
    blocks,
    dbcmd,
    delivery,
    demo,
    issues,
    lists,
    scheduling,
    serve,
    subscribers,
)
from newsletter.cli.common import AppState, UserErrorGroup, set_state

app = typer.Typer(
    name="newsletter",
    help="Write update blocks, compose them into issues, and send them to subscribers.",
    cls=UserErrorGroup,
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


dbcmd.register(app)
app.add_typer(blocks.app, name="blocks")
app.add_typer(issues.app, name="issues")
app.add_typer(lists.app, name="lists")
app.add_typer(subscribers.app, name="subscribers")
delivery.register(app)
scheduling.register(app)
serve.register(app)
demo.register(app)


def run() -> None:
    app()
