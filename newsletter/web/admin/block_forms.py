"""What the block library's pages do with forms and query strings, apart from the routes.

- ``filter_of`` reads the listing's filters (``q``, ``area``, ``tag``, ``place``, ``partner``,
  ``status``, ``language``, ``from``, ``to``, ``page``) into the library's ``BlockFilter``.
- ``posted`` reads the block form; the values go to the library's services unchanged, so a
  mistake gets the CLI's message ("title: a block needs a title"), shown beside the field.
- ``with_photo`` applies the media picker: a chosen photo sets the image address, and its alt
  text and credit when the form does not have them yet (without JavaScript, or before it ran).
- ``preview_html`` renders one block inside the email theme, as the sample reader gets it.
"""

from __future__ import annotations

from datetime import date
from html import escape
from typing import Any

from sqlmodel import Session
from starlette.datastructures import FormData, QueryParams

from newsletter.compose.issue_content import block_view
from newsletter.core.config import Config
from newsletter.core.errors import NotFound, UserError
from newsletter.core.models import BLOCK_KINDS, BLOCK_STATUSES, Block
from newsletter.library import media
from newsletter.library.block_validation import check_record, clean
from newsletter.library.blocks import BlockFilter
from newsletter.rendering.email_render import render_issue
from newsletter.rendering.personalise import compile_parts
from newsletter.rendering.sample import sample_fields
from newsletter.rendering.view import IssueView, SectionView
from newsletter.web import i18n

# The form's fields, named as the library names them (so its messages name the field).
FIELDS = (
    "title", "summary", "body", "kind", "area", "language", "event_date", "event_date_end",
    "places", "partners", "tags", "image_url", "image_alt", "image_credit", "link_url",
    "link_label", "author",
)  # fmt: skip
LISTS = ("places", "partners", "tags")
DATES = ("event_date", "event_date_end")
FILTERS = ("q", "area", "tag", "place", "partner", "status", "language", "from", "to")
STATUS_CHOICES = ("", "draft", "ready", "archived", "all")  # "": draft and ready
PHOTOS_OFFERED = 30  # the newest photos the picker shows; the media page has the rest


def shown(block: Block) -> dict[str, str]:
    """The block's fields as the form shows them."""
    out: dict[str, str] = {}
    for name in FIELDS:
        value = getattr(block, name)
        if name in LISTS:
            out[name] = ", ".join(value or [])
        elif name in DATES:
            out[name] = value.isoformat() if value else ""
        else:
            out[name] = "" if value is None else str(value)
    return out


def starting(fields: dict[str, Any]) -> dict[str, str]:
    """Service fields (lists, dates) as the form shows them."""
    return shown(Block(**{"title": "", **fields}))


def posted(form: FormData) -> dict[str, str]:
    """The block fields the form sent, as text (a field it did not send stays out)."""
    out = {}
    for name in FIELDS:
        value = form.get(name)
        if isinstance(value, str):
            # Browsers send a textarea's lines ending in CR LF: as stored, they end in LF, so
            # saving an unchanged story changes nothing.
            out[name] = value.replace("\r\n", "\n")
    return out


def chosen_photo(form: FormData) -> int | None:
    value = form.get("media_id")
    return int(value) if isinstance(value, str) and value.isdigit() else None


def with_photo(
    session: Session, config: Config, values: dict[str, str], media_id: int | None
) -> dict[str, str]:
    """The form's values with the picked photo as the image. Alt text and credit come from
    the photo unless the form already shows this photo (the page's script copied them, and
    the officer may have changed them since)."""
    if media_id is None:
        return values
    try:
        item = media.get(session, media_id)
    except NotFound:  # deleted since the page was shown
        raise UserError(
            f"image_url: photo {media_id} is not in the media library (any more); choose another"
        ) from None
    address = media.url(config, item)
    if values.get("image_url", "").strip() == address:
        return values
    return {**values, "image_url": address,
            "image_alt": item.alt or values.get("image_alt", ""),
            "image_credit": item.credit or values.get("image_credit", "")}  # fmt: skip


