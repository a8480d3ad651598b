"""What the composer shows, read through the compose and library services: the issue's
sections and blocks, the picker of the period's ready blocks (and the undated ones), and the
preview as a frame shows it (dark mode always on, the text part in a page).

Also the reading of the composer's forms: which fields a form changed (so saving an unchanged
form does not send a reviewed issue back to draft), checked for length. Nothing here commits.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from markupsafe import escape
from sqlmodel import Session

from newsletter.compose import period
from newsletter.compose.issue_content import placements, sections
from newsletter.core.config import Config
from newsletter.core.errors import UserError
from newsletter.core.models import Block, Issue, Placement, Section
from newsletter.library.blocks import BlockFilter, list_blocks
from newsletter.rendering import bidi, templating

ISSUE_FIELDS = ("title", "subject", "preheader", "intro", "issue_date", "theme")
# The greeting stays with the CLI (`issues translate --greeting`): there "" means no greeting
# and leaving it out the theme's, which one empty form field cannot tell apart.
EDITION_TEXTS = ("title", "subject", "preheader", "intro")
EDITION_SWITCHES = ("allow_fallback", "untranslated_note")
ONE_LINE = ("title", "subject", "preheader")
# A subject or title longer than this is a paste gone wrong, not a headline (a block's title
# has the same limit, library.block_validation.MAX_TITLE); the checks warn from 80 already.
MAX_LINE = 300
MAX_INTRO = 20_000
# The states a preview frame can show (the composer's tabs, the preview's query parameters).
MODES = ("light", "dark")
FORMATS = ("html", "text")
DARK_QUERY = re.compile(r"\(\s*prefers-color-scheme\s*:\s*dark\s*\)")


def field_error(message: str, fields: tuple[str, ...], prefix: str = "") -> dict[str, str]:
    """{field: message} for a service's message naming one of ``fields`` first ("subject
    contains a line break…", "--title: …", "tr subject …" with prefix "tr "); else {"": …}."""
    rest = message.removeprefix("--")
    if prefix and rest.startswith(prefix):
        rest = rest[len(prefix) :].removeprefix("--")
    for name in sorted(fields, key=len, reverse=True):
        if rest.startswith(name) and rest[len(name) : len(name) + 1] in (":", " ", "'", ""):
            return {name: message}
    return {"": message}


def checked_line(name: str, value: str) -> str:
    """A one-line value within MAX_LINE (the service refuses line breaks and controls)."""
    if len(value) > MAX_LINE:
        raise UserError(f"{name}: {len(value)} characters, more than {MAX_LINE}; shorten it")
    return value


def checked_text(name: str, value: str) -> str:
    """A Markdown text from a textarea, with the line ends it was written with."""
    text = value.replace("\r\n", "\n")  # a browser sends a textarea's line ends as CR LF
    if len(text) > MAX_INTRO:
        raise UserError(f"{name}: {len(text)} characters, more than {MAX_INTRO}; shorten it")
    return text


def checked_heading(value: str) -> str:
    if not value.strip():
        raise UserError("heading: a section needs a heading")
    return checked_line("heading", value.strip())


def parse_day(name: str, value: str) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise UserError(f"{name}: {value!r} is not a date (write it as YYYY-MM-DD)") from None


def issue_changes(issue: Issue, posted: dict[str, str]) -> dict[str, Any]:
    """The issue fields the form changed, checked for length; the service checks the rest."""
    out: dict[str, Any] = {}
    for name in ISSUE_FIELDS:
        if name not in posted:
            continue
        value: Any = posted[name]
        if name == "issue_date":
            value = parse_day(name, value)
        elif name == "intro":
            value = checked_text(name, value)
        elif name in ONE_LINE:
            value = checked_line(name, value)
        if value != getattr(issue, name):
            out[name] = value
    return out


def edition_changes(
    issue: Issue, language: str, posted: dict[str, str], switches: dict[str, bool]
) -> dict[str, Any]:
    """The edition texts and switches the form changed."""
    current = issue.translations.get(language, {})
    out: dict[str, Any] = {}
    for name in EDITION_TEXTS:
        if name not in posted:
            continue
        value = posted[name]
        value = checked_text(name, value) if name == "intro" else checked_line(name, value)
        if value != (current.get(name) or ""):
            out[name] = value
    for name, on in switches.items():
        if on != bool(current.get(name)):
            out[name] = on
    return out


