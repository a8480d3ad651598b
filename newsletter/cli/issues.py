"""`newsletter issues …`: compose issues from blocks, review them, preview and check them.

Commands only parse input, call ``newsletter.issues`` / ``checks`` / ``render`` and print.
The delivery and scheduling capabilities add their commands (send, schedule…) to this ``app``.
"""

from __future__ import annotations

import getpass
import os
import webbrowser
from datetime import date
from pathlib import Path
from typing import Any

import typer

from newsletter import checks, issues
from newsletter.cli.common import JSON_OPTION, new_app, print_json, state
from newsletter.clock import utcnow
from newsletter.errors import UserError
from newsletter.issue_view import load_view
from newsletter.personalise import PersonalFields, archive_url, compile_parts
from newsletter.render import render_issue

app = new_app("Compose issues from library blocks, review, preview and check them.")

ISSUE = typer.Argument(..., metavar="ISSUE", help="Issue id (see 'newsletter issues list').")
NOTE = typer.Option("", "--note", help="A note kept in the issue's history.")


def _actor() -> str:
    configured = state().config.library.editor
    if configured:
        return configured
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return os.environ.get("USER", "cli")


def _date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UserError(f"{option} {value!r}: not a date (use YYYY-MM-DD)") from None


def _read(path: Path | None, option: str) -> str | None:
    if path is None:
        return None
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{option} {path}: cannot read it ({exc})") from None


def _fields(**given: Any) -> dict[str, Any]:
    return {k: v for k, v in given.items() if v is not None}


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
    fields = _fields(
        subject=subject,
        preheader=preheader,
        language=language,
        theme=theme,
        intro=_read(intro_file, "--intro-file") if intro_file else intro,
        issue_date=_date(issue_date, "--date"),
    )
    st = state()
    with st.session() as session:
        issue = issues.create(
            session, st.config, title=title, now=utcnow(), author=_actor(), **fields
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
    fields = _fields(
        title=title,
        subject=subject,
        preheader=preheader,
        language=language,
        theme=theme,
        intro=_read(intro_file, "--intro-file") if intro_file else intro,
        issue_date=_date(issue_date, "--date"),
    )
    if not fields:
        raise UserError("nothing to change: give at least one option (see --help)")
    st = state()
    with st.session() as session:
        issue = issues.edit(session, st.config, issue_id, fields, _actor(), utcnow())
        typer.echo(f"Issue {issue_id} updated ({issue.status}): {', '.join(sorted(fields))}")


@app.command("compose")
def compose(
    issue_id: int = ISSUE,
    start: str = typer.Option(..., "--from", help="First day of the period, YYYY-MM-DD."),
    end: str = typer.Option(..., "--to", help="Last day of the period, YYYY-MM-DD."),
) -> None:
    """Add every ready block of a period, grouped by programme area, in date order."""
    first, last = _date(start, "--from"), _date(end, "--to")
    assert first is not None and last is not None
    st = state()
    with st.session() as session:
        added = issues.compose(session, st.config, issue_id, first, last, _actor(), utcnow())
        sections = {s.id: s.heading for s in issues.sections(session, issue_id)}
        counts: dict[str, int] = {}
        for placement in added:
            heading = sections[placement.section_id]
            counts[heading] = counts.get(heading, 0) + 1
    if not added:
        typer.echo(f"Issue {issue_id} already holds every ready block of {first} to {last}.")
        return
    typer.echo(f"Added {len(added)} blocks to issue {issue_id}:")
    for heading, count in counts.items():
        typer.echo(f"  {heading}: {count}")


@app.command("add")
def add(
    issue_id: int = ISSUE,
    block_ids: list[int] = typer.Argument(
        ..., metavar="BLOCK...", help="Block ids, in the order to add them."
    ),
    section: str | None = typer.Option(
        None, help="Section number or heading (default: the block's programme area)."
    ),
    title: str | None = typer.Option(None, help="Title for this issue only."),
    summary: str | None = typer.Option(None, help="Summary (Markdown) for this issue only."),
    hide_image: bool = typer.Option(False, help="Leave the block's image out of this issue."),
) -> None:
    """Place blocks in an issue (at the end of their section)."""
    st = state()
    with st.session() as session:
        added = issues.add_blocks(
            session,
            st.config,
            issue_id,
            block_ids,
            _actor(),
            utcnow(),
            section=section,
            title=title,
            summary=summary,
            hide_image=hide_image,
        )
    typer.echo(f"Added {len(added)} block(s) to issue {issue_id}.")


@app.command("override")
def override(
    issue_id: int = ISSUE,
    block_id: int = typer.Argument(..., metavar="BLOCK", help="Block id."),
    title: str | None = typer.Option(None, help="Title for this issue ('' restores)."),
    summary: str | None = typer.Option(None, help="Summary for this issue ('' restores)."),
    hide_image: bool | None = typer.Option(
        None, "--hide-image/--show-image", help="Leave out or show the block's image."
    ),
    clear: bool = typer.Option(False, help="Drop every override of this block first."),
) -> None:
    """Change how a placed block shows in this issue; the library block stays as it is."""
    st = state()
    with st.session() as session:
        issues.set_overrides(
            session,
            issue_id,
            block_id,
            _actor(),
            utcnow(),
            title=title,
            summary=summary,
            hide_image=hide_image,
            clear=clear,
        )
    typer.echo(f"Block {block_id} in issue {issue_id} updated.")


@app.command("move")
def move(
    issue_id: int = ISSUE,
    block_id: int = typer.Argument(..., metavar="BLOCK", help="Block id."),
    section: str | None = typer.Option(None, help="Target section number or heading."),
    position: int | None = typer.Option(None, help="Position in the section (1 = first)."),
) -> None:
    """Move a block to another section or position."""
    if section is None and position is None:
        raise UserError("give --section, --position or both")
    st = state()
    with st.session() as session:
        issues.move_block(
            session,
            st.config,
            issue_id,
            block_id,
            _actor(),
            utcnow(),
            section=section,
            position=position,
        )
    typer.echo(f"Moved block {block_id} in issue {issue_id}.")


@app.command("remove")
def remove(
    issue_id: int = ISSUE,
    block_ids: list[int] = typer.Argument(..., metavar="BLOCK...", help="Block ids to take out."),
) -> None:
    """Take blocks out of an issue (they stay in the library)."""
    st = state()
    with st.session() as session:
        issues.remove_blocks(session, issue_id, block_ids, _actor(), utcnow())
    typer.echo(f"Removed {len(block_ids)} block(s) from issue {issue_id}.")


@app.command("section")
def section(
    issue_id: int = ISSUE,
    number: int = typer.Argument(
        ..., metavar="N", help="Section number, as 'issues show' lists it."
    ),
    heading: str | None = typer.Option(None, help="New heading."),
    position: int | None = typer.Option(None, help="New position (1 = first)."),
) -> None:
    """Rename or reorder a section."""
    if heading is None and position is None:
        raise UserError("give --heading, --position or both")
    st = state()
    with st.session() as session:
        issues.edit_section(
            session, issue_id, number, _actor(), utcnow(), heading=heading, position=position
        )
    typer.echo(f"Section {number} of issue {issue_id} updated.")


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
        "",
    ]
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
            f"{r['issue_date'] or '':<10}  {r['title']}"
        )


