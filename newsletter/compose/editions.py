"""Other language editions of an issue: their texts and section headings.

In an edition each block is shown through its translation (``issue_content.translation_of``);
freezing renders every edition (``issues.freeze``). An edition with ``allow_fallback`` may show
the issue's own texts and untranslated blocks (a check warning); without it they are errors.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from newsletter.compose.issue_content import sections
from newsletter.compose.issues import get, mark_edited
from newsletter.core.errors import NotFound, UserError
from newsletter.core.models import Issue
from newsletter.core.safe_text import one_line
from newsletter.rendering.email_render import locale_for

TRANSLATABLE = ("title", "subject", "preheader", "intro", "greeting", "untranslated_note",
                "allow_fallback")  # fmt: skip
SWITCHES = ("untranslated_note", "allow_fallback")  # true or false


def translate(
    session: Session,
    issue_id: int,
    language: str,
    fields: dict[str, str],
    headings: dict[int, str],
    actor: str,
    now: datetime,
) -> Issue:
    """Add or change another language's edition: its texts and section headings (by number).

    Blocks appear in the edition through their translations (same translation group); a block
    without one is shown as it is, and ``issues check`` says so: an error, or a warning when
    the edition's ``allow_fallback`` is true.
    """
    issue = get(session, issue_id)
    locale_for(language)
    if language == issue.language:
        raise UserError(f"language {language!r} is the issue's own language: use 'issues edit'")
    unknown = set(fields) - set(TRANSLATABLE)
    if unknown:
        raise UserError(f"{', '.join(sorted(unknown))}: not translatable (use {TRANSLATABLE})")
    for name, value in fields.items():
        if name in SWITCHES:
            if not isinstance(value, bool):
                raise UserError(f"{name}: expected true or false, got {value!r}")
        elif value is not None and name != "intro":
            one_line(f"{language} {name}", value)
    for text in headings.values():
        one_line(f"{language} section heading", text)
    rows = sections(session, issue_id)
    for number in headings:
        if not 1 <= number <= len(rows):
            raise UserError(f"--heading {number}: issue {issue_id} has {len(rows)} sections")
    mark_edited(session, issue, actor, now)
    edition = dict(issue.translations.get(language, {}))
    edition.update({k: v for k, v in fields.items() if v is not None})
    names = dict(edition.get("headings", {}))
    names.update({str(rows[n - 1].id): text for n, text in headings.items()})
    edition["headings"] = names
    issue.translations = {**issue.translations, language: edition}
    session.add(issue)
    return issue


def drop(session: Session, issue_id: int, language: str, actor: str, now: datetime) -> Issue:
    issue = get(session, issue_id)
    if language not in issue.translations:
        raise NotFound(f"issue {issue_id} has no {language!r} edition")
    mark_edited(session, issue, actor, now)
    issue.translations = {k: v for k, v in issue.translations.items() if k != language}
    session.add(issue)
    return issue
