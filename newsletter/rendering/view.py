"""What an issue contains, as plain frozen data: the input of rendering and of the checks.

Pure data: compose loads it from the database (``compose.issue_content.load_view``), and
everything after (render, text part, checks) works on it without a Session. The view
round-trips through JSON, so a snapshot stores exactly what it was rendered from.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True)
class BlockView:
    block_id: int
    kind: str
    title: str
    text: str  # Markdown shown in the issue (summary override, summary or body)
    status: str = "ready"
    area: str | None = None
    image_url: str | None = None
    image_alt: str | None = None
    image_credit: str | None = None
    link_url: str | None = None
    link_label: str | None = None
    event_date: date | None = None
    event_date_end: date | None = None
    places: tuple[str, ...] = ()
    language: str = ""


@dataclass(frozen=True)
class SectionView:
    heading: str
    blocks: tuple[BlockView, ...] = ()
    area: str | None = None


@dataclass(frozen=True)
class IssueView:
    issue_id: int
    title: str
    subject: str = ""
    preheader: str = ""
    intro: str = ""
    language: str = "en"
    theme: str = "monthly"
    issue_date: date | None = None
    period_start: date | None = None
    period_end: date | None = None
    sections: tuple[SectionView, ...] = field(default_factory=tuple)
    # The edition's own greeting: None keeps the theme's, "" leaves it out, else the words
    # with {name} where the reader's name goes (``rendering.greeting``).
    greeting: str | None = None
    # Say, above a block shown in another language (no translation yet), that it is only
    # available in that language, in the edition's own words.
    untranslated_note: bool = False

    @property
    def blocks(self) -> list[BlockView]:
        return [b for s in self.sections for b in s.blocks]

    def to_dict(self) -> dict[str, Any]:
        return _jsonable(asdict(self))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def view_from_dict(data: dict[str, Any]) -> IssueView:
    sections = tuple(
        SectionView(
            heading=s["heading"],
            area=s.get("area"),
            blocks=tuple(
                BlockView(
                    **{
                        **b,
                        "event_date": _date(b.get("event_date")),
                        "event_date_end": _date(b.get("event_date_end")),
                        "places": tuple(b.get("places", ())),
                    }
                )
                for b in s["blocks"]
            ),
        )
        for s in data["sections"]
    )
    dates = {k: _date(data.get(k)) for k in ("issue_date", "period_start", "period_end")}
    plain = {k: v for k, v in data.items() if k not in dates and k != "sections"}
    return IssueView(**plain, **dates, sections=sections)