def photos(session: Session, config: Config) -> list[dict[str, Any]]:
    """The newest photos of the media library, for the picker."""
    return [
        {
            "id": m.id,
            "url": media.url(config, m),
            "alt": m.alt,
            "credit": m.credit,
            "name": m.original_name,
            "width": m.width,
            "height": m.height,
        }  # fmt: skip
        for m in media.list_media(session, 0, PHOTOS_OFFERED)
    ]


def _day(name: str, value: str) -> date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UserError(f"{name}: {value!r} is not a date (write it as YYYY-MM-DD)") from None


def filter_values(params: QueryParams) -> dict[str, str]:
    return {name: params.get(name, "").strip() for name in FILTERS}


def filter_of(values: dict[str, str], page: int, page_size: int) -> BlockFilter:
    """The listing's filters; a UserError naming the filter ("from: ...") for a bad one."""
    status = values["status"]
    if status not in STATUS_CHOICES:
        raise UserError(f"status: unknown status {status!r} (choose one of: "
                        f"{', '.join(BLOCK_STATUSES)}, all)")  # fmt: skip
    statuses = list(BLOCK_STATUSES) if status == "all" else [status] if status else []
    return BlockFilter(
        area=values["area"] or None, tag=values["tag"] or None, place=values["place"] or None,
        partner=values["partner"] or None, statuses=statuses,
        language=values["language"] or None, date_from=_day("from", values["from"]),
        date_to=_day("to", values["to"]), search=values["q"] or None,
        limit=page_size, offset=(page - 1) * page_size,
    )  # fmt: skip


def page_number(value: str | None) -> int:
    return int(value) if value and value.isdigit() and 0 < int(value) < 1_000_000 else 1


def choices(config: Config, current: str = "") -> dict[str, list[tuple[str, str]]]:
    """The options of the form's selects (labels are translated in the template)."""
    library = config.library
    languages = list(dict.fromkeys([*library.languages, *([current] if current else [])]))
    return {
        "areas": [(a.slug, a.name) for a in library.areas],
        "kinds": [(k, k) for k in BLOCK_KINDS],
        "block_languages": [(code, i18n.own_name(code)) for code in languages],
    }


def preview_html(config: Config, values: dict[str, str], block_id: int = 0) -> str:
    """The block as the email shows it, alone in the theme's frame, for the sample reader.
    The form's values are checked as saving checks them; a mistake is a UserError."""
    fields = {name: value for name, value in values.items() if name in FIELDS}
    fields = {"language": config.library.default_language, **fields}
    cleaned = clean(config.library, fields, config.public.base_url)
    if not cleaned.get("title"):
        raise UserError("title: a block needs a title")
    check_record(cleaned)
    return block_email(config, Block(id=block_id, **cleaned))


def block_email(config: Config, block: Block) -> str:
    """The HTML of an email holding only this block, filled for the sample reader."""
    # The section is headed by the block's area, as composing does, in the library's language
    # only: area names are written in that one (an issue's editions translate headings).
    areas = {a.slug: a.name for a in config.library.areas}
    own = block.language == config.library.default_language
    heading = areas.get(block.area or "", "") if own else ""
    view = IssueView(
        issue_id=0, title="", language=block.language, theme=config.rendering.theme,
        sections=(SectionView(heading, (block_view(block),), block.area),),
    )  # fmt: skip
    rendered = render_issue(view, config)
    parts = compile_parts(rendered.html, rendered.text)
    html, _text = parts.fill(sample_fields(config.public.base_url, 0))
    return html


def problem_page(message: str, lang: str) -> str:
    """What the preview frame shows when the form has a mistake."""
    return (
        f'<!doctype html><html lang="{escape(lang)}"><meta charset="utf-8">'
        '<body style="font:16px/1.5 system-ui,sans-serif;color:#b3261e;margin:1rem">'
        f"<p>{escape(message)}</p></body></html>"
    )
