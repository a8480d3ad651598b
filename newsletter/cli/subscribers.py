"""`newsletter subscribers …`: people, their lists, CSV import/export, data requests, erasure."""

from __future__ import annotations

import unicodedata

import typer

from newsletter.audience import lists, roster, subscriptions
from newsletter.cli import subscriber_files
from newsletter.cli.common import JSON_OPTION, new_app, print_json, state
from newsletter.cli.subscriber_files import EMAIL, YES, pairs
from newsletter.core.clock import utcnow
from newsletter.core.errors import UserError

app = new_app("Subscribers: add, find, import and export them; answer data and erasure requests.")

LISTS = typer.Option([], "--list", "-l", help="List slug (repeat for several lists).")


def _pad(text: str, width: int) -> str:
    """Left-align in a column; combining marks (the dot of a lowered İ) take no space."""
    shown = sum(1 for c in text if not unicodedata.combining(c))
    return text + " " * max(0, width - shown)


@app.command("add")
def add(
    email: str = typer.Argument(..., help="The email address."),
    list_slugs: list[str] = LISTS,
    name: str = typer.Option("", "--name", help="Full name."),
    language: str | None = typer.Option(None, "--language", help="Language code, e.g. tr."),
    organisation: str = typer.Option("", "--organisation", help="Organisation."),
    attrs: list[str] = typer.Option([], "--attr", help="Free attribute NAME=VALUE (repeat)."),
    confirmed: bool = typer.Option(False, "--confirmed", help="Skip the confirmation email."),
    consent_source: str | None = typer.Option(
        None, "--consent-source", help="With --confirmed: how this person agreed (recorded)."
    ),
) -> None:
    """Add a person, or put an existing one on more lists.

    On a double opt-in list they stay unconfirmed and get a confirmation email, unless
    --confirmed --consent-source "TEXT" records that they already agreed.
    """
    if confirmed != bool(consent_source):
        raise UserError('--confirmed and --consent-source "TEXT" go together')
    st = state()
    with st.session() as session:
        person, joined = roster.add(
            session, st.config.secret_key, email, utcnow(), name=name, language=language,
            organisation=organisation, attributes=pairs(attrs, "--attr"),
            list_slugs=list_slugs, consent_source=consent_source,
        )  # fmt: skip
    on = ", ".join(f"{slug} ({status})" for slug, status in joined.items()) or "no list"
    typer.echo(f"{person.email}: {on}")


