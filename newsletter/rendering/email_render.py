"""Render an issue: Jinja2 writes MJML, mjml-python turns it into responsive HTML.

The output still holds the personal-field markers of ``personalise``; it is rendered once per
language and filled per recipient. Dates are written in the issue's language with Babel. The
context says which way the edition reads (``dir``, ``align``, ``arrow``: see ``bidi``), and each
block which way its own words read: a block with no translation yet keeps its language.
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
from newsletter.rendering import bidi, greeting, plaintext, safe_markdown, templating, theme
from newsletter.rendering.personalise import archive_url, markers
from newsletter.rendering.view import BlockView, IssueView, SectionView


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
    rtl = bidi.is_rtl(language)
    # A block with no translation yet is shown in its own language: its words (title, text,
    # its own link label) carry that language and direction; the theme's words and the dates
    # stay in the edition's. Only a different base language counts ("en-GB" in "en" does not).
    foreign = bool(block.language) and bidi.base(block.language) != bidi.base(language)
    own = block.language if foreign else language
    first, rest = theme.split_teaser(block.text)
    return {
        "id": block.block_id,
        "kind": block.kind,
        "title": block.title,
        "html": safe_markdown.to_html(block.text),
        # A teaser shows the first paragraph; the rest only in the web version (see the theme)
        "teaser_html": safe_markdown.to_html(first) if rest else safe_markdown.to_html(block.text),
        "rest_html": safe_markdown.to_html(rest),
        "image_url": block.image_url or "",
        "image_alt": block.image_alt or "",
        "image_credit": block.image_credit or "",
        "credit_html": bidi.isolate(block.image_credit or "", rtl),
        "link_url": block.link_url or "",
        "link_label": block.link_label or "",
        "when": when,
        "places": list(block.places),
        "places_html": [bidi.isolate(place, rtl) for place in block.places],
        "foreign": foreign,
        "lang": block.language if foreign else "",
        "language_name": bidi.language_name(block.language, language) if foreign else "",
        "dir": bidi.direction(own),
        "align": bidi.start_side(own),
        "flipped": bidi.is_rtl(own) != rtl,
        # The theme's "Read more" stays in the edition's language (and direction) inside a
        # block in another one; a label the block brings is in the block's.
        "link_edition": foreign and not block.link_label,
        "link_arrow": bidi.ARROWS[bidi.direction(own if block.link_label else language)],
        "script": bidi.script(own),
    }


def _org_context(org: OrganisationConfig, base_url: str) -> dict[str, Any]:
    key = org.model_dump_json() + base_url
    found = _ORG_CACHE.get(key)
    if found is None:
        found = _ORG_CACHE[key] = _neutral(organisation_context(org, base_url))
    return found


_ORG_CACHE: dict[str, dict[str, Any]] = {}


def organisation_context(org: OrganisationConfig, base_url: str = "") -> dict[str, Any]:
    social = [
        {"label": name, "url": url, "icon": theme.icon_url(base_url, name)}
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
        "org": _org_context(config.organisation, config.public.base_url),
    }
    for target, source in zip(content["sections"], sections, strict=True):
        target["blocks"] = source["blocks"]  # already neutral (and cached)
    rtl = bidi.is_rtl(view.language)
    hello = greeting.greeting(labels, view.greeting, isolate=rtl)
    why = greeting.why(labels, content["org"]["name"], isolate=rtl)
    blocks = [b for s in sections for b in s["blocks"]]
    # A block in another language quotes with that language's marks (quote_mark).
    env = templating.environment(config)
    first = sections[0]["blocks"][0] if sections else None
    own_labels = {
        b["lang"]: templating.load_labels(env, view.theme, b["lang"]) for b in blocks if b["lang"]
    }
    return {
        **content,
        "greeting": hello.html,
        "greeting_text": hello.text,
        "why": why.html,
        "why_text": why.text,
        "labels": labels,
        "p": p,
        "lang": view.language,
        "dir": bidi.direction(view.language),
        "align": bidi.start_side(view.language),
        "end": bidi.end_side(view.language),
        "arrow": bidi.ARROWS[bidi.direction(view.language)],
        "script": bidi.script(view.language),
        "flips": any(b["flipped"] for b in blocks),
        "untranslated_note": view.untranslated_note,
        "own_labels": own_labels,
        "archive_url": archive_url(config.public.base_url, view.issue_id),
        "layout": theme.options(env, view.theme)["layout"],
        # A digest opens with its first block in full when that is a story: the lead.
        "lead_id": first["id"] if first and first["kind"] == "story" else None,
    }


def _issue_context(view: IssueView) -> dict[str, Any]:
    month = issue_month(view)
    return {
        "id": view.issue_id,
        "title": view.title,
        "subject": view.subject,
        "preheader": view.preheader,
        "intro_html": safe_markdown.to_html(view.intro),
        "month": month,
        # "June 2021" above "June 2021 update" says it twice: the kicker only when it adds.
        "kicker": "" if month.casefold() in view.title.casefold() else month,
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
