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
    """Import sample blocks, compose and approve an issue, and send it to the outbox folder.

    Twelve stories of one month, a few translated: the issue has English, Turkish and Arabic
    editions, and each fictitious reader gets theirs.
    """
    from newsletter.demo import run_demo

    result = run_demo(folder, utcnow, recipients=recipients, fresh=fresh)
    echo = typer.echo
    echo(f"config:       {result.config_file.resolve()}")
    echo(f"database:     {result.database}")
    echo(f"blocks:       {result.blocks} stories imported from the sample bulletin, marked ready;")
    echo(f"              {result.translated} of them also in Turkish and Arabic (translations)")
    echo(f"subscribers:  {result.subscribers} fictitious people on the list monthly-update")
    echo(f"issue:        #{result.issue_id}, {result.status}: {result.title}")
    echo(f"editions:     {', '.join(result.previews)}")
    echo(f"sent:         {result.sent} messages written to {result.outbox.resolve()}/")
    for language, files in result.previews.items():
        echo(f"preview ({language}): {files.html.resolve()}")
        echo(f"              {files.text.resolve()}")
    echo(f"Next: cd {folder} && newsletter issues report {result.issue_id}")
    echo(f"Workspace: cd {folder} && newsletter serve, then in a browser:")
    login = f"{result.base_url}/admin/login"
    for number, account in enumerate(result.accounts):
        told = (f"with password {account.password}" if account.password
                else "with the password it already had")  # fmt: skip
        lead = f"Sign in at {login} as" if number == 0 else "   or as"
        echo(f"{lead} {account.email} {told} ({account.role})")


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
