"""`newsletter subscribers import|export|data|erase|suppress…`: files, data requests, erasure.

The commands are registered on the `subscribers` group by newsletter/cli/subscribers.py.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import typer

from newsletter.audience import subscriptions, suppression
from newsletter.audience.csv_export import export_csv
from newsletter.audience.csv_import import ImportOptions, ImportReport, import_csv
from newsletter.audience.lookups import as_record
from newsletter.cli.common import JSON_OPTION, print_json, state
from newsletter.core.clock import utcnow
from newsletter.core.errors import UserError
from newsletter.core.safe_text import fold_line

YES = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation.")
EMAIL = typer.Argument(..., help="The email address (or the subscriber's id).")
SHOWN_PROBLEMS = 10


def pairs(values: list[str], option: str) -> dict[str, str]:
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


def _report_dir(path: Path) -> Path:
    """Beside the input, or the subscribers folder when that folder is read-only."""
    folder = path.parent
    return folder if os.access(folder, os.W_OK) else _folder()


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
    report of rejected and skipped rows, with line numbers, is written beside the file. Rows
    imported with a warning (a name of question marks: a wrongly saved file) are in it too.
    """
    options = ImportOptions(list_slug, confirmed, consent_source, pairs(renames, "--map"),
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
    typer.echo(f"  {'rows read':<22}{report.rows}")
    for key in ("added", "updated", "unchanged", "subscribed", "confirmed",
                "confirmations_queued", "skipped_duplicate", "skipped_suppressed",
                "skipped_unsubscribed", "rejected", "warnings"):  # fmt: skip
        typer.echo(f"  {key.replace('_', ' '):<22}{getattr(report, key)}")
    for p in report.problems[:SHOWN_PROBLEMS]:
        # The address as written in the file: control characters must not reach the terminal.
        shown = fold_line(p["email"]) or "no address"
        typer.echo(f"  line {p['line']} ({shown}): {p['outcome']}: {fold_line(p['reason'])}")
    more = report.not_imported + report.warnings - min(SHOWN_PROBLEMS, len(report.problems))
    if more > 0:
        typer.echo(f"  … and {more} more in the report")
    if report.report_file:
        typer.echo(f"report: {report.report_file}")


def export(
    list_slug: str | None = typer.Option(None, "--list", "-l", help="Only this list's members."),
    output: Path | None = typer.Option(None, "--output", "-o", help="File to write."),
    status: str | None = typer.Option(None, "--status", help="With --list: only this status."),
    excel: bool = typer.Option(False, "--excel", help="UTF-8 with BOM and semicolons."),
) -> None:
    """Export subscribers as CSV that 'import' reads back unchanged."""
    if output is not None and not output.parent.is_dir():
        # Only the default subscribers folder is created: a typo must not make new folders.
        raise UserError(f"cannot write {output}: the folder {output.parent} does not exist")
    stamp = utcnow().strftime("%Y%m%d-%H%M%S")
    out = output or _folder() / f"{list_slug or 'subscribers'}-{stamp}.csv"
    with state().session() as session:
        count = export_csv(session, out, list_slug, status, excel)
    typer.echo(f"wrote {count} subscribers to {out}")


def data(email: str = EMAIL) -> None:
    """Everything stored about a person, as JSON (a GDPR/KVKK access request)."""
    with state().session() as session:
        print_json(subscriptions.person_data(session, email))


def erase(email: str = typer.Argument(..., help="The email address."), yes: bool = YES) -> None:
    """Delete a person's data for good; only a keyed hash stays, so no import re-adds them."""
    if not yes:
        typer.confirm(f"Erase everything stored about {email}? This cannot be undone", abort=True)
    st = state()
    with st.session() as session:
        result = subscriptions.erase(session, st.config.secret_key, email, utcnow())
    if result["found"]:
        typer.echo(
            f"erased {email}: {result['subscriptions']} subscriptions, "
            f"{result['consent_records']} consent records deleted, "
            f"{result['deliveries_unlinked']} deliveries unlinked; suppression kept"
        )
    else:
        typer.echo(f"no subscriber {email}; suppression added so no import can add them")


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


def unsuppress(email: str = typer.Argument(..., help="The email address.")) -> None:
    """Lift a suppression (only after the person gave new consent)."""
    st = state()
    with st.session() as session:
        removed = suppression.remove(session, st.config.secret_key, email)
    if not removed:
        raise UserError(f"{email} is not suppressed")
    typer.echo(f"{email} is no longer suppressed")


def suppressions(
    reason: str | None = typer.Option(None, "--reason", help="Only this reason."),
    as_json: bool = JSON_OPTION,
) -> None:
    """The suppression list (hashes only, with reason and date)."""
    with state().session() as session:
        rows: list[dict[str, Any]] = [as_record(s) for s in suppression.listing(session, reason)]
    if as_json:
        print_json(rows)
        return
    for row in rows:
        typer.echo(f"{row['created_at']:%Y-%m-%d}  {row['reason']:<13} {row['email_hash'][:16]}…  "
                   f"{row['note']}")  # fmt: skip
    typer.echo(f"({len(rows)} suppressed addresses)")
