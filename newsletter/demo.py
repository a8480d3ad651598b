"""The demo: a whole month's work on the embedded defaults, in a folder of its own.

It imports the sample bulletin (twelve stories of one month) as blocks, marks them ready, adds
Turkish and Arabic translations of a few of them (demo-translations.yaml), creates a list of
fictitious subscribers, composes the month's issue with Turkish and Arabic editions, checks and
approves it, and sends it through the outbox transport, each reader getting their language's
edition. It also adds a workspace admin, approver and editor with passwords made up at run time,
for trying the browser workspace. Everything goes through the same services as the CLI.
"""

from __future__ import annotations

import calendar
import secrets
import shutil
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from babel.dates import format_date
from sqlmodel import Session

from newsletter.accounts import users
from newsletter.audience import lists, roster
from newsletter.compose import editions, issues, period
from newsletter.compose.issue_content import sections
from newsletter.compose.preview import PreviewFiles, write_preview
from newsletter.core import db
from newsletter.core.clock import Clock
from newsletter.core.config import Config, load_config
from newsletter.core.errors import UserError
from newsletter.core.models import Block
from newsletter.delivery import ledger, sender
from newsletter.library import blocks
from newsletter.library.importer import ImportOptions, import_files

DATA = Path(__file__).resolve().parent / "data"
SAMPLE = DATA / "sample-bulletin.txt"
TRANSLATIONS = DATA / "demo-translations.yaml"
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
# What a translation shares with its English story: the facts, not the words.
SHARED = ("kind", "area", "places", "partners", "event_date", "event_date_end", "image_url",
          "image_alt", "image_credit", "link_url", "link_label", "author")  # fmt: skip
# The workspace accounts, one per role, on a reserved domain: (role, address, name).
ACCOUNTS = [("admin", "admin@demo.example", "Demo admin"),
            ("approver", "approver@demo.example", "Demo approver"),
            ("editor", "editor@demo.example", "Demo editor")]  # fmt: skip


@dataclass(frozen=True)
class DemoAccount:
    role: str
    email: str
    password: str  # "" for an account that already existed: its password is left alone


@dataclass
class DemoResult:
    folder: Path
    config_file: Path
    database: Path
    blocks: int
    translated: int  # stories with Turkish and Arabic versions
    subscribers: int
    issue_id: int
    title: str
    status: str
    sent: int
    outbox: Path
    previews: dict[str, PreviewFiles]  # by edition language, the issue's own first
    messages: list[Path] = field(default_factory=list)
    accounts: list[DemoAccount] = field(default_factory=list)  # the admin first
    base_url: str = ""

    @property
    def preview(self) -> PreviewFiles:
        """The preview of the issue in its own language."""
        return next(iter(self.previews.values()))


def fictitious_people(count: int) -> list[tuple[str, str, str]]:
    """(name, email, language) of people who do not exist, on the reserved example domains."""
    people = []
    for i in range(count):
        first, last = FIRST[i % len(FIRST)], LAST[(i * 7) % len(LAST)]
        email = f"reader{i + 1:03d}@example.{'org' if i % 2 else 'com'}"
        people.append((f"{first} {last}", email, LANGS[i % len(LANGS)]))
    return people


def month_of(days: list[date]) -> tuple[date, date]:
    """The first and last day of the one calendar month all ``days`` fall in: the issue's
    period, so the month in its title is the month of every story in it."""
    months = sorted({(d.year, d.month) for d in days})
    if len(months) != 1:
        named = ", ".join(f"{y}-{m:02d}" for y, m in months)
        raise UserError(f"{SAMPLE}: the stories span several months ({named}), not one issue's")
    year, month = months[0]
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


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


def load_translations() -> dict[str, Any]:
    with TRANSLATIONS.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _paragraphs(text: str) -> str:
    """Text wrapped in the YAML file as Markdown paragraphs, each on one line."""
    return "\n\n".join(" ".join(p.split()) for p in text.strip().split("\n\n"))


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
        undated = [b.title for b in found if b.event_date is None]
        if undated:
            raise UserError(f"{SAMPLE}: no date found in the story {undated[0]!r}")
        start, end = month_of([d for b in found for d in (b.event_date, b.event_date_end) if d])
    return ids, start, end


