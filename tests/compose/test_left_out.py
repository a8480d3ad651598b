"""`issues compose` says which ready blocks of the period it left out, and why."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlmodel import Session

from newsletter.compose import issues, period
from newsletter.core import db
from newsletter.core.errors import UserError
from newsletter.core.models import Block, Issue, Placement, Section
from tests.plugins.compose import NOW

JUNE = (date(2021, 6, 1), date(2021, 6, 30))


def _sent_issue_with(session: Session, block: Block) -> None:
    issue = Issue(title="May update", status="sent")
    session.add(issue)
    session.flush()
    section = Section(issue_id=issue.id or 0, heading="News")
    session.add(section)
    session.flush()
    session.add(Placement(section_id=section.id or 0, block_id=block.id or 0))
    session.flush()


def test_left_out_by_reason(session: Session, config, make_block) -> None:
    placed = make_block(title="Clinic opens", event_date=date(2021, 6, 20))
    make_block(title="Klinik açıldı", language="tr", event_date=date(2021, 6, 20))
    translated = make_block(title="Kurs bitti", language="tr", translation_group="course")
    make_block(title="Course ends", translation_group="course", event_date=date(2021, 6, 9))
    undated = make_block(title="Undated", event_date=None)  # created 2 July: outside June
    camp = make_block(title="Camp", event_date=date(2021, 5, 30), event_date_end=date(2021, 6, 2))
    _sent_issue_with(session, camp)
    make_block(title="A draft", status="draft")
    issue = issues.create(session, config, title="June update", now=NOW)
    added = period.compose(session, config, issue.id, *JUNE, "editor", NOW)
    assert sorted(session.get(Block, p.block_id).title for p in added) == [
        "Clinic opens", "Course ends",
    ]  # fmt: skip
    found = period.left_out(session, issue.id, *JUNE)
    assert (found.no_date, found.already_used) == ([undated.id], [camp.id])
    assert len(found.other_language) == 1 and translated.id not in found.other_language
    assert placed.id not in found.other_language
    assert period.describe_left_out(found) == (
        "1 with no date, 1 in another language, 1 already in an issue that was sent"
    )


def test_nothing_to_compose_says_why(session: Session, config, make_block) -> None:
    camp = make_block(title="Camp", event_date=date(2021, 6, 2))
    _sent_issue_with(session, camp)
    issue = issues.create(session, config, title="June update", now=NOW)
    message = (
        "no ready blocks in 'en' dated 2021-06-01 to 2021-06-30 "
        "(left out: 1 already in an issue that was sent)"
    )
    with pytest.raises(UserError, match=f"^{re.escape(message)}$"):
        period.compose(session, config, issue.id, *JUNE, "editor", NOW)


def test_the_command_prints_what_it_left_out(cli, engine) -> None:
    with db.session_scope(engine) as session:
        for title, language in (("Clinic opens", "en"), ("Klinik açıldı", "tr")):
            when = {"event_date": date(2021, 6, 20), "created_at": NOW, "updated_at": NOW}
            session.add(Block(title=title, language=language, status="ready", **when))
    cli("issues", "new", "June update", "--subject", "June")
    result = cli("issues", "compose", "1", "--from", "2021-06-01", "--to", "2021-06-30")
    assert result.exit_code == 0, result.stderr
    last = result.stdout.splitlines()[-1]
    assert last == "Left out 1 ready block: 1 in another language (blocks 2)."
    again = cli("issues", "compose", "1", "--from", "2021-06-01", "--to", "2021-06-30")
    assert "already holds every ready block" in again.stdout and "Left out 1" in again.stdout