def heading_changes(
    issue: Issue, language: str, rows: list[Section], posted: dict[int, str]
) -> dict[int, str]:
    """Section headings (by number) of an edition that the form changed."""
    names = issue.translations.get(language, {}).get("headings", {})
    out = {}
    for number, text in posted.items():
        # An emptied heading is stored empty: the edition shows the issue's heading again.
        if 1 <= number <= len(rows) and text.strip() != names.get(str(rows[number - 1].id), ""):
            out[number] = checked_line(f"{language} section heading", text.strip())
    return out


def themes(config: Config) -> list[str]:
    """The email themes the templates offer (folders with an issue.mjml.j2)."""
    found = {
        p.parent.name
        for folder in templating.template_dirs(config)
        for p in (folder / "email").glob("*/issue.mjml.j2")
    }
    return sorted(found)


def default_period(issue: Issue, today: date) -> tuple[date, date]:
    """The issue's period, else the month of its date, else this month."""
    if issue.period_start and issue.period_end:
        return issue.period_start, issue.period_end
    day = issue.issue_date or issue.period_start or today
    last = calendar.monthrange(day.year, day.month)[1]
    return day.replace(day=1), day.replace(day=last)


# --- The issue's content ----------------------------------------------------------------------


@dataclass
class Row:
    """One placed block as the composer lists it."""

    block: Block
    placement: Placement
    number: int
    first: bool
    last: bool

    @property
    def title(self) -> str:
        return self.placement.title_override or self.block.title


@dataclass
class SectionRows:
    section: Section
    number: int
    rows: list[Row] = field(default_factory=list)


def composition(session: Session, issue_id: int) -> list[SectionRows]:
    out = []
    shown = sections(session, issue_id)
    for number, section in enumerate(shown, start=1):
        group = SectionRows(section, number)
        placed = placements(session, section.id or 0)
        for index, placement in enumerate(placed):
            block = session.get(Block, placement.block_id)
            assert block is not None  # placements reference blocks by foreign key
            first = index == 0 and number == 1
            last = index == len(placed) - 1 and number == len(shown)
            group.rows.append(Row(block, placement, index + 1, first, last))
        out.append(group)
    return out


@dataclass
class Picker:
    """Ready blocks in the issue's language that are not in it yet: those dated in the period,
    and every undated one (never silently left out); ``used`` are in an issue already sent."""

    start: date
    end: date
    dated: list[Block]
    undated: list[Block]
    used: set[int]


def picker(
    session: Session, config: Config, issue: Issue, start: date, end: date, placed: set[int]
) -> Picker:
    ready = BlockFilter(statuses=["ready"], language=issue.language)
    in_period = BlockFilter(statuses=["ready"], language=issue.language, date_from=start,
                            date_to=end)  # fmt: skip
    dated = [b for b in list_blocks(session, config.library, in_period) if b.id not in placed]
    dated.sort(key=lambda b: (b.event_date or start, b.id or 0))
    undated = [
        b
        for b in list_blocks(session, config.library, ready)
        if b.event_date is None and b.id not in placed
    ]
    used = set(period.left_out(session, issue.id or 0, start, end).already_used)
    return Picker(start, end, dated, undated, used)


# --- The preview frame ---------------------------------------------------------------------------


def dark(html: str) -> str:
    """The email with its dark-mode rules always on, as a reader with a dark mail app sees it."""
    return DARK_QUERY.sub("all", html)


TEXT_PAGE = """<!doctype html>
<html lang="{lang}" dir="{dir}"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{margin:0;padding:16px;background:{bg};color:{ink}}}
pre{{margin:0;white-space:pre-wrap;overflow-wrap:anywhere;font:14px/1.5 ui-monospace,Menlo,
Consolas,monospace}}</style></head>
<body><pre>{text}</pre></body></html>
"""


def text_page(text: str, language: str, title: str, in_dark: bool) -> str:
    """The text part as a frame shows it: as it is, wrapped only where it is too long."""
    bg, ink = ("#111", "#e6e6e6") if in_dark else ("#fff", "#1b1b1b")
    direction = "rtl" if bidi.is_rtl(language) else "ltr"
    return TEXT_PAGE.format(
        lang=escape(language), dir=direction, title=escape(title), bg=bg, ink=ink,
        text=escape(text),
    )  # fmt: skip