def _translate_stories(session: Session, config: Config, ids: list[int], clock: Clock) -> int:
    """Ready Turkish and Arabic blocks in the translation groups of their English stories;
    returns how many stories were translated."""
    by_title = {b.title: b for b in (blocks.get(session, i) for i in ids)}
    count = 0
    for number, story in enumerate(load_translations()["stories"], 1):
        source: Block | None = by_title.get(story["source"])
        if source is None:
            raise UserError(f"{TRANSLATIONS}: no story titled {story['source']!r} in {SAMPLE}")
        group = f"demo-story-{number}"
        blocks.update(session, config.library, source.id or 0, {"translation_group": group},
                      clock())  # fmt: skip
        shared = {name: getattr(source, name) for name in SHARED}
        for language in ("tr", "ar"):
            text = story[language]
            blocks.create(session, config.library, {
                **shared, "title": text["title"], "body": _paragraphs(text["body"]),
                "language": language, "translation_group": group, "status": "ready",
            }, clock())  # fmt: skip
        count += 1
    return count


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


def _accounts(engine, clock: Clock) -> list[DemoAccount]:
    """One workspace account per role, each with a random password printed once: a demo left
    running on a shared machine has no password anyone could guess from the source."""
    made = []
    with db.session_scope(engine) as session:
        for role, email, name in ACCOUNTS:
            if users.find(session, email) is not None:
                made.append(DemoAccount(role, email, ""))
                continue
            password = secrets.token_urlsafe(12)
            users.add(session, email, role, password, clock(), name=name, actor=ACTOR)
            made.append(DemoAccount(role, email, password))
    return made


def _editions(session: Session, issue_id: int, start: date, clock: Clock) -> None:
    """The Turkish and Arabic editions: their texts, headings, and English where untranslated
    (allowed, with a note to the reader, so the checks warn rather than refuse)."""
    data = load_translations()
    rows = sections(session, issue_id)
    for language, texts in data["editions"].items():
        month = format_date(start, "LLLL y", locale=language)
        fields: dict[str, Any] = {k: v.format(month=month) for k, v in texts.items()}
        fields.update(allow_fallback=True, untranslated_note=True)
        headings = {n: data["headings"][row.area][language]
                    for n, row in enumerate(rows, 1) if row.area in data["headings"]}  # fmt: skip
        editions.translate(session, issue_id, language, fields, headings, ACTOR, clock())


def _issue(engine, config: Config, clock: Clock, start: date, end: date) -> int:
    with db.session_scope(engine) as session:
        issue = issues.create(
            session, config, title=f"Monthly update, {start:%B %Y}", now=clock(), author=ACTOR,
            subject=f"Our work this month: {start:%B %Y}",
            preheader="A job fair, new support sessions and a week of neighbours together.",
            intro="Here is what our teams and partners did across Türkiye this month.",
        )  # fmt: skip
        period.compose(session, config, issue.id, start, end, ACTOR, clock())
        _editions(session, issue.id or 0, start, clock)
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
        accounts = _accounts(engine, clock)
        ids, start, end = _import_sample(engine, config, clock)
        with db.session_scope(engine) as session:
            translated = _translate_stories(session, config, ids, clock)
        _audience(engine, config, clock, recipients)
        issue_id = _issue(engine, config, clock, start, end)
        with db.session_scope(engine) as session:
            send = ledger.start_send(session, issue_id, ["monthly-update"], clock(), config)
        result = sender.run_send(engine, config, send.id or 0, clock)
        with db.session_scope(engine) as session:
            issue = issues.get(session, issue_id)
            own, status, title = issue.language, issue.status, issue.title
            others = sorted(issue.translations)
            previews = {own: write_preview(session, config, issue_id, folder / "preview")}
            for language in others:
                previews[language] = write_preview(
                    session, config, issue_id, folder / "preview", language=language
                )
    finally:
        engine.dispose()
    outbox = config.resolve_path(config.sending.outbox_dir)
    return DemoResult(
        folder=folder, config_file=config_file, database=Path(engine.url.database or ""),
        blocks=len(ids), translated=translated, subscribers=recipients, issue_id=issue_id,
        title=title, status=status, sent=result.progress.sent, outbox=outbox, previews=previews,
        messages=sorted(outbox.glob("*.eml")), accounts=accounts,
        base_url=config.public.base_url,
    )  # fmt: skip
