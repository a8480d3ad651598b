"""`newsletter issues compose|add|override|move|remove|section`: the blocks of an issue.

Also the small helpers every `issues` command shares. ``register`` adds the commands to the
`issues` app (``cli/issues.py``), so they sit next to `new` and `edit` in `--help`.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import typer

from newsletter.cli.common import state
from newsletter.compose import period, placements
from newsletter.compose.issue_content import sections
from newsletter.core.clock import utcnow
from newsletter.core.errors import UserError

ISSUE = typer.Argument(..., metavar="ISSUE", help="Issue id (see 'newsletter issues list').")
NOTE = typer.Option("", "--note", help="A note kept in the issue's history.")


def current_actor() -> str:
    configured = state().config.library.editor
    if configured:
        return configured
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return os.environ.get("USER", "cli")


def parse_date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UserError(f"{option} {value!r}: not a date (use YYYY-MM-DD)") from None


def read_option_file(path: Path | None, option: str) -> str | None:
    if path is None:
        return None
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{option} {path}: cannot read it ({exc})") from None


def given_fields(**given: Any) -> dict[str, Any]:
    return {k: v for k, v in given.items() if v is not None}


_COMMANDS: list[tuple[str, Callable[..., None]]] = []


def _command(name: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    def keep(fn: Callable[..., None]) -> Callable[..., None]:
        _COMMANDS.append((name, fn))
        return fn

    return keep


def register(app: typer.Typer) -> None:
    for name, fn in _COMMANDS:
        app.command(name)(fn)


@_command("compose")
def compose(
    issue_id: int = ISSUE,
    start: str = typer.Option(..., "--from", help="First day of the period, YYYY-MM-DD."),
    end: str = typer.Option(..., "--to", help="Last day of the period, YYYY-MM-DD."),
) -> None:
    """Add every ready block of a period, grouped by programme area, in date order.

    Then says how many ready blocks it left out and why: no date (give one with 'blocks edit ID
    --date'), another language than the issue's, or already in an issue that was sent.
    """
    first, last = parse_date(start, "--from"), parse_date(end, "--to")
    assert first is not None and last is not None
    st = state()
    with st.session() as session:
        added = period.compose(
            session, st.config, issue_id, first, last, current_actor(), utcnow()
        )
        headings = {s.id: s.heading for s in sections(session, issue_id)}
        counts: dict[str, int] = {}
        for placement in added:
            heading = headings[placement.section_id]
            counts[heading] = counts.get(heading, 0) + 1
        missing = period.left_out(session, issue_id, first, last)
    if not added:
        typer.echo(f"Issue {issue_id} already holds every ready block of {first} to {last}.")
    else:
        typer.echo(f"Added {len(added)} blocks to issue {issue_id}:")
        for heading, count in counts.items():
            typer.echo(f"  {heading}: {count}")
    if missing.total:
        ids = ", ".join(map(str, [*missing.no_date, *missing.other_language,
                                  *missing.already_used]))  # fmt: skip
        typer.echo(f"Left out {missing.total} ready block{'s' if missing.total != 1 else ''}: "
                   f"{period.describe_left_out(missing)} (blocks {ids}).")  # fmt: skip


@_command("add")
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
        added = placements.add_blocks(
            session,
            st.config,
            issue_id,
            block_ids,
            current_actor(),
            utcnow(),
            section=section,
            title=title,
            summary=summary,
            hide_image=hide_image,
        )
    typer.echo(f"Added {len(added)} block(s) to issue {issue_id}.")


@_command("override")
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
        placements.set_overrides(
            session,
            issue_id,
            block_id,
            current_actor(),
            utcnow(),
            title=title,
            summary=summary,
            hide_image=hide_image,
            clear=clear,
        )
    typer.echo(f"Block {block_id} in issue {issue_id} updated.")


@_command("move")
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
        placements.move_block(
            session,
            st.config,
            issue_id,
            block_id,
            current_actor(),
            utcnow(),
            section=section,
            position=position,
        )
    typer.echo(f"Moved block {block_id} in issue {issue_id}.")


@_command("remove")
def remove(
    issue_id: int = ISSUE,
    block_ids: list[int] = typer.Argument(..., metavar="BLOCK...", help="Block ids to take out."),
) -> None:
    """Take blocks out of an issue (they stay in the library)."""
    st = state()
    with st.session() as session:
        placements.remove_blocks(session, issue_id, block_ids, current_actor(), utcnow())
    typer.echo(f"Removed {len(block_ids)} block(s) from issue {issue_id}.")


@_command("section")
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
        placements.edit_section(
            session, issue_id, number, current_actor(), utcnow(), heading=heading, position=position
        )
    typer.echo(f"Section {number} of issue {issue_id} updated.")
