"""Render an issue: Jinja2 writes MJML, mjml-python turns it into responsive HTML.

The output still holds the personal-field markers of ``personalise``; it is rendered once per
language and filled per recipient. Dates are written in the issue's language with Babel.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from typing import Any

import mjml
from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_interval
from markupsafe import Markup

from newsletter.core.config import Config, OrganisationConfig
from newsletter.core.errors import UserError
from newsletter.rendering import plaintext, safe_markdown, templating
from newsletter.rendering.personalise import archive_url, markers
from newsletter.rendering.view import BlockView, IssueView, SectionView

RTL_LANGUAGES = frozenset({"ar", "he", "fa", "ur"})
SOCIAL_ICONS = frozenset(
    {
        "facebook",
        "twitter",
        "x",
        "linkedin",
        "instagram",
        "youtube",
        "github",
        "pinterest",
        "medium",
        "vimeo",
        "tumblr",
        "xing",
        "snapchat",
        "soundcloud",
        "dribbble",
    }
)


class BlockTemplateError(UserError):
    """A template failed on one block's content: the message and ``block_id`` name it."""

    def __init__(self, message: str, block_id: int) -> None:
        super().__init__(message)
        self.block_id = block_id


@dataclass(frozen=True)
class Rendered:
    subject: str
    preheader: str
    mjml: str
    html: str
    text: str


@lru_cache(maxsize=64)
def locale_for(language: str) -> Locale:
    try:
        return Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError) as exc:
        raise UserError(f"language {language!r}: not a known locale") from exc


def is_rtl(language: str) -> bool:
    return language.split("-")[0].lower() in RTL_LANGUAGES


@lru_cache(maxsize=1024)
def month_label(day: date, language: str) -> str:
    """'Haziran 2021': the standalone month name, as a calendar heading writes it."""
    return format_date(day, "LLLL y", locale=locale_for(language))


@lru_cache(maxsize=1024)
def date_label(start: date, end: date | None, language: str) -> str:
    loc = locale_for(language)
    if end and end != start:
        return format_interval(start, end, "yMMMd", locale=loc)
    return format_date(start, "long", locale=loc)


def issue_month(view: IssueView) -> str:
    day = view.issue_date or view.period_start
    return month_label(day, view.language) if day else ""


@lru_cache(maxsize=2048)
def block_context(block: BlockView, language: str) -> dict[str, Any]:
    """What a block partial receives (cached: a block renders the same way every time)."""
    return _neutral(_block_context(block, language))


def _block_context(block: BlockView, language: str) -> dict[str, Any]:
    when = date_label(block.event_date, block.event_date_end, language) if block.event_date else ""
    return {
        "id": block.block_id,
        "kind": block.kind,
        "title": block.title,
        "html": safe_markdown.to_html(block.text),
        "image_url": block.image_url or "",
        "image_alt": block.image_alt or "",
        "image_credit": block.image_credit or "",
        "link_url": block.link_url or "",
        "link_label": block.link_label or "",
        "when": when,
        "where": ", ".join(block.places),
    }


def _org_context(org: OrganisationConfig) -> dict[str, Any]:
    key = org.model_dump_json()
    found = _ORG_CACHE.get(key)
    if found is None:
        found = _ORG_CACHE[key] = _neutral(organisation_context(org))
    return found


_ORG_CACHE: dict[str, dict[str, Any]] = {}


def organisation_context(org: OrganisationConfig) -> dict[str, Any]:
    social = [
        # "-noshare": link to the profile itself, not to a "share this URL" page
        {
            "name": f"{name.lower()}-noshare" if name.lower() in SOCIAL_ICONS else "web",
            "label": name,
            "url": url,
        }
        for name, url in org.social.items()
    ]
    return {
        "name": org.name,
        "address_lines": [line.strip() for line in org.postal_address.split(",") if line.strip()],
        "postal_address": org.postal_address,
        "website": org.website,
        "logo_url": org.logo_url,
        "brand_colour": org.brand_colour,
        "contact_email": org.contact_email,
        "social": social,
    }


