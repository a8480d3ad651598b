"""The demo: a whole month's work on the embedded defaults, in a folder of its own.

It imports the sample bulletin as blocks, marks them ready, creates a list of fictitious
subscribers, composes the monthly issue, checks and approves it, and sends it through the
outbox transport. Everything goes through the same services as the CLI.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from newsletter.audience import lists, roster
from newsletter.compose import issues, period
from newsletter.compose.preview import PreviewFiles, write_preview
from newsletter.core import db
from newsletter.core.clock import Clock
from newsletter.core.config import Config, load_config
from newsletter.core.errors import UserError
from newsletter.delivery import ledger, sender
from newsletter.library import blocks
from newsletter.library.importer import ImportOptions, import_files

DATA = Path(__file__).resolve().parent / "data"
SAMPLE = DATA / "sample-bulletin.txt"
ACTOR = "demo"

CONFIG = """\
# Written by `newsletter demo`: the embedded defaults (SQLite, the outbox transport) plus a
# fictitious organisation. See config.example.toml for every key.

[organisation]
name = "Anadolu Migration Partnership"
postal_address = "Örnek Sokak 12, 06690 Çankaya, Ankara, Türkiye"
website = "https://example.org"
contact_email = "news@example.org"

[sending]
from_address = "news@example.org"
from_name = "Anadolu Migration Partnership"
"""

FIRST = ["Ayşe", "Mehmet", "Zeynep", "Mustafa", "Elif", "Hüseyin", "Fatma", "Ömer", "Şule",
         "Çağrı", "Amina", "Yusuf", "Layla", "Khaled", "Noor", "Sarah", "James", "Maria"]
LAST = ["Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Öztürk", "Aydın", "Al-Hassan",
        "Haddad", "Mansour", "Smith", "García"]
LANGS = ["tr", "en", "ar", "en"]


@dataclass
class DemoResult:
    folder: Path
    config_file: Path
    blocks: int
    subscribers: int
    issue_id: int
    status: str
    sent: int
    outbox: Path
    preview: PreviewFiles
    messages: list[Path] = field(default_factory=list)


def fictitious_people(count: int) -> list[tuple[str, str, str]]:
    """(name, email, language) of people who do not exist, on the reserved example domains."""
    people = []
    for i in range(count):
        first, last = FIRST[i % len(FIRST)], LAST[(i * 7) % len(LAST)]
        email = f"reader{i + 1:03d}@example.{'org' if i % 2 else 'com'}"
        people.append((f"{first} {last}", email, LANGS[i % len(LANGS)]))
    return people


def prepare_folder(folder: Path, fresh: bool) -> Path:
    config_file = folder / "newsletter.toml"
    if folder.exists() and any(folder.iterdir()):
        if not fresh:
            raise UserError(f"{folder} already holds a demo: add --fresh to start it again")
        if not config_file.exists():
            raise UserError(f"{folder} is not a demo folder (no newsletter.toml): not removing it")
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    config_file.write_text(CONFIG, encoding="utf-8")
    return config_file


def _import_sample(engine, config: Config, clock: Clock) -> tuple[list[int], date, date]:
    reports = import_files(engine, config.library, [SAMPLE], ImportOptions(author=ACTOR), clock())
    created = reports[0].created
    if reports[0].error or not created:
        raise UserError(f"{SAMPLE}: the sample bulletin did not import ({reports[0].error})")
    ids = [b["id"] for b in created]
    with db.session_scope(engine) as session:
        for block_id in ids:
            blocks.set_status(session, block_id, "ready", clock())
        found = [blocks.get(session, block_id) for block_id in ids]
        days = [b.event_date for b in found if b.event_date]
    return ids, min(days), max(days)


def _audience(engine, config: Config, clock: Clock, count: int) -> None:
    with db.session_scope(engine) as session:
        lists.create(session, "monthly-update", "Monthly update", clock(),
                     description="News from our programmes, once a month.",
                     opt_in="double", visibility="public")  # fmt: skip
        for name, email, language in fictitious_people(count):
            roster.add(
                session, config.secret_key, email, clock(), name=name, language=language,
                list_slugs=["monthly-update"], consent_source="demo: fictitious people",
            )  # fmt: skip


def _issue(engine, config: Config, clock: Clock, start: date, end: date) -> int:
    with db.session_scope(engine) as session:
        issue = issues.create(
            session, config, title=f"Monthly update, {start:%B %Y}", now=clock(), author=ACTOR,
            subject=f"Our work this month: {start:%B %Y}",
            preheader="A job fair, new support sessions and a week of neighbours together.",
            intro="Here is what our teams and partners did across Türkiye this month.",
        )  # fmt: skip
        period.compose(session, config, issue.id, start, end, ACTOR, clock())
        issues.submit(session, issue.id, ACTOR, clock())
        issues.approve(session, config, issue.id, ACTOR, clock())
        return issue.id


def run_demo(folder: Path, clock: Clock, recipients: int = 24, fresh: bool = False) -> DemoResult:
    if not 1 <= recipients <= 10000:
        raise UserError(f"--recipients {recipients}: give a number from 1 to 10000")
    config_file = prepare_folder(folder, fresh)
    config = load_config(config_file)
    engine = db.make_engine(config)
    try:
        db.upgrade(engine)
        ids, start, end = _import_sample(engine, config, clock)
        _audience(engine, config, clock, recipients)
        issue_id = _issue(engine, config, clock, start, end)
        with db.session_scope(engine) as session:
            send = ledger.start_send(session, issue_id, ["monthly-update"], clock(), config)
        result = sender.run_send(engine, config, send.id or 0, clock)
        with db.session_scope(engine) as session:
            status = issues.get(session, issue_id).status
            preview = write_preview(session, config, issue_id, folder / "preview")
    finally:
        engine.dispose()
    outbox = config.resolve_path(config.sending.outbox_dir)
    return DemoResult(
        folder=folder, config_file=config_file, blocks=len(ids), subscribers=recipients,
        issue_id=issue_id, status=status, sent=result.progress.sent, outbox=outbox,
        preview=preview, messages=sorted(outbox.glob("*.eml")),
    )  # fmt: skip
