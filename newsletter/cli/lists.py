"""`newsletter lists …`: create, show, edit, translate and delete mailing lists."""

from __future__ import annotations

import typer

from newsletter.audience import lists
from newsletter.cli.common import JSON_OPTION, new_app, print_json, state
from newsletter.core.clock import utcnow
from newsletter.core.errors import UserError

_OWN = "- (the issue's own language)"

app = new_app("Mailing lists: who can join them and how (single or double opt-in).")

OPT_IN = typer.Option(
    None, "--opt-in", metavar="double|single", help="'double' (confirm by email) or 'single'."
)
VISIBILITY = typer.Option(
    None,
    "--visibility",
    metavar="public|private",
    help="'public' (offered on the subscribe page) or 'private'.",
)
FALLBACK_HELP = (
    "The edition members get when an issue has none in their language "
    "(default: the issue's own language; '' in 'edit' clears it)."
)


@app.command("create")
def create(
    slug: str = typer.Argument(
        ..., metavar="SLUG", help="Short name used in commands and URLs, e.g. 'aylik-tr'."
    ),
    name: str = typer.Option(..., "--name", metavar="TEXT", help="The name subscribers see."),
    description: str = typer.Option(
        "", "--description", metavar="TEXT", help="One or two sentences."
    ),
    opt_in: str = typer.Option(
        "double",
        "--opt-in",
        metavar="double|single",
        help="'double': people confirm by email; 'single': no confirmation.",
    ),
    visibility: str = typer.Option(
        "private",
        "--visibility",
        metavar="public|private",
        help="'public': offered on the subscribe page; 'private': added by admins only.",
    ),
    language: str = typer.Option(
        "en", "--language", metavar="CODE", help="Default language of new members."
    ),
    fallback_language: str | None = typer.Option(
        None, "--fallback-language", metavar="CODE", help=FALLBACK_HELP
    ),
) -> None:
    """Create a list."""
    with state().session() as session:
        mlist = lists.create(
            session, slug, name, utcnow(), description, opt_in, visibility, language,
            fallback_language,
        )  # fmt: skip
    typer.echo(f"created list {mlist.slug} ({mlist.opt_in} opt-in, {mlist.visibility})")


@app.command("list")
def list_(as_json: bool = JSON_OPTION) -> None:
    """All lists with their member counts."""
    with state().session() as session:
        found = lists.all_lists(session)
        counts = lists.counts(session)
    rows = [lists.as_dict(m, counts.get(m.id or 0, lists.ListCounts())) for m in found]
    if as_json:
        print_json(rows)
        return
    if not rows:
        typer.echo("no lists yet: create one with 'newsletter lists create SLUG --name NAME'")
        return
    typer.echo(f"{'slug':<20} {'opt-in':<7} {'visibility':<10} {'confirmed':>9} "
               f"{'pending':>8} {'left':>6}  name")  # fmt: skip
    for row in rows:
        c = row["counts"]
        typer.echo(f"{row['slug']:<20} {row['opt_in']:<7} {row['visibility']:<10} "
                   f"{c['confirmed']:>9} {c['unconfirmed']:>8} {c['unsubscribed']:>6}  "
                   f"{row['name']}")  # fmt: skip


@app.command("show")
def show(
    slug: str = typer.Argument(..., metavar="SLUG", help="The list's slug."),
    as_json: bool = JSON_OPTION,
) -> None:
    """One list's settings and counts."""
    with state().session() as session:
        mlist = lists.get(session, slug)
        data = lists.as_dict(mlist, lists.counts(session).get(mlist.id or 0, lists.ListCounts()))
    if as_json:
        print_json(data)
        return
    for key in ("slug", "name", "description", "opt_in", "visibility", "default_language"):
        typer.echo(f"{key + ':':<18}{data[key]}")
    typer.echo(f"{'fallback_language:':<18} {data['fallback_language'] or _OWN}")
    for lang, entry in sorted(data["translations"].items()):
        for key in ("name", "description"):
            if key in entry:
                typer.echo(f"{f'{key} [{lang}]:':<18}{entry[key]}")
    typer.echo(f"{'created_at:':<18}{data['created_at']:%Y-%m-%d %H:%M} UTC")
    counts = data["counts"]
    typer.echo(f"{'members:':<18}{counts['confirmed']} confirmed, "
               f"{counts['unconfirmed']} awaiting confirmation, "
               f"{counts['unsubscribed']} unsubscribed")  # fmt: skip


@app.command("edit")
def edit(
    slug: str = typer.Argument(..., metavar="SLUG", help="The list's slug."),
    name: str | None = typer.Option(None, "--name", metavar="TEXT", help="New name."),
    description: str | None = typer.Option(
        None, "--description", metavar="TEXT", help="New description."
    ),
    opt_in: str | None = OPT_IN,
    visibility: str | None = VISIBILITY,
    language: str | None = typer.Option(
        None, "--language", metavar="CODE", help="New default language."
    ),
    fallback_language: str | None = typer.Option(
        None, "--fallback-language", metavar="CODE", help=FALLBACK_HELP
    ),
) -> None:
    """Change a list's settings (only the options given). Names in other languages: 'translate'."""
    given = (name, description, opt_in, visibility, language, fallback_language)
    if all(v is None for v in given):
        raise UserError("nothing to change: give at least one option (see --help)")
    with state().session() as session:
        lists.edit(
            session, slug, name=name, description=description, opt_in=opt_in,
            visibility=visibility, default_language=language,
            fallback_language=fallback_language,
        )  # fmt: skip
    typer.echo(f"updated list {slug}")


@app.command("translate")
def translate(
    slug: str = typer.Argument(..., metavar="SLUG", help="The list's slug."),
    language: str = typer.Argument(..., metavar="LANGUAGE", help="Language code, e.g. ar."),
    name: str | None = typer.Option(
        None, "--name", metavar="TEXT", help="The name in that language ('' to drop it)."
    ),
    description: str | None = typer.Option(
        None, "--description", metavar="TEXT", help="The description in that language ('' drops)."
    ),
    remove: bool = typer.Option(False, "--remove", help="Drop this language's translation."),
) -> None:
    """Give the list's name and description in another language (the pages and confirmation
    mails in that language show them; other languages show the list's own)."""
    if remove and (name is not None or description is not None):
        raise UserError("--remove drops the whole translation: give it alone")
    with state().session() as session:
        lists.translate(session, slug, language, name=name, description=description, remove=remove)
    typer.echo(f"list {slug}: {language} translation {'removed' if remove else 'updated'}")


@app.command("delete")
def delete(
    slug: str = typer.Argument(..., metavar="SLUG", help="The list's slug."),
    force: bool = typer.Option(False, "--force", help="Also delete its subscriptions."),
) -> None:
    """Delete a list. A list with members needs --force (subscribers themselves are kept)."""
    with state().session() as session:
        removed = lists.delete(session, slug, force=force)
    extra = f" and {removed} subscriptions" if removed else ""
    typer.echo(f"deleted list {slug}{extra}")