def build_context(view: IssueView, config: Config, labels: dict[str, str]) -> dict[str, Any]:
    locale_for(view.language)  # an unknown language is an error before any template runs
    sections = [
        {
            "heading": s.heading,
            "area": s.area or "",
            "blocks": [block_context(b, view.language) for b in s.blocks],
        }
        for s in view.sections
        if s.blocks
    ]
    p = markers()
    content = {
        "issue": _neutral(_issue_context(view)),
        "sections": _neutral([{**s, "blocks": []} for s in sections]),
        "org": _org_context(config.organisation),
    }
    for target, source in zip(content["sections"], sections, strict=True):
        target["blocks"] = source["blocks"]  # already neutral (and cached)
    return {
        **content,
        "greeting": personal_greeting(labels, p),
        "why": personal_why(labels, p, content["org"]["name"]),
        "labels": labels,
        "p": p,
        "lang": view.language,
        "dir": "rtl" if is_rtl(view.language) else "ltr",
        "align": "right" if is_rtl(view.language) else "left",
        "archive_url": archive_url(config.public.base_url, view.issue_id),
    }


def _issue_context(view: IssueView) -> dict[str, Any]:
    return {
        "id": view.issue_id,
        "title": view.title,
        "subject": view.subject,
        "preheader": view.preheader,
        "intro_html": safe_markdown.to_html(view.intro),
        "month": issue_month(view),
        "language": view.language,
    }


def _neutral(value: Any) -> Any:
    """Content never carries a personal-field marker, whichever field it came from."""
    if isinstance(value, Markup):
        return Markup(safe_markdown.neutralise_markers(str(value)))  # noqa: S704 (stays safe)
    if isinstance(value, str):
        return safe_markdown.neutralise_markers(value)
    if isinstance(value, dict):
        return {k: _neutral(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_neutral(v) for v in value]
    return value


def personal_greeting(labels: dict[str, str], p: dict[str, str]) -> str:
    """'Dear Ayşe,' when the name is known, else the plain greeting: never 'Dear ,'."""
    named = labels["greeting_named"].replace("{name}", p["name"])
    return f"{p['if_name']}{named}{p['end']}{p['if_no_name']}{labels['greeting']}{p['end']}"


def personal_why(labels: dict[str, str], p: dict[str, str], organisation: str) -> str:
    why = labels["why"].replace("{email}", p["email"]).replace("{organisation}", organisation)
    public = labels["why_public"].replace("{organisation}", organisation)
    return f"{p['if_email']}{why}{p['end']}{p['if_no_email']}{public}{p['end']}"


def mjml_template(view: IssueView) -> str:
    return f"email/{view.theme}/issue.mjml.j2"


def render_mjml(view: IssueView, config: Config) -> tuple[str, dict[str, Any]]:
    env = templating.environment(config)
    labels = templating.load_labels(env, view.theme, view.language)
    context = build_context(view, config, labels)
    try:
        return templating.render(env, mjml_template(view), context), context
    except UserError as exc:
        culprit = _failing_block(view, config, env, labels)
        if culprit is None:
            raise
        message = f'{exc} (rendering block {culprit.block_id} "{culprit.title}")'
        raise BlockTemplateError(message, culprit.block_id) from exc


def _failing_block(
    view: IssueView, config: Config, env: Any, labels: dict[str, str]
) -> BlockView | None:
    """The first block that fails on its own, when the frame alone renders: which block a
    theme's partial trips over. Only run after a failure, so its cost does not matter."""

    def fails(sections: tuple[SectionView, ...]) -> bool:
        context = build_context(replace(view, sections=sections), config, labels)
        try:
            templating.render(env, mjml_template(view), context)
        except UserError:
            return True
        return False

    if fails(()):
        return None
    for section in view.sections:
        for block in section.blocks:
            if fails((replace(section, blocks=(block,)),)):
                return block
    return None


def mjml_to_html(source: str, template: str = "the MJML") -> str:
    try:
        return mjml.mjml2html(source, disable_comments=False)
    except ValueError as exc:
        raise UserError(f"{template}: MJML could not be converted: {exc}") from exc


def render_issue(view: IssueView, config: Config) -> Rendered:
    """MJML, HTML and plain text of one issue in its language, with personal markers."""
    source, context = render_mjml(view, config)
    html = mjml_to_html(source, mjml_template(view))
    text = plaintext.render_text(view, context)
    return Rendered(
        subject=context["issue"]["subject"],
        preheader=context["issue"]["preheader"],
        mjml=source,
        html=html,
        text=text,
    )
