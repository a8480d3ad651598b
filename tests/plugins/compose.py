"""Test fixtures of the compose capability: library blocks made directly through the models."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlmodel import Session

from newsletter.compose.issue_content import block_view
from newsletter.core.models import Block
from newsletter.rendering.view import IssueView, SectionView

NOW = datetime(2021, 7, 2, 9, 30, tzinfo=UTC)

JUNE_BLOCKS: list[dict[str, Any]] = [
    {
        "title": "Forty women finish a tailoring course in Gaziantep",
        "summary": "After twelve weeks at the Şahinbey workshop, forty women received "
        "certificates — and **eleven** already have job offers.",
        "body": "Longer story in the library.",
        "kind": "story",
        "area": "economic-recovery",
        "event_date": date(2021, 6, 8),
        "image_url": "https://images.example.org/tailoring.png",
        "image_alt": "Trainees at sewing machines",
        "image_credit": "Zeynep Çelik",
        "link_url": "https://example.org/stories/tailoring",
        "places": ["Gaziantep"],
    },
    {
        "title": "12,400 health consultations",
        "summary": "given by mobile teams in Şanlıurfa and Hatay this month.",
        "kind": "highlight",
        "area": "migration-health",
        "event_date": date(2021, 6, 15),
    },
    {
        "title": "Neighbourhood festival in Ödemiş",
        "summary": "Music, food and a football match between host and refugee youth teams.",
        "kind": "event",
        "area": "social-cohesion",
        "event_date": date(2021, 6, 19),
        "event_date_end": date(2021, 6, 20),
        "places": ["Ödemiş", "İzmir"],
        "link_url": "https://example.org/events/odemis",
        "link_label": "Programme",
    },
    {
        "title": "Grant applications open",
        "body": "Small businesses in İstanbul can apply for start-up grants until "
        "**30 June**. [Read the call](https://example.org/grants).",
        "kind": "announcement",
        "area": "economic-recovery",
        "event_date": date(2021, 6, 3),
    },
    {
        "title": "Ayşe, course graduate in Kilis",
        "body": "“I can finally plan my own workshop — and hire two neighbours.”",
        "kind": "quote",
        "area": "social-cohesion",
        "event_date": date(2021, 6, 22),
    },
]


@pytest.fixture
def make_block(session: Session) -> Callable[..., Block]:
    """Add one block to the library (ready, English, dated in June 2021 unless told)."""

    def make(**fields: Any) -> Block:
        values: dict[str, Any] = {
            "title": "A block",
            "kind": "story",
            "status": "ready",
            "language": "en",
            "event_date": date(2021, 6, 10),
            "created_at": NOW,
            "updated_at": NOW,
        }
        values.update(fields)
        block = Block(**values)
        session.add(block)
        session.flush()
        return block

    return make


@pytest.fixture
def june_blocks(make_block: Callable[..., Block]) -> list[Block]:
    """Five blocks of every kind, spread over June 2021 and three programme areas."""
    return [make_block(**fields) for fields in JUNE_BLOCKS]


def june_view(language: str = "en", **fields: Any) -> IssueView:
    """The June blocks as an issue view, without a database (for the pure render tests)."""
    blocks = [
        block_view(Block(id=number, status="ready", **values))
        for number, values in enumerate(JUNE_BLOCKS, start=1)
    ]
    values: dict[str, Any] = {
        "issue_id": 3,
        "title": "June update",
        "subject": "June: courses, festivals and health",
        "preheader": "Forty graduates and a festival in Ödemiş",
        "intro": "Welcome to our **June** update from Ankara.",
        "language": language,
        "issue_date": date(2021, 6, 1),
        "sections": (
            SectionView("Economic recovery", (blocks[0], blocks[3]), "economic-recovery"),
            SectionView("Social cohesion", (blocks[2], blocks[4]), "social-cohesion"),
            SectionView("Migration health", (blocks[1],), "migration-health"),
        ),
    }
    values.update(fields)
    return IssueView(**values)


# The June issue's Arabic edition: blocks written in Arabic, with the Latin names, numbers and
# acronyms Arabic readers meet in our updates, and one block (the grants notice) that has no
# Arabic translation yet, shown in English.
ARABIC_BLOCKS: list[dict[str, Any]] = [
    {
        "title": "أربعون امرأة يُنهين دورة في الخياطة في غازي عنتاب",
        "summary": "بعد اثني عشر أسبوعاً في ورشة شاهين بيه، تسلّمت أربعون امرأة شهاداتهن، "
        "وتلقّت **إحدى عشرة** منهن عروض عمل عبر İŞKUR.\n\n"
        "- دروس في القصّ والتفصيل\n- تدريب على إدارة مشروع صغير",
        "kind": "story",
        "area": "economic-recovery",
        "event_date": date(2021, 6, 8),
        "image_url": "https://images.example.org/tailoring.png",
        "image_alt": "متدرّبات أمام آلات الخياطة",
        "image_credit": "Zeynep Çelik",
        "link_url": "https://example.org/ar/stories/tailoring",
        "places": ["Gaziantep"],
        "language": "ar",
    },
    {
        "title": "12,400 استشارة صحية",
        "summary": "قدّمتها الفرق المتنقلة في شانلي أورفا وهاتاي خلال هذا الشهر.",
        "kind": "highlight",
        "area": "migration-health",
        "event_date": date(2021, 6, 15),
        "language": "ar",
    },
    {
        "title": "مهرجان الحيّ في أودميش",
        "summary": "موسيقى وطعام ومباراة كرة قدم بين فرق شباب المجتمع المضيف واللاجئين.",
        "kind": "event",
        "area": "social-cohesion",
        "event_date": date(2021, 6, 19),
        "event_date_end": date(2021, 6, 20),
        "places": ["Ödemiş", "İzmir"],
        "link_url": "https://example.org/ar/events/odemis",
        "language": "ar",
    },
    {
        "title": "Grant applications open",
        "body": "Small businesses in İstanbul can apply for start-up grants until "
        "**30 June**. [Read the call](https://example.org/grants).\n\n"
        "- a business plan\n- two references",
        "kind": "announcement",
        "area": "economic-recovery",
        "event_date": date(2021, 6, 3),
        "link_url": "https://example.org/grants/apply",
        "language": "en",
    },
    {
        "title": "آيشة، خرّيجة الدورة في كلّس",
        "body": "أستطيع أخيراً أن أخطّط لورشتي الخاصة، وأن أوظّف جارتين من الحيّ.",
        "kind": "quote",
        "area": "social-cohesion",
        "event_date": date(2021, 6, 22),
        "language": "ar",
    },
]


def arabic_view(**fields: Any) -> IssueView:
    """The June issue's Arabic edition, without a database (for the pure render tests)."""
    blocks = [
        block_view(Block(id=number, status="ready", **values))
        for number, values in enumerate(ARABIC_BLOCKS, start=1)
    ]
    values: dict[str, Any] = {
        "issue_id": 3,
        "title": "نشرة يونيو",
        "subject": "يونيو: دورات ومهرجانات وصحة",
        "preheader": "أربعون خرّيجة ومهرجان في أودميش",
        "intro": "أهلاً بكم في نشرة **يونيو** من أنقرة، مع شركائنا في İŞKUR وMercy Corps.",
        "language": "ar",
        "issue_date": date(2021, 6, 1),
        "sections": (
            SectionView("التعافي الاقتصادي", (blocks[0], blocks[3]), "economic-recovery"),
            SectionView("التماسك الاجتماعي", (blocks[2], blocks[4]), "social-cohesion"),
            SectionView("الصحة والهجرة", (blocks[1],), "migration-health"),
        ),
    }
    values.update(fields)
    return IssueView(**values)
