"""`newsletter issues …`: compose issues from blocks, review them, preview and check them.

Commands only parse input, call the compose services (``newsletter.compose``) and print.
The delivery and scheduling capabilities add their commands (send, schedule…) to this ``app``.
"""

from __future__ import annotations

import webbrowser
from pathlib import Path
from typing import Any

import typer

from newsletter.cli import issue_blocks, issue_editions
from newsletter.cli.common import JSON_OPTION, new_app, print_json, state
from newsletter.cli.issue_blocks import (
    ISSUE,
    NOTE,
    current_actor,
    given_fields,
    parse_date,
    read_option_file,
)
from newsletter.compose import issue_checks, issues
from newsletter.compose.preview import write_preview
from newsletter.core.clock import utcnow
from newsletter.core.errors import UserError
from newsletter.core.models import ISSUE_STATUSES
from newsletter.rendering import checks
from newsletter.rendering.sample import SAMPLE_NAME

app = new_app("Compose issues from library blocks, review, preview and check them.")


@app.command("new")
def new(
    title: str = typer.Argument(
        ..., metavar="TITLE", help="Working title, shown at the top of the email."
    ),
    subject: str | None = typer.Option(None, help="Subject line."),
    preheader: str | None = typer.Option(None, help="Preview text shown after the subject."),
    intro: str | None = typer.Option(None, help="Introduction (Markdown)."),
    intro_file: Path | None = typer.Option(None, help="Read the introduction from a file."),
    issue_date: str | None = typer.Option(None, "--date", help="Issue date, YYYY-MM-DD."),
    language: str | None = typer.Option(None, help="Language code (default: library's)."),
    theme: str | None = typer.Option(None, help="Email theme (default: rendering.theme)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Create a draft issue."""
    fields = given_fields(
        subject=subject,
        preheader=preheader,
        language=language,
        theme=theme,
        intro=read_option_file(intro_file, "--intro-file") if intro_file else intro,
        issue_date=parse_date(issue_date, "--date"),
    )
    st = state()
    with st.session() as session:
        issue = issues.create(
            session, st.config, title=title, now=utcnow(), author=current_actor(), **fields
        )
        data = issue.model_dump()
    if as_json:
        print_json(data)
    else:
        typer.echo(f"Created issue {data['id']} ({data['status']}): {data['title']}")


@app.command("edit")
def edit(
    issue_id: int = ISSUE,
    title: str | None = typer.Option(None, help="New title."),
    subject: str | None = typer.Option(None, help="New subject line."),
    preheader: str | None = typer.Option(None, help="New preview text."),
    intro: str | None = typer.Option(None, help="New introduction (Markdown)."),
    intro_file: Path | None = typer.Option(None, help="Read the introduction from a file."),
    issue_date: str | None = typer.Option(None, "--date", help="Issue date, YYYY-MM-DD."),
    language: str | None = typer.Option(None, help="Language code."),
    theme: str | None = typer.Option(None, help="Email theme."),
) -> None:
    """Change an issue's fields. An issue in review or approved goes back to draft."""
    fields = given_fields(
        title=title,
        subject=subject,
        preheader=preheader,
        language=language,
        theme=theme,
        intro=read_option_file(intro_file, "--intro-file") if intro_file else intro,
        issue_date=parse_date(issue_date, "--date"),
    )
    if not fields:
        raise UserError("nothing to change: give at least one option (see --help)")
    st = state()
    with st.session() as session:
        issue = issues.edit(session, st.config, issue_id, fields, current_actor(), utcnow())
        typer.echo(f"Issue {issue_id} updated ({issue.status}): {', '.join(sorted(fields))}")


app.command("translate")(issue_editions.translate)
issue_blocks.register(app)


@app.command("show")
def show(issue_id: int = ISSUE, as_json: bool = JSON_OPTION) -> None:
    """Show an issue: fields, sections and blocks, history."""
    with state().session() as session:
        data = issues.describe(session, issue_id)
    if as_json:
        print_json(data)
        return
    for line in _show_lines(data):
        typer.echo(line)


def _show_lines(d: dict[str, Any]) -> list[str]:
    period = f"{d['period_start']} to {d['period_end']}" if d["period_start"] else "-"
    lines = [
        f"Issue {d['id']}: {d['title']}  [{d['status']}]",
        f"Subject:   {d['subject'] or '(none)'}",
        f"Preheader: {d['preheader'] or '(none)'}",
        f"Language: {d['language']}  Theme: {d['theme']}  Date: {d['issue_date'] or '-'}  "
        f"Period: {period}",
    ]
    if d["translations"]:
        lines.append(f"Other editions: {', '.join(sorted(d['translations']))}")
    lines.append("")
    for s in d["sections"]:
        lines.append(f"{s['number']}. {s['heading']}")
        for b in s["blocks"]:
            flags = [
                f
                for f, on in (
                    ("title overridden", b["title_override"]),
                    ("summary overridden", b["summary_override"]),
                    ("image hidden", b["hide_image"]),
                )
                if on
            ]
            extra = f"  ({', '.join(flags)})" if flags else ""
            ready = "" if b["status"] == "ready" else f"  [{b['status']}]"
            lines.append(f"   - {b['block_id']:>5} {b['kind']:<12} {b['title']}{ready}{extra}")
    if not d["sections"]:
        lines.append("(no blocks yet: use 'issues compose' or 'issues add')")
    lines.append("")
    lines.append("History:")
    for e in d["events"]:
        step = f"{e['from_status']} -> {e['to_status']}" if e["from_status"] else e["to_status"]
        note = f": {e['note']}" if e["note"] else ""
        lines.append(f"  {e['at']:%Y-%m-%d %H:%M} UTC  {step} by {e['actor'] or '?'}{note}")
    return lines


@app.command("list")
def list_(
    status: str | None = typer.Option(None, help="Only issues in this status."),
    as_json: bool = JSON_OPTION,
) -> None:
    """List issues, newest first."""
    if status is not None and status not in ISSUE_STATUSES:
        raise UserError(f"--status {status!r}: choose one of {', '.join(ISSUE_STATUSES)}")
    with state().session() as session:
        rows = [i.model_dump() for i in issues.list_issues(session)]
    rows = [r for r in rows if status is None or r["status"] == status]
    if as_json:
        print_json(rows)
        return
    if not rows:
        typer.echo("No issues.")
    for r in rows:
        typer.echo(
            f"{r['id']:>4}  {r['status']:<10} {r['language']:<3} "
            f"{str(r['issue_date'] or '-'):<10}  {r['title']}"
        )


def _transition_command(name: str, doc: str) -> None:
    def command(issue_id: int = ISSUE, note: str = NOTE, as_json: bool = JSON_OPTION) -> None:
        st = state()
        with st.session() as session:
            if name == "approve":
                issue = issues.approve(
                    session, st.config, issue_id, current_actor(), utcnow(), note
                )
            elif name == "submit":
                issue = issues.submit(session, issue_id, current_actor(), utcnow(), note)
            else:
                issue = issues.reject(session, issue_id, current_actor(), utcnow(), note)
            data = issue.model_dump()
        if as_json:
            print_json(data)
        else:
            typer.echo(f"Issue {issue_id} is now {data['status']}.")

    command.__doc__ = doc
    app.command(name)(command)


_transition_command("submit", "Send a draft for review.")
_transition_command("approve", "Approve an issue in review (refused while 'check' has errors).")
_transition_command("reject", "Send an issue in review or approved back to draft.")


app.command("editions")(issue_editions.editions_)


@app.command("check")
def check(issue_id: int = ISSUE, as_json: bool = JSON_OPTION) -> None:
    """Run the pre-send checks; exits with status 1 when any check is an error."""
    st = state()
    with st.session() as session:
        findings = issue_checks.check_issue(session, st.config, issue_id)
    errors = checks.errors_of(findings)
    if as_json:
        print_json([f.to_dict() for f in findings])
    else:
        for f in findings:
            typer.echo(f"{f.severity.upper():<7} {f.id:<20} {f.message}")
        warnings = len(findings) - len(errors)
        typer.echo(f"{len(errors)} error(s), {warnings} warning(s).")
    if errors:
        raise typer.Exit(1)


@app.command("preview")
def preview(
    issue_id: int = ISSUE,
    out: Path = typer.Option(Path("preview"), help="Folder to write the files to."),
    open_browser: bool = typer.Option(False, "--open", help="Open the HTML in a browser."),
    name: str = typer.Option(SAMPLE_NAME, help="Sample recipient's name ('' for none)."),
    language: str | None = typer.Option(None, help="Another language edition (see 'translate')."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Write the HTML and text versions, as a sample recipient gets them, and print the paths."""
    st = state()
    with st.session() as session:
        files = write_preview(session, st.config, issue_id, out, name=name, language=language)
    html_path = files.html
    if as_json:
        print_json({"html": str(files.html.resolve()), "text": str(files.text.resolve())})
    else:
        typer.echo(str(files.html.resolve()))
        typer.echo(str(files.text.resolve()))
    if open_browser:
        webbrowser.open(html_path.resolve().as_uri())
