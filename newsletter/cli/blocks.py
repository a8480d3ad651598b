"""`newsletter blocks …`: the library of update blocks (stories) officers fill all month."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from newsletter.cli import block_options as opt
from newsletter.cli import blocks_import, blocks_output, blocks_partners
from newsletter.cli.common import JSON_OPTION, new_app, print_json, state
from newsletter.cli.editor import edit_fields, editor_command
from newsletter.core.clock import utcnow
from newsletter.core.errors import UserError
from newsletter.core.models import BLOCK_KINDS, BLOCK_STATUSES
from newsletter.library import block_files, blocks

app = new_app(
    "The library of update blocks: add, find, edit, import and archive stories for issues."
)
blocks_import.register(app)
app.add_typer(blocks_partners.app, name="partners")

BLOCK_ID = typer.Argument(
    ..., metavar="ID", help="The block's id (see 'newsletter blocks list').", min=1
)
BLOCK_IDS = typer.Argument(..., metavar="ID...", help="One or more block ids.", min=1)


def _hints() -> list[str]:
    library = state().config.library
    return [
        "Fill in the fields; the story goes below the closing --- line, in Markdown.",
        f"kind: {', '.join(BLOCK_KINDS)} | status: {', '.join(BLOCK_STATUSES)}",
        f"area: {', '.join(a.slug for a in library.areas)}",
        "Dates as YYYY-MM-DD; lists as [one, two]; image and link addresses start with https://",
    ]


def _editor() -> list[str]:
    return editor_command(state().config.library.editor)


@app.command("add")
def add(
    title: str | None = opt.TITLE,
    body: str | None = opt.BODY,
    summary: str | None = opt.SUMMARY,
    kind: str | None = opt.KIND,
    area: str | None = opt.AREA,
    tag: list[str] | None = opt.TAGS,
    place: list[str] | None = opt.PLACES,
    partner: list[str] | None = opt.PARTNERS,
    date_: str | None = opt.DATE,
    date_end: str | None = opt.DATE_END,
    image: str | None = opt.IMAGE,
    image_alt: str | None = opt.IMAGE_ALT,
    image_credit: str | None = opt.IMAGE_CREDIT,
    link: str | None = opt.LINK,
    link_label: str | None = opt.LINK_LABEL,
    language: str | None = opt.LANGUAGE,
    translation_group: str | None = opt.TRANSLATION,
    status: str | None = opt.STATUS,
    author: str | None = opt.AUTHOR,
    file: Path | None = typer.Option(
        None, "--file", "-f", help="A Markdown file with front matter (options override it)."
    ),
    editor: bool = typer.Option(False, "--editor", "-e", help="Write the block in $EDITOR."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Add a block from options, a Markdown file with front matter, or your editor.

    \b
    Examples:
      newsletter blocks add --title "Mobile clinic opens in Kilis" --area migration-health
      newsletter blocks add --file story.md
      newsletter blocks add --editor
    """
    fields = opt.given_fields(
        title=title, body=body, summary=summary, kind=kind, area=area, tag=tag, place=place,
        partner=partner, date=date_, date_end=date_end, image=image, image_alt=image_alt,
        image_credit=image_credit, link=link, link_label=link_label, language=language,
        translation_group=translation_group, status=status, author=author,
    )  # fmt: skip
    library = state().config.library
    if file is not None:
        matter = block_files.read_block_file(file)
        fields = {**block_files.checked_fields(matter, library, str(file)),
                  "body": matter.body, **fields}  # fmt: skip
    if editor:
        edited = edit_fields(block_files.render(fields, _hints()), _editor(), library)
        if edited is None:
            raise UserError("the file was left unchanged: no block added")
        fields = edited
    fields.setdefault("author", opt.current_user())
    with state().session() as session:
        block = blocks.create(session, library, fields, utcnow(), actor=_actor(),
                              media_base=_media_base())  # fmt: skip
    if as_json:
        print_json(blocks.to_json(block))
    else:
        typer.echo(f"added block {block.id}: {block.title} ({block.status})")


