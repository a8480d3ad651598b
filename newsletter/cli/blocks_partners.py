"""`newsletter blocks partners list|add|edit|remove`: the partners and donors the importer knows.

Each organisation has a full name in English and may have an acronym, a Turkish name and
acronym, and aliases; the importer finds a partner by any of them and lists it once.
"""

from __future__ import annotations

import typer

from newsletter.cli.common import JSON_OPTION, new_app, print_json, state
from newsletter.core.clock import utcnow
from newsletter.core.errors import UserError
from newsletter.core.models import Organisation
from newsletter.library import partners

app = new_app("Partners and donors the importer recognises (acronyms, English and Turkish names).")

REF = typer.Argument(..., metavar="PARTNER", help="Id, acronym or any name of the partner.")
NAME = typer.Option(None, "--name", metavar="TEXT", help="Full name in English.")
ACRONYM = typer.Option(None, "--acronym", metavar="TEXT", help="Acronym, e.g. WFP.")
NAME_TR = typer.Option(None, "--name-tr", metavar="TEXT", help="Full name in Turkish.")
ACRONYM_TR = typer.Option(None, "--acronym-tr", metavar="TEXT", help="Turkish acronym, e.g. AB.")
ALIAS = typer.Option(
    None, "--alias", metavar="TEXT", help="Another name (repeat; in edit, replaces all aliases)."
)
KIND = typer.Option(None, "--kind", metavar="KIND", help="partner, donor, government, un or ngo.")


def _given(**values: object) -> dict[str, object]:
    renamed = {"alias": "aliases"}
    return {renamed.get(k, k): v for k, v in values.items() if v is not None and v != []}


def _shown(row: Organisation) -> str:
    names = " / ".join(n for n in (row.name, row.name_tr) if n)
    acronyms = " / ".join(a for a in (row.acronym, row.acronym_tr) if a)
    aliases = f"  (also: {'; '.join(row.aliases)})" if row.aliases else ""
    return f"{row.id:>4}  {acronyms or '-':<14} {row.kind:<10} {names}{aliases}"


@app.command("list")
def list_(as_json: bool = JSON_OPTION) -> None:
    """List the partners and donors, by name."""
    with state().session() as session:
        rows = partners.listing(session)
    if as_json:
        print_json([partners.to_json(r) for r in rows])
        return
    for row in rows:
        typer.echo(_shown(row))
    typer.echo(f"{len(rows)} partner{'s' if len(rows) != 1 else ''}")


@app.command("add")
def add(
    name: str = typer.Option(..., "--name", metavar="TEXT", help="Full name in English."),
    acronym: str | None = ACRONYM,
    name_tr: str | None = NAME_TR,
    acronym_tr: str | None = ACRONYM_TR,
    alias: list[str] | None = ALIAS,
    kind: str | None = KIND,
    as_json: bool = JSON_OPTION,
) -> None:
    """Add a partner or donor.

    \b
    Example:
      newsletter blocks partners add --name "World Food Programme" --acronym WFP \\
          --name-tr "Dünya Gıda Programı" --kind un
    """
    fields = _given(name=name, acronym=acronym, name_tr=name_tr, acronym_tr=acronym_tr,
                    alias=alias, kind=kind)  # fmt: skip
    with state().session() as session:
        row = partners.add(session, fields, utcnow())
        shown = partners.to_json(row)
    if as_json:
        print_json(shown)
    else:
        typer.echo(f"added partner {shown['id']}: {shown['name']}")


@app.command("edit")
def edit(
    ref: str = REF,
    name: str | None = NAME,
    acronym: str | None = ACRONYM,
    name_tr: str | None = NAME_TR,
    acronym_tr: str | None = ACRONYM_TR,
    alias: list[str] | None = ALIAS,
    kind: str | None = KIND,
    as_json: bool = JSON_OPTION,
) -> None:
    """Change a partner (options given replace those fields; --acronym "" clears it)."""
    fields = _given(name=name, acronym=acronym, name_tr=name_tr, acronym_tr=acronym_tr,
                    alias=alias, kind=kind)  # fmt: skip
    if not fields:
        raise UserError("nothing to change: give --name, --acronym, --name-tr, --alias or --kind")
    with state().session() as session:
        row = partners.edit(session, ref, fields, utcnow())
        shown = partners.to_json(row)
    if as_json:
        print_json(shown)
    else:
        typer.echo(f"partner {shown['id']} updated: {', '.join(fields)}")


@app.command("remove")
def remove(ref: str = REF) -> None:
    """Remove a partner: stories naming it are no longer given it (existing blocks keep it)."""
    with state().session() as session:
        row = partners.remove(session, ref)
        shown = f"{row.id}: {row.name}"
    typer.echo(f"removed partner {shown}")
