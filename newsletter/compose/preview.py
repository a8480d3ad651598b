"""Preview files: an issue as a sample recipient gets it, written as HTML and text."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session

from newsletter.compose import issues
from newsletter.compose.issue_view import load_view
from newsletter.core.config import Config
from newsletter.core.errors import UserError
from newsletter.rendering.email_render import render_issue
from newsletter.rendering.personalise import PersonalFields, archive_url, compile_parts

SAMPLE_NAME = "Ayşe Yılmaz"
SAMPLE_EMAIL = "ayse.yilmaz@example.org"


@dataclass
class PreviewFiles:
    html: Path
    text: Path


def sample_fields(base_url: str, issue_id: int, name: str = SAMPLE_NAME) -> PersonalFields:
    base = base_url.rstrip("/")
    return PersonalFields(
        name=name,
        email=SAMPLE_EMAIL,
        unsubscribe_url=f"{base}/unsubscribe/sample-token",
        preferences_url=f"{base}/preferences/sample-token",
        view_online_url=archive_url(base, issue_id),
    )


def preview_parts(
    session: Session, config: Config, issue_id: int, language: str | None, name: str
) -> tuple[str, str]:
    """The frozen snapshot when there is one (what is or was sent), else a fresh render."""
    view = load_view(session, issue_id, language)  # also refuses an unknown edition
    frozen = {s.language: s for s in issues.snapshots(session, issue_id)}
    if view.language in frozen:
        html, text = frozen[view.language].html, frozen[view.language].text
    else:
        rendered = render_issue(view, config)
        html, text = rendered.html, rendered.text
    return compile_parts(html, text).fill(sample_fields(config.public.base_url, issue_id, name))


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
