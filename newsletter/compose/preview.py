"""An issue as it would go out now: its current snapshot (frozen, or rendered fresh), and
preview files of it as the sample reader gets it, written as HTML and text.

Previews and proofs (test sends) both start from ``current_snapshot``, so what an officer
previews is what a proof sends and what the ledger will send.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session

from newsletter.compose import issues
from newsletter.compose.issue_content import load_view
from newsletter.core.config import Config
from newsletter.core.errors import UserError
from newsletter.core.models import IssueSnapshot
from newsletter.rendering.email_render import render_issue
from newsletter.rendering.personalise import compile_parts
from newsletter.rendering.sample import SAMPLE_NAME, sample_fields


@dataclass
class PreviewFiles:
    html: Path
    text: Path


def current_snapshot(
    session: Session, config: Config, issue_id: int, language: str | None = None
) -> IssueSnapshot:
    """The frozen snapshot when there is one (what is or was sent), else a fresh render of the
    issue as it is now (not stored). ``language`` None means the issue's own language."""
    wanted = language or issues.get(session, issue_id).language
    frozen = {s.language: s for s in issues.snapshots(session, issue_id)}
    if wanted in frozen:  # what was sent stays what a preview shows, whatever changed since
        return frozen[wanted]
    view = load_view(session, issue_id, wanted)  # also refuses an unknown edition
    rendered = render_issue(view, config)
    return IssueSnapshot(
        issue_id=issue_id,
        language=view.language,
        subject=rendered.subject,
        preheader=rendered.preheader,
        html=rendered.html,
        text=rendered.text,
        content=view.to_dict(),
    )


def preview_parts(
    session: Session, config: Config, issue_id: int, language: str | None, name: str
) -> tuple[str, str]:
    """The HTML and text the sample reader named ``name`` gets."""
    snapshot = current_snapshot(session, config, issue_id, language)
    parts = compile_parts(snapshot.html, snapshot.text)
    return parts.fill(sample_fields(config.public.base_url, issue_id, name))


def write_preview(
    session: Session,
    config: Config,
    issue_id: int,
    out: Path,
    *,
    name: str = SAMPLE_NAME,
    language: str | None = None,
) -> PreviewFiles:
    html, text = preview_parts(session, config, issue_id, language, name)
    stem = f"issue-{issue_id}" + (f"-{language}" if language else "")
    files = PreviewFiles(out / f"{stem}.html", out / f"{stem}.txt")
    try:
        out.mkdir(parents=True, exist_ok=True)
        files.html.write_text(html, encoding="utf-8")
        files.text.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UserError(f"--out {out}: cannot write the preview ({exc})") from None
    return files