@app.command("list")
def list_(
    area: str | None = typer.Option(
        None, "--area", metavar="AREA", help="Only this programme area."
    ),
    tag: str | None = typer.Option(None, "--tag", metavar="TAG", help="Only blocks with this tag."),
    place: str | None = typer.Option(
        None,
        "--place",
        metavar="PLACE",
        help="Only blocks at this place (a province includes its districts).",
    ),
    status: list[str] | None = typer.Option(
        None,
        "--status",
        metavar="STATUS",
        help="draft, ready or archived (repeatable; default: draft and ready).",
    ),
    all_: bool = typer.Option(False, "--all", help="Include archived blocks."),
    language: str | None = typer.Option(
        None, "--language", metavar="CODE", help="Only this language."
    ),
    since: str | None = typer.Option(
        None, "--from", metavar="YYYY-MM-DD", help="Events on or after YYYY-MM-DD."
    ),
    until: str | None = typer.Option(
        None, "--to", metavar="YYYY-MM-DD", help="Events on or before YYYY-MM-DD."
    ),
    search: str | None = typer.Option(
        None,
        "--search",
        "-s",
        metavar="WORDS",
        help="Words in title, summary or body (any case, ş = s).",
    ),
    limit: int | None = typer.Option(
        None, "--limit", min=1, metavar="N", help="Show at most this many."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """List blocks, latest event first, filtered and searched."""
    statuses = list(BLOCK_STATUSES) if all_ else list(status or [])
    flt = blocks.BlockFilter(
        area=area, tag=tag, place=place, statuses=[_status(s) for s in statuses],
        language=language, date_from=_day("--from", since), date_to=_day("--to", until),
        search=search, limit=limit,
    )  # fmt: skip
    with state().session() as session:
        found = blocks.list_blocks(session, state().config.library, flt)
    if as_json:
        print_json([blocks.to_json(b) for b in found])
    else:
        blocks_output.table(found)


def _status(value: str) -> str:
    from newsletter.library.block_validation import check_status

    return check_status(value)


def _day(option: str, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UserError(f"{option}: {value!r} is not a date (write it as YYYY-MM-DD)") from None


@app.command("show")
def show(block_id: int = BLOCK_ID, as_json: bool = JSON_OPTION) -> None:
    """Show one block with all its fields."""
    with state().session() as session:
        block = blocks.get(session, block_id)
    if as_json:
        print_json(blocks.to_json(block))
    else:
        blocks_output.details(block, state().config.library)


@app.command("edit")
def edit(
    block_id: int = BLOCK_ID,
    title: str | None = opt.TITLE,
    body: str | None = opt.BODY,
    summary: str | None = opt.SUMMARY,
    kind: str | None = opt.KIND,
    area: str | None = opt.AREA,
    tag: list[str] | None = opt.TAGS,
    place: list[str] | None = opt.PLACES,
    partner: list[str] | None = opt.PARTNERS,
    date_: str | None = opt.DATE,
    date_end: str | None = opt.DATE_END,
    image: str | None = opt.IMAGE,
    image_alt: str | None = opt.IMAGE_ALT,
    image_credit: str | None = opt.IMAGE_CREDIT,
    link: str | None = opt.LINK,
    link_label: str | None = opt.LINK_LABEL,
    language: str | None = opt.LANGUAGE,
    translation_group: str | None = opt.TRANSLATION,
    status: str | None = opt.STATUS,
    author: str | None = opt.AUTHOR,
    confirm: bool = typer.Option(
        False, "--confirm", help="Confirm every value the importer guessed (see 'blocks show')."
    ),
) -> None:
    """Change a block with options, or in your editor when no option is given.

    \b
    Examples:
      newsletter blocks edit 12 --status ready --area protection
      newsletter blocks edit 12 --confirm
      newsletter blocks edit 12

    A field given as an option is no longer a guess; --confirm confirms all guesses. In the
    editor the block is a Markdown file with front matter; saving it unchanged changes nothing,
    and a file with a mistake saves nothing (the error says where your text is kept).
    """
    changes = opt.given_fields(
        title=title, body=body, summary=summary, kind=kind, area=area, tag=tag, place=place,
        partner=partner, date=date_, date_end=date_end, image=image, image_alt=image_alt,
        image_credit=image_credit, link=link, link_label=link_label, language=language,
        translation_group=translation_group, status=status, author=author,
    )  # fmt: skip
    library = state().config.library
    explicit = list(changes)
    if confirm and not changes:
        with state().session() as session:
            confirmed = blocks.confirm_guesses(session, block_id, utcnow())
        typer.echo(f"block {block_id}: confirmed {', '.join(confirmed) or 'nothing (no guesses)'}")
        return
    if not changes:
        explicit = []
        with state().session() as session:
            current = blocks.record(blocks.get(session, block_id))
        edited = edit_fields(
            block_files.render(current, _hints()), _editor(), library, f"block-{block_id}"
        )
        if edited is None:
            typer.echo(f"block {block_id}: file unchanged, nothing to save")
            return
        changes = edited
    with state().session() as session:
        before = blocks.record(blocks.get(session, block_id))
        block = blocks.update(session, library, block_id, changes, utcnow(), confirm=explicit,
                              actor=_actor(), media_base=_media_base())  # fmt: skip
        if confirm or str(changes.get("status", "")).strip().lower() == "ready":
            blocks.confirm_guesses(session, block_id, utcnow())  # as 'blocks ready' does
        changed = [k for k, v in blocks.record(block).items() if before[k] != v and k != "guessed"]
        settled = [g for g in before["guessed"] if g not in block.guessed]
    note = f" (confirmed {', '.join(settled)})" if settled else ""
    if changed:
        typer.echo(f"block {block_id} updated: {', '.join(changed)}{note}")
    else:
        typer.echo(f"block {block_id}: no change{note}")


def _actor() -> str:
    """How the history names a change made at the terminal (the workspace uses e-mails)."""
    return "cli:" + (opt.current_user() or "unknown")


def _media_base() -> str:
    """Photos of our media library live under the public base URL, which may be plain http on
    a test or demo install."""
    return state().config.public.base_url


def _set_status(block_ids: list[int], status: str) -> None:
    confirmed: dict[int, list[str]] = {}
    with state().session() as session:
        for block_id in block_ids:
            blocks.set_status(session, block_id, status, utcnow(), actor=_actor())
            if status == "ready":  # marking a block ready is the officer's word that it is right
                confirmed[block_id] = blocks.confirm_guesses(session, block_id, utcnow())
    typer.echo(f"{status}: block{'s' if len(block_ids) > 1 else ''} "
               f"{', '.join(map(str, block_ids))}")  # fmt: skip
    for block_id, fields in confirmed.items():
        if fields:
            typer.echo(f"  block {block_id}: confirmed guessed {', '.join(fields)}")


@app.command("ready")
def ready(block_ids: list[int] = BLOCK_IDS) -> None:
    """Mark blocks as ready to be placed in an issue; this also confirms their guessed values."""
    _set_status(block_ids, "ready")


@app.command("draft")
def draft(block_ids: list[int] = BLOCK_IDS) -> None:
    """Move blocks back to draft (also brings archived blocks back)."""
    _set_status(block_ids, "draft")


@app.command("archive")
def archive(block_ids: list[int] = BLOCK_IDS) -> None:
    """Archive blocks: hidden from 'blocks list' (use --all), kept in issues that use them."""
    _set_status(block_ids, "archived")


@app.command("delete")
def delete(
    block_id: int = BLOCK_ID,
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
) -> None:
    """Delete a block for good (refused once an issue using it is scheduled or sent)."""
    if not yes:
        with state().session() as session:
            title = blocks.get(session, block_id).title
        typer.confirm(f"Delete block {block_id} '{title}'?", abort=True)
    with state().session() as session:
        deleted = blocks.delete(session, block_id, utcnow(), actor=_actor())
    issues = ", ".join(map(str, deleted.removed_from_issues))
    note = f" (also removed from draft issue {issues})" if issues else ""
    typer.echo(f"deleted block {deleted.block_id}: {deleted.title}{note}")


@app.command("areas")
def areas(as_json: bool = JSON_OPTION) -> None:
    """List the programme areas (set them in [[library.areas]] of the config)."""
    library = state().config.library
    if as_json:
        print_json([a.model_dump() for a in library.areas])
        return
    for area in library.areas:
        typer.echo(f"{area.slug:<22} {area.name}")