def _transition_command(name: str, doc: str) -> None:
    def command(issue_id: int = ISSUE, note: str = NOTE) -> None:
        st = state()
        with st.session() as session:
            if name == "approve":
                issue = issues.approve(session, st.config, issue_id, _actor(), utcnow(), note)
            elif name == "submit":
                issue = issues.submit(session, issue_id, _actor(), utcnow(), note)
            else:
                issue = issues.reject(session, issue_id, _actor(), utcnow(), note)
            typer.echo(f"Issue {issue_id} is now {issue.status}.")

    command.__doc__ = doc
    app.command(name)(command)


_transition_command("submit", "Send a draft for review.")
_transition_command("approve", "Approve an issue in review (refused while 'check' has errors).")
_transition_command("reject", "Send an issue in review or approved back to draft.")


@app.command("check")
def check(issue_id: int = ISSUE, as_json: bool = JSON_OPTION) -> None:
    """Run the pre-send checks; exits with status 1 when any check is an error."""
    st = state()
    with st.session() as session:
        findings = checks.check_issue(session, st.config, issue_id)
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
    name: str = typer.Option("Ayşe Yılmaz", help="Sample recipient's name ('' for none)."),
) -> None:
    """Write the HTML and text versions, as a sample recipient gets them, and print the paths."""
    st = state()
    base = st.config.public.base_url.rstrip("/")
    with st.session() as session:
        frozen = issues.snapshots(session, issue_id)
        if frozen:  # what will be (or was) sent, not what the library holds now
            html, text = frozen[0].html, frozen[0].text
        else:
            rendered = render_issue(load_view(session, issue_id), st.config)
            html, text = rendered.html, rendered.text
    sample = PersonalFields(
        name=name,
        email="ayse.yilmaz@example.org",
        unsubscribe_url=f"{base}/unsubscribe/sample-token",
        preferences_url=f"{base}/preferences/sample-token",
        view_online_url=archive_url(base, issue_id),
    )
    html, text = compile_parts(html, text).fill(sample)
    try:
        out.mkdir(parents=True, exist_ok=True)
        html_path, text_path = out / f"issue-{issue_id}.html", out / f"issue-{issue_id}.txt"
        html_path.write_text(html, encoding="utf-8")
        text_path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UserError(f"--out {out}: cannot write the preview ({exc})") from None
    typer.echo(str(html_path.resolve()))
    typer.echo(str(text_path.resolve()))
    if open_browser:
        webbrowser.open(html_path.resolve().as_uri())
