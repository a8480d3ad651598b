"""`newsletter subscribers …`: people, their lists, CSV import/export, data requests, erasure."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path
from typing import Any

import typer

from newsletter import lists, roster, subscribers, suppression
from newsletter.cli.common import JSON_OPTION, new_app, print_json, state
from newsletter.clock import utcnow
from newsletter.csv_export import export_csv
from newsletter.csv_import import ImportOptions, ImportReport, import_csv
from newsletter.errors import UserError

app = new_app("Subscribers: add, find, import and export them; answer data and erasure requests.")

LISTS = typer.Option([], "--list", "-l", help="List slug (repeat for several lists).")
EMAIL = typer.Argument(..., help="The email address (or the subscriber's id).")
YES = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation.")


def _pairs(values: list[str], option: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for value in values:
        key, sep, rest = value.partition("=")
        if not sep or not key.strip():
            raise UserError(f"{option} {value!r}: write it as NAME=VALUE")
        out[key.strip()] = rest.strip()
    return out


def _folder() -> Path:
    config = state().config
    return config.resolve_path(config.subscribers.folder)


def _input(path: Path) -> Path:
    """The file as given, else the same name in the subscribers folder."""
    if path.exists() or path.is_absolute():
        return path
    candidate = _folder() / path
    return candidate if candidate.exists() else path


def _pad(text: str, width: int) -> str:
    """Left-align in a column; combining marks (the dot of a lowered İ) take no space."""
    shown = sum(1 for c in text if not unicodedata.combining(c))
    return text + " " * max(0, width - shown)


def _report_dir(path: Path) -> Path:
    """Beside the input, or the subscribers folder when that folder is read-only."""
    folder = path.parent
    return folder if os.access(folder, os.W_OK) else _folder()


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
            organisation=organisation, attributes=_pairs(attrs, "--attr"),
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
        "active or blocklisted.",
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
        data = roster.details(session, subscribers.get(session, email))
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
    status: str | None = typer.Option(None, "--status", help="'active' or 'blocklisted'."),
    set_attrs: list[str] = typer.Option([], "--set", help="Set attribute NAME=VALUE (repeat)."),
    unset: list[str] = typer.Option([], "--unset", help="Remove attribute NAME (repeat)."),
) -> None:
    """Change a subscriber's details (only the options given)."""
    with state().session() as session:
        person = roster.edit(
            session, email, utcnow(), new_email=new_email, name=name, language=language,
            organisation=organisation, status=status, set_attributes=_pairs(set_attrs, "--set"),
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
        person = subscribers.get(session, email)
        list_id = lists.get(session, list_slug).id if list_slug else None
        left = subscribers.unsubscribe(
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


@app.command("import")
def import_(
    file: Path = typer.Argument(..., help="CSV file (looked for in the subscribers folder too)."),
    list_slug: str = typer.Option(..., "--list", "-l", help="The list to put people on."),
    renames: list[str] = typer.Option(
        [],
        "--map",
        help="Rename a column: OLD=NEW (NEW: email, name, language, organisation "
        "or an attribute name). Repeat for several.",
    ),  # fmt: skip
    confirmed: bool = typer.Option(
        False, "--confirmed", help="They already agreed: no confirmation emails."
    ),
    consent_source: str | None = typer.Option(
        None, "--consent-source", help="With --confirmed: how they agreed (recorded per person)."
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check everything, change nothing."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Import subscribers from CSV (comma or semicolon; UTF-8 or Windows-1254).

    Existing subscribers are updated, suppressed addresses skipped, bad rows rejected; a
    report of rejected and skipped rows, with line numbers, is written beside the file.
    """
    options = ImportOptions(list_slug, confirmed, consent_source, _pairs(renames, "--map"),
                            dry_run)  # fmt: skip
    st = state()
    with st.session() as session:
        path = _input(file)
        report = import_csv(
            session, st.config.secret_key, path, options, utcnow(), _report_dir(path)
        )
    if as_json:
        print_json(report.as_dict())
    else:
        _print_report(report)


def _print_report(report: ImportReport) -> None:
    head = "dry run, nothing changed: " if report.dry_run else ""
    typer.echo(f"{head}{report.file} -> {report.list} ({report.encoding}, "
               f"delimiter {report.delimiter!r})")  # fmt: skip
    typer.echo(f"  rows read      {report.rows}")
    for key in ("added", "updated", "unchanged", "subscribed", "confirmed",
                "confirmations_queued", "skipped_duplicate", "skipped_suppressed",
                "skipped_unsubscribed", "rejected"):  # fmt: skip
        typer.echo(f"  {key.replace('_', ' '):<22}{getattr(report, key)}")
    for problem in report.problems[:10]:
        typer.echo(f"  line {problem['line']}: {problem['outcome']}: {problem['reason']}")
    if report.report_file:
        typer.echo(f"report: {report.report_file}")


@app.command("export")
def export(
    list_slug: str | None = typer.Option(None, "--list", "-l", help="Only this list's members."),
    output: Path | None = typer.Option(None, "--output", "-o", help="File to write."),
    status: str | None = typer.Option(None, "--status", help="With --list: only this status."),
    excel: bool = typer.Option(False, "--excel", help="UTF-8 with BOM and semicolons."),
) -> None:
    """Export subscribers as CSV that 'import' reads back unchanged."""
    stamp = utcnow().strftime("%Y%m%d-%H%M%S")
    out = output or _folder() / f"{list_slug or 'subscribers'}-{stamp}.csv"
    with state().session() as session:
        count = export_csv(session, out, list_slug, status, excel)
    typer.echo(f"wrote {count} subscribers to {out}")


@app.command("data")
def data(email: str = EMAIL) -> None:
    """Everything stored about a person, as JSON (a GDPR/KVKK access request)."""
    with state().session() as session:
        print_json(subscribers.person_data(session, email))


@app.command("erase")
def erase(email: str = typer.Argument(..., help="The email address."), yes: bool = YES) -> None:
    """Delete a person's data for good; only a keyed hash stays, so no import re-adds them."""
    if not yes:
        typer.confirm(f"Erase everything stored about {email}? This cannot be undone", abort=True)
    st = state()
    with st.session() as session:
        result = subscribers.erase(session, st.config.secret_key, email, utcnow())
    if result["found"]:
        typer.echo(
            f"erased {email}: {result['subscriptions']} subscriptions, "
            f"{result['consent_records']} consent records deleted, "
            f"{result['deliveries_unlinked']} deliveries unlinked; suppression kept"
        )
    else:
        typer.echo(f"no subscriber {email}; suppression added so no import can add them")


@app.command("suppress")
def suppress(
    email: str = typer.Argument(..., help="The email address."),
    reason: str = typer.Option("admin", "--reason", help=", ".join(suppression.REASONS)),
    note: str = typer.Option("", "--note", help="Why (kept with the hash; no personal data)."),
) -> None:
    """Never mail this address again (stored only as a keyed hash)."""
    st = state()
    with st.session() as session:
        entry = suppression.add(session, st.config.secret_key, email, reason, utcnow(), note)
    typer.echo(f"suppressed ({entry.reason})")


@app.command("unsuppress")
def unsuppress(email: str = typer.Argument(..., help="The email address.")) -> None:
    """Lift a suppression (only after the person gave new consent)."""
    st = state()
    with st.session() as session:
        removed = suppression.remove(session, st.config.secret_key, email)
    if not removed:
        raise UserError(f"{email} is not suppressed")
    typer.echo(f"{email} is no longer suppressed")


@app.command("suppressions")
def suppressions(
    reason: str | None = typer.Option(None, "--reason", help="Only this reason."),
    as_json: bool = JSON_OPTION,
) -> None:
    """The suppression list (hashes only, with reason and date)."""
    with state().session() as session:
        rows: list[dict[str, Any]] = [s.model_dump() for s in suppression.listing(session, reason)]
    if as_json:
        print_json(rows)
        return
    for row in rows:
        typer.echo(f"{row['created_at']:%Y-%m-%d}  {row['reason']:<13} {row['email_hash'][:16]}…  "
                   f"{row['note']}")  # fmt: skip
    typer.echo(f"({len(rows)} suppressed addresses)")
