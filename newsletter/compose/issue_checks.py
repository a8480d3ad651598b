"""Pre-send checks of an issue as stored: loads its content and each language edition, then
runs the pure checks of ``rendering.checks`` on them.

An edition missing a translation (a text or a block shown in the issue's own language) is an
error, unless the edition allows fallback (``issues translate ISSUE LANG --allow-fallback``):
then a warning. What a translated block lost against its source (a photo, a link) is a warning.

It reads issues with the Session directly (not through ``compose.issues``), because approving
an issue in ``compose.issues`` runs these checks.
"""

from __future__ import annotations

from dataclasses import replace

from sqlmodel import Session

from newsletter.compose.edition_gaps import allows_fallback, block_gaps, missing_texts
from newsletter.compose.issue_content import languages, load_view, sections
from newsletter.core.config import Config
from newsletter.core.errors import NotFound
from newsletter.core.models import Issue, Section
from newsletter.rendering.checks import Finding, check_view
from newsletter.rendering.view import IssueView


def check_issue(session: Session, config: Config, issue_id: int) -> list[Finding]:
    """Checks of the issue and of each other-language edition (those prefixed "[tr] ")."""
    issue = session.get(Issue, issue_id)
    if issue is None:
        raise NotFound(f"no issue with id {issue_id}")
    source = load_view(session, issue_id)
    findings = check_view(source, config)
    seen = {f.message for f in findings}
    for language in languages(issue)[1:]:
        severity = "warning" if allows_fallback(issue, language) else "error"
        view = load_view(session, issue_id, language)
        edition = translation_findings(issue, language, sections(session, issue_id), severity)
        edition += check_view(view, config, untranslated=severity)
        edition += lost_findings(source, view)
        findings += [
            replace(f, message=f"[{language}] {f.message}")
            for f in edition
            if f.message not in seen
        ]
    return findings


def translation_findings(
    issue: Issue, language: str, rows: list[Section], severity: str = "error"
) -> list[Finding]:
    missing = missing_texts(issue, language, rows)
    if not missing:
        return []
    msg = f"the edition has no {', '.join(missing)}: the {issue.language} text is shown"
    if severity == "error":
        them = "it" if len(missing) == 1 else "them"
        msg += (
            f"; translate {them}, or let this edition show {them} "
            f"(issues translate ISSUE {language} --allow-fallback)"
        )
    return [Finding("translation-incomplete", severity, msg)]


def lost_findings(source: IssueView, edition: IssueView) -> list[Finding]:
    out = []
    for gap in block_gaps(source, edition):
        if gap.lost:
            msg = (
                f'block {gap.source.block_id} "{gap.source.title}": its {edition.language} '
                f"translation (block {gap.shown.block_id}) has no {', '.join(gap.lost)}"
            )
            out.append(Finding("translation-lost", "warning", msg, gap.source.block_id))
    return out