@app.command("list")
def list_(
    list_slug: str | None = typer.Option(None, "--list", "-l", help="Only members of this list."),
    status: str | None = typer.Option(
        None,
        "--status",
        help="confirmed, unconfirmed or unsubscribed (on --list, or on any list); "
        "active, blocklisted, bounced or complained.",
    ),  # fmt: skip
    language: str | None = typer.Option(None, "--language", help="Only this language."),
    search: str | None = typer.Option(
        None, "--search", "-s", help="Text in the address, name or organisation."
    ),
    limit: int = typer.Option(50, "--limit", min=1, help="Rows to show."),
    offset: int = typer.Option(0, "--offset", min=0, help="Rows to skip."),
    count: bool = typer.Option(
        False, "--count", help=f"Count every match (else counting stops at {roster.COUNT_LIMIT})."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Subscribers matching the filters, oldest first. With --list, those who have not left it.

    --search ignores case, accents and the Turkish dotted/dotless i: 'sahin' finds 'Şahin'.
    """
    filters = roster.Filters(list_slug, status, language, search)
    with state().session() as session:
        rows, total = roster.listing(session, filters, limit, offset, exact=count)
    exact = count or total <= roster.COUNT_LIMIT
    total = total if exact else roster.COUNT_LIMIT
    if as_json:
        print_json({"total": total, "total_exact": exact, "offset": offset, "subscribers": rows})
        return
    for row in rows:
        on = ",".join(f"{slug}:{st}" for slug, st in row["lists"].items())
        flag = " [blocklisted]" if row["status"] == "blocklisted" else ""
        typer.echo(f"{row['id']:>7}  {_pad(row['email'], 36)} {row['language']:<4} "
                   f"{_pad(row['name'][:28], 28)} {on}{flag}")  # fmt: skip
    of = f"{total}" if exact else f"more than {total}"
    shown = f"{offset + 1}-{offset + len(rows)} of {of}" if rows else f"none of {of}"
    typer.echo(f"({shown} subscribers)")


@app.command("show")
def show(email: str = EMAIL, as_json: bool = JSON_OPTION) -> None:
    """One subscriber and their lists."""
    with state().session() as session:
        data = roster.details(session, subscriptions.get(session, email))
    if as_json:
        print_json(data)
        return
    for key in ("id", "email", "email_ascii", "name", "language", "organisation", "status"):
        typer.echo(f"{key + ':':<14}{data[key]}")
    if data["smtputf8"]:
        typer.echo(f"{'':<14}(non-ASCII address: needs a mail server with SMTPUTF8)")
    for key, value in sorted(data["attributes"].items()):
        typer.echo(f"{key + ':':<14}{value}")
    typer.echo(f"{'lists:':<14}" + (", ".join(f"{s} ({st})" for s, st in data["lists"].items())
                                    or "none"))  # fmt: skip
    typer.echo(f"{'added:':<14}{data['created_at']:%Y-%m-%d %H:%M} UTC")


@app.command("edit")
def edit(
    email: str = EMAIL,
    new_email: str | None = typer.Option(None, "--email", help="Change the address."),
    name: str | None = typer.Option(None, "--name", help="New name."),
    language: str | None = typer.Option(None, "--language", help="New language code."),
    organisation: str | None = typer.Option(None, "--organisation", help="New organisation."),
    status: str | None = typer.Option(
        None, "--status", help="'active', 'blocklisted', 'bounced' or 'complained'."
    ),
    set_attrs: list[str] = typer.Option([], "--set", help="Set attribute NAME=VALUE (repeat)."),
    unset: list[str] = typer.Option([], "--unset", help="Remove attribute NAME (repeat)."),
) -> None:
    """Change a subscriber's details (only the options given)."""
    with state().session() as session:
        person = roster.edit(
            session, email, utcnow(), new_email=new_email, name=name, language=language,
            organisation=organisation, status=status, set_attributes=pairs(set_attrs, "--set"),
            unset_attributes=unset,
        )  # fmt: skip
    typer.echo(f"updated {person.email}")


@app.command("unsubscribe")
def unsubscribe(
    email: str = EMAIL,
    list_slug: str | None = typer.Option(None, "--list", "-l", help="Leave only this list."),
    everything: bool = typer.Option(False, "--all", help="Leave every list and suppress."),
) -> None:
    """Unsubscribe from one list (--list) or from all (--all, adds a suppression)."""
    if bool(list_slug) == everything:
        raise UserError("give either --list SLUG or --all")
    st = state()
    with st.session() as session:
        person = subscriptions.get(session, email)
        list_id = lists.get(session, list_slug).id if list_slug else None
        left = subscriptions.unsubscribe(
            session, st.config.secret_key, person.id or 0, list_id, "admin", utcnow()
        )
    what = "every list (address suppressed)" if everything else list_slug
    typer.echo(f"{person.email} left {what}" + ("" if left else " (was not subscribed)"))


@app.command("remove")
def remove(
    email: str = EMAIL,
    list_slug: str | None = typer.Option(None, "--list", "-l", help="Remove only from this list."),
    yes: bool = YES,
) -> None:
    """Delete a membership, or the whole subscriber record (no suppression: see 'erase')."""
    if list_slug is None and not yes:
        typer.confirm(f"Delete {email} and all their subscriptions?", abort=True)
    with state().session() as session:
        message = roster.remove(session, email, list_slug)
    typer.echo(message)


# Files, data requests and erasure live in their own module; registered here, in this order.
for _name, _command in (
    ("import", subscriber_files.import_),
    ("export", subscriber_files.export),
    ("data", subscriber_files.data),
    ("erase", subscriber_files.erase),
    ("suppress", subscriber_files.suppress),
    ("unsuppress", subscriber_files.unsuppress),
    ("suppressions", subscriber_files.suppressions),
):
    app.command(_name)(_command)
