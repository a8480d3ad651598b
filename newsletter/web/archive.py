"""The public archive: issues whose send to a public list finished, their editions (one per
language) and web versions, and an Atom feed per language.

Which issues are published is the delivery capability's rule (``delivery.publication``); this
module builds the pages' content from it. The web version is the frozen snapshot filled with
``personalise.public_fields``: nobody's name and no personal links, so the page is the same for
everyone and safe to share.

An issue's edition in its own language has the plain address (``/archive/5``); another edition
adds ``?lang=`` (``/archive/5?lang=ar``). Asking for an edition the issue lacks gives the
issue's own language, as the emails of a list without that edition did.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from feedgen.feed import FeedGenerator
from sqlmodel import Session, select

from newsletter.core.errors import NotFound
from newsletter.core.models import Issue, IssueSnapshot
from newsletter.delivery import publication
from newsletter.rendering import personalise
from newsletter.web import i18n


def edition_url(base_url: str, issue_id: int, lang: str, own: str, key: str = "") -> str:
    """The address of an issue's edition in ``lang`` (``own`` is the issue's own language)."""
    return personalise.archive_url(base_url, issue_id, key, "" if lang == own else lang)


@dataclass(frozen=True)
class Edition:
    language: str
    title: str


@dataclass(frozen=True)
class Entry:
    issue_id: int
    title: str  # of the edition shown
    preheader: str
    language: str  # the edition shown: the one asked for, else the issue's own
    own_language: str
    editions: tuple[Edition, ...]  # every edition, by language code
    sent_at: datetime

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(e.language for e in self.editions)


def _pick(snapshots: list[IssueSnapshot], wanted: str | None, default: str) -> IssueSnapshot:
    by_lang = {s.language: s for s in snapshots}
    return (
        by_lang.get(wanted or "")
        or by_lang.get(i18n.base(wanted))
        or by_lang.get(default)
        or snapshots[0]
    )


def entries(session: Session, lang: str | None = None) -> list[Entry]:
    """Published issues, newest first, titled in ``lang`` where an edition exists."""
    sent = publication.published(session)
    if not sent:
        return []
    issues = {i.id: i for i in session.exec(select(Issue).where(Issue.id.in_(sent)))}  # type: ignore[union-attr]
    snaps: dict[int, list[IssueSnapshot]] = {}
    for snap in session.exec(
        select(IssueSnapshot).where(IssueSnapshot.issue_id.in_(sent))  # type: ignore[attr-defined]
    ):
        snaps.setdefault(snap.issue_id, []).append(snap)
    out = []
    for issue_id, at in sent.items():
        issue = issues.get(issue_id)
        if issue is None or issue_id not in snaps:
            continue
        snap = _pick(snaps[issue_id], lang, issue.language)
        editions = tuple(
            Edition(s.language, s.subject or issue.title)
            for s in sorted(snaps[issue_id], key=lambda s: s.language)
        )
        out.append(
            Entry(
                issue_id,
                snap.subject or issue.title,
                snap.preheader,
                snap.language,
                issue.language,
                editions,
                at,
            )
        )
    return sorted(out, key=lambda e: (e.sent_at, e.issue_id), reverse=True)


@dataclass(frozen=True)
class WebVersion:
    html: str
    public: bool  # open to everyone; else opened with the key from a private list's email
    language: str  # the edition shown
    own_language: str
    languages: tuple[str, ...]  # every edition


def web_version(
    session: Session, base_url: str, issue_id: int, lang: str | None, keyed: bool = False
) -> WebVersion:
    """The issue's web version in edition ``lang`` (else the issue's own language).

    NotFound unless it was sent to a public list, or it was sent at all and the reader came
    with the issue's key from the email (``keyed``): private issues stay out of the index.
    """
    public = publication.is_public(session, issue_id)
    if not public and not (keyed and publication.was_sent(session, issue_id)):
        raise NotFound(f"issue {issue_id} is not in the public archive")
    issue = session.get(Issue, issue_id)
    snapshots = list(session.exec(select(IssueSnapshot).where(IssueSnapshot.issue_id == issue_id)))
    if issue is None or not snapshots:
        raise NotFound(f"issue {issue_id} has no published version")
    snap = _pick(snapshots, lang, issue.language)
    # Its "view online" link leads back to this very edition.
    shown = "" if snap.language == issue.language else snap.language
    html, _text = personalise.compile_parts(snap.html, snap.text).fill(
        personalise.public_fields(base_url, issue_id, shown)
    )
    languages = tuple(sorted(s.language for s in snapshots))
    return WebVersion(html, public, snap.language, issue.language, languages)


def feed_path(lang: str) -> str:
    return f"/archive/{lang}/feed.atom"


def atom_feed(items: list[Entry], base_url: str, title: str, lang: str) -> bytes:
    """The Atom feed of the archive in ``lang`` (feedgen), newest entry first: each issue's
    edition in ``lang`` where it has one, else its own."""
    base = base_url.rstrip("/")
    feed = FeedGenerator()
    # One feed per language, each with its own id: the entries differ.
    feed.id(base + feed_path(lang))
    feed.title(title)
    feed.link(href=f"{base}/archive?lang={lang}", rel="alternate")
    feed.link(href=base + feed_path(lang), rel="self")
    feed.language(lang)
    feed.updated(items[0].sent_at if items else datetime(2000, 1, 1, tzinfo=UTC))
    for item in reversed(items):  # feedgen prepends each new entry
        url = edition_url(base, item.issue_id, item.language, item.own_language)
        entry = feed.add_entry()
        entry.id(url)
        entry.title(item.title)
        entry.link(href=url, rel="alternate")
        entry.updated(item.sent_at)
        entry.published(item.sent_at)
        if item.preheader:
            entry.summary(item.preheader)
    return feed.atom_str(pretty=True)
