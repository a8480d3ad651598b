"""Pre-send checks of an issue as stored: loads its content and each language edition, then
runs the pure checks of ``rendering.checks`` on them.

It reads issues with the Session directly (not through ``compose.issues``), because approving
an issue in ``compose.issues`` runs these checks.
"""

from __future__ import annotations

from dataclasses import replace

from sqlmodel import Session

from newsletter.compose.issue_content import languages, load_view, sections
from newsletter.core.config import Config
from newsletter.core.errors import NotFound
from newsletter.core.models import Issue, Section
from newsletter.rendering.checks import Finding, check_view


def check_issue(session: Session, config: Config, issue_id: int) -> list[Finding]:
    """Checks of the issue and of each other-language edition (those prefixed "[tr] ")."""
    issue = session.get(Issue, issue_id)
    if issue is None:
        raise NotFound(f"no issue with id {issue_id}")
    findings = check_view(load_view(session, issue_id), config)
    seen = {f.message for f in findings}
    for language in languages(issue)[1:]:
        edition = translation_findings(issue, language, sections(session, issue_id))
        edition += check_view(load_view(session, issue_id, language), config)
        findings += [
            replace(f, message=f"[{language}] {f.message}")
            for f in edition
            if f.message not in seen
        ]
    return findings


def translation_findings(issue: Issue, language: str, rows: list[Section]) -> list[Finding]:
    edition = issue.translations.get(language, {})
    missing = [name for name in ("title", "subject", "preheader") if not edition.get(name)]
    if issue.intro and not edition.get("intro"):
        missing.append("intro")
    headings = edition.get("headings", {})
    numbers = [str(n) for n, s in enumerate(rows, start=1) if str(s.id) not in headings]
    if numbers:
        missing.append(f"heading of section {', '.join(numbers)}")
    if not missing:
        return []
    msg = f"the edition has no {', '.join(missing)}: the {issue.language} text is shown"
    return [Finding("translation-incomplete", "warning", msg)]

