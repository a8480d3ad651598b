"""`newsletter bounces …`: import bounce and complaint reports, list what they matched and did."""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta
from pathlib import Path

import typer
from sqlmodel import select

from newsletter.audience.bounce_rules import Rules
from newsletter.cli.common import JSON_OPTION, new_app, print_json, state
from newsletter.core.clock import utcnow
from newsletter.core.errors import UserError
from newsletter.core.models import BounceEvent, Subscriber, UnmatchedReport
from newsletter.delivery import bounce_intake, bounce_reports

app = new_app(
    "Bounces and complaints: import delivery status and feedback reports, list what they did."
)

# A report is a few kilobytes; a larger file is a returned newsletter or something else entirely.
MAX_REPORT_BYTES = 5_000_000


def _files(paths: list[Path]) -> list[Path]:
    """The .eml files given, and every message of the maildir folders given (cur/ and new/)."""
    found: list[Path] = []
    for path in paths:
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            boxes = [path / "cur", path / "new"]
            if not any(box.is_dir() for box in boxes):
                raise UserError(f"{path}: a folder must be a maildir (with cur/ and new/)")
            found += sorted(f for box in boxes if box.is_dir() for f in box.iterdir()
                            if f.is_file() and not f.name.startswith("."))  # fmt: skip
        else:
            raise UserError(f"{path}: no such file or folder")
    return found


def _read(path: Path) -> bytes:
    if path.stat().st_size > MAX_REPORT_BYTES:
        raise UserError(f"{path}: larger than {MAX_REPORT_BYTES} bytes, not a bounce report")
    return path.read_bytes()


@app.command("import")
def import_(
    paths: list[Path] = typer.Argument(..., help=".eml files or maildir folders."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Read delivery status notifications and feedback reports and apply the [bounces] rules.

    Each report is matched to its delivery by VERP address or original Message-ID, else to a
    subscriber by the reported address; one that matches nothing is kept (`bounces list
    --unmatched`). Importing the same file again records nothing new.
    """
    st = state()
    cfg = st.config.bounces
    rules = Rules(cfg.hard_threshold, cfg.soft_threshold, timedelta(days=cfg.window_days))
    files = _files(paths)
    outcomes: list[bounce_intake.Outcome] = []
    with st.session() as session:
        for path in files:
            report = bounce_reports.parse(_read(path))
            outcomes += bounce_intake.record(
                session, report, str(path), st.config.secret_key, rules, utcnow()
            )
    if as_json:
        print_json({"files": len(files), "results": [asdict(o) for o in outcomes]})
        return
    for o in outcomes:
        who = f"{o.subscriber} (by {o.matched_by}): {o.effect}" if o.subscriber else o.status
        typer.echo(
            f"{o.source}: {o.kind} {o.code or '-'} {o.recipient or '(no recipient)'} -> {who}"
        )
    counts = {s: sum(o.status == s for o in outcomes) for s in
              ("recorded", "unmatched", "already imported")}  # fmt: skip
    typer.echo(f"{len(files)} file(s): " + ", ".join(f"{n} {s}" for s, n in counts.items()))


@app.command("list")
def list_(
    unmatched: bool = typer.Option(False, "--unmatched", help="Reports that matched nobody."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Recorded bounces and complaints, newest first (with --unmatched: those kept unmatched)."""
    with state().session() as session:
        if unmatched:
            rows = [r.model_dump() for r in session.exec(
                select(UnmatchedReport).order_by(UnmatchedReport.id.desc())  # type: ignore[union-attr]
            )]  # fmt: skip
        else:
            query = (
                select(BounceEvent, Subscriber.email)
                .join(Subscriber, Subscriber.id == BounceEvent.subscriber_id)
                .order_by(BounceEvent.id.desc())
            )  # type: ignore[union-attr]
            rows = [e.model_dump() | {"email": email} for e, email in session.exec(query)]
    if as_json:
        print_json(rows)
        return
    for r in rows:
        who = r["recipient"] if unmatched else r["email"]
        tail = r["text"] if unmatched else r["effect"]
        typer.echo(f"{r['at']:%Y-%m-%d %H:%M} {r['kind']:<9} {r['code'] or '-':<7} {who}: {tail}")
    if not rows:
        typer.echo("no unmatched reports" if unmatched else "no bounces or complaints recorded")
