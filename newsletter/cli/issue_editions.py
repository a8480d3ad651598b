"""`newsletter issues translate|editions`: other language editions of an issue, and what each
one has translated or lost against the issue's own language. Registered on the `issues` group by
cli/issues.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from newsletter.cli.common import JSON_OPTION, print_json, state
from newsletter.cli.issue_blocks import ISSUE, current_actor, given_fields, read_option_file
from newsletter.compose import edition_gaps, editions
from newsletter.core.clock import utcnow
from newsletter.core.errors import UserError


def translate(
    issue_id: int = ISSUE,
    language: str = typer.Argument(..., metavar="LANGUAGE", help="Language code, e.g. tr."),
    title: str | None = typer.Option(None, help="Title in that language."),
    subject: str | None = typer.Option(None, help="Subject line in that language."),
    preheader: str | None = typer.Option(None, help="Preview text in that language."),
    intro: str | None = typer.Option(None, help="Introduction (Markdown) in that language."),
    intro_file: Path | None = typer.Option(None, help="Read the introduction from a file."),
    heading: list[str] = typer.Option(
        [], metavar="N=TEXT", help="Heading of section N in that language (repeatable)."
    ),
    greeting: str | None = typer.Option(
        None,
        help="The edition's own greeting, {name} for the reader's name ('' for none; "
        "default: the theme's, gender-neutral in Arabic).",
    ),
    untranslated_note: bool | None = typer.Option(
        None,
        "--untranslated-note/--no-untranslated-note",
        help="Say above each block shown in another language that it is not translated.",
    ),
    allow_fallback: bool | None = typer.Option(
        None,
        "--allow-fallback/--no-allow-fallback",
        help="Let the edition show blocks and texts it has no translation of, in the issue's "
        "own language: 'check' then warns instead of failing.",
    ),
    remove: bool = typer.Option(False, help="Drop this language edition."),
) -> None:
    """Add or change another language's edition; blocks use their translations."""
    st = state()
    with st.session() as session:
        if remove:
            editions.drop(session, issue_id, language, current_actor(), utcnow())
            typer.echo(f"Issue {issue_id}: {language} edition removed.")
            return
        intro_text = read_option_file(intro_file, "--intro-file") if intro_file else intro
        fields = given_fields(title=title, subject=subject, preheader=preheader, intro=intro_text)
        if greeting is not None:
            fields["greeting"] = greeting
        if untranslated_note is not None:
            fields["untranslated_note"] = untranslated_note
        if allow_fallback is not None:
            fields["allow_fallback"] = allow_fallback
        editions.translate(
            session, issue_id, language, fields, _headings(heading), current_actor(), utcnow()
        )
    typer.echo(f"Issue {issue_id}: {language} edition updated.")


def _headings(given: list[str]) -> dict[int, str]:
    out = {}
    for item in given:
        number, sep, text = item.partition("=")
        if not sep or not number.strip().isdigit() or not text.strip():
            raise UserError(f"--heading {item!r}: write it as N=TEXT, e.g. 1=Ekonomik kalkınma")
        out[int(number)] = text.strip()
    return out


def editions_(issue_id: int = ISSUE, as_json: bool = JSON_OPTION) -> None:
    """Per language edition: which blocks are translated, and what each translation lost
    (images, links, fields) against the block in the issue's own language."""
    with state().session() as session:
        data = edition_gaps.report(session, issue_id)
    if as_json:
        print_json(data)
        return
    for line in _edition_lines(data):
        typer.echo(line)


def _edition_lines(data: dict[str, Any]) -> list[str]:
    issue, own, found = data["issue_id"], data["language"], data["editions"]
    if not found:
        return [
            f"Issue {issue} ({own}) has no other language editions: "
            f"add one with 'issues translate {issue} LANGUAGE'"
        ]
    lines = [f"Issue {issue} ({own}): {len(found)} other edition{'s' * (len(found) != 1)}"]
    for e in found:
        fallback = (
            "fallback allowed (untranslated blocks are warnings)"
            if e["allow_fallback"]
            else "fallback not allowed (untranslated blocks are errors)"
        )
        total = e["translated"] + e["untranslated"]
        lines.append(f"{e['language']}: {e['translated']} of {total} blocks translated; {fallback}")
        if e["missing_texts"]:
            lines.append(f"  not translated: {', '.join(e['missing_texts'])}")
        for b in e["blocks"]:
            head = f'  {b["section"]}. {b["block_id"]:>5} "{b["title"]}"'
            if not b["translated"]:
                lines.append(f"{head}: not translated (shown in {own})")
                continue
            lost = f", lost: {', '.join(b['lost'])}" if b["lost"] else ""
            draft = "" if b["shown_status"] == "ready" else f" [{b['shown_status']}]"
            lines.append(f"{head} -> block {b['shown_block_id']}{draft}{lost}")
    return lines
