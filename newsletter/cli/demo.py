"""`newsletter demo`: try the whole tool in one command, without a mail server."""

from __future__ import annotations

from pathlib import Path

import typer

from newsletter.core.clock import utcnow


def demo(
    folder: Path = typer.Option(Path("demo"), "--folder", help="Folder for the demo's files."),
    recipients: int = typer.Option(24, help="How many fictitious subscribers to send to."),
    fresh: bool = typer.Option(False, "--fresh", help="Remove an earlier demo in the folder."),
) -> None:
    """Import sample blocks, compose and approve an issue, and send it to the outbox folder."""
    from newsletter.demo import run_demo

    result = run_demo(folder, utcnow, recipients=recipients, fresh=fresh)
    typer.echo(f"config:      {result.config_file}")
    typer.echo(f"blocks:      {result.blocks} imported from the sample bulletin and marked ready")
    typer.echo(f"subscribers: {result.subscribers} fictitious people on the list monthly-update")
    typer.echo(f"issue:       #{result.issue_id}, {result.status}")
    typer.echo(f"sent:        {result.sent} messages written to {result.outbox}/")
    typer.echo(f"preview:     {result.preview.html.resolve()}")
    typer.echo(f"             {result.preview.text.resolve()}")
    typer.echo(f"Next: cd {folder} && newsletter issues report {result.issue_id}")


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
