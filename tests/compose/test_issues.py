"""The issue service: composing, placements with overrides, lifecycle, freezing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from newsletter.compose import editions, issues, lifecycle, period, placements
from newsletter.compose.issue_content import load_view
from newsletter.core.errors import NotFound, StateError, UserError
from newsletter.core.models import Block, IssueEvent, IssueSnapshot
from tests.plugins.compose import NOW


@pytest.fixture
def issue(session, config):
    return issues.create(
        session,
        config,
        title="June update",
        now=NOW,
        author="editor",
        subject="June: courses, festivals and health",
        preheader="What happened in June",
    )


def _june(session, config, issue):
    return period.compose(
        session, config, issue.id, date(2021, 6, 1), date(2021, 6, 30), "editor", NOW
    )


def test_create_records_the_draft_event(session, issue):
    assert issue.status == "draft" and issue.language == "en" and issue.theme == "monthly"
    [event] = issues.events(session, issue.id)
    assert (event.to_status, event.actor, event.note) == ("draft", "editor", "created")


def test_create_refuses_bad_fields(session, config):
    with pytest.raises(UserError, match="title"):
        issues.create(session, config, title="  ", now=NOW)
    with pytest.raises(UserError, match="language 'xx-nope'"):
        issues.create(session, config, title="T", now=NOW, language="xx-nope")
    with pytest.raises(UserError, match="theme 'glossy'"):
        issues.create(session, config, title="T", now=NOW, theme="glossy")
    with pytest.raises(UserError, match="theme '../etc': use lower-case letters"):
        issues.create(session, config, title="T", now=NOW, theme="../etc")
    with pytest.raises(UserError, match="colour: not an issue field"):
        issues.create(session, config, title="T", now=NOW, colour="red")


def test_compose_groups_by_area_in_configured_order_and_date(
    session, config, issue, june_blocks, make_block
):
    make_block(title="July story", event_date=date(2021, 7, 2))
    make_block(title="Draft story", status="draft")
    make_block(title="Turkish story", language="tr")
    make_block(title="No area", area=None, event_date=date(2021, 6, 1))
    added = _june(session, config, issue)
    assert len(added) == 6
    view = load_view(session, issue.id)
    assert [s.heading for s in view.sections] == [
        "Economic recovery and labour integration",
        "Harmonization and social cohesion",
        "Migration health",
        "More news",
    ]
    assert [b.title for b in view.sections[0].blocks] == [
        "Grant applications open",  # 3 June before 8 June
        "Forty women finish a tailoring course in Gaziantep",
    ]
    assert [b.title for b in view.sections[1].blocks][0] == "Neighbourhood festival in Ödemiş"
    assert (issue.period_start, issue.period_end, issue.issue_date) == (
        date(2021, 6, 1),
        date(2021, 6, 30),
        date(2021, 6, 1),
    )


def test_compose_twice_adds_only_new_blocks(session, config, issue, june_blocks, make_block):
    _june(session, config, issue)
    make_block(title="Late addition", area="protection", event_date=date(2021, 6, 29))
    added = _june(session, config, issue)
    assert len(added) == 1
    assert load_view(session, issue.id).sections[-1].heading == "Protection"


def test_compose_refuses_an_empty_or_inverted_period(session, config, issue, june_blocks):
    with pytest.raises(UserError, match="no ready blocks in 'en' dated 2020-01-01 to 2020-01-31"):
        period.compose(session, config, issue.id, date(2020, 1, 1), date(2020, 1, 31), "e", NOW)
    with pytest.raises(UserError, match="--from 2021-06-30 is after --to 2021-06-01"):
        period.compose(session, config, issue.id, date(2021, 6, 30), date(2021, 6, 1), "e", NOW)


def test_add_with_overrides_leaves_the_library_alone(session, config, issue, make_block):
    block = make_block(
        title="Library title",
        summary="Library summary",
        image_url="https://images.example.org/a.png",
        image_alt="A",
    )
    placements.add_blocks(
        session,
        config,
        issue.id,
        [block.id],
        "editor",
        NOW,
        section="Highlights",
        title="Issue title",
        summary="Issue *summary*",
        hide_image=True,
    )
    [section] = load_view(session, issue.id).sections
    [shown] = section.blocks
    assert section.heading == "Highlights"
    assert (shown.title, shown.text, shown.image_url) == ("Issue title", "Issue *summary*", None)
    session.refresh(block)
    assert (block.title, block.summary) == ("Library title", "Library summary")
    assert block.image_url == "https://images.example.org/a.png"


def test_same_block_in_two_issues_but_not_twice_in_one(session, config, issue, make_block):
    block = make_block()
    other = issues.create(session, config, title="July", now=NOW)
    placements.add_blocks(session, config, issue.id, [block.id], "e", NOW)
    placements.add_blocks(session, config, other.id, [block.id], "e", NOW)
    placements.set_overrides(session, issue.id, block.id, "e", NOW, title="Only in June")
    assert load_view(session, issue.id).blocks[0].title == "Only in June"
    assert load_view(session, other.id).blocks[0].block_id == block.id
    assert load_view(session, other.id).blocks[0].title == block.title != "Only in June"
    with pytest.raises(UserError, match=f"block {block.id} is already in issue {issue.id}"):
        placements.add_blocks(session, config, issue.id, [block.id], "e", NOW)
    with pytest.raises(NotFound, match="no block with id 999"):
        placements.add_blocks(session, config, issue.id, [999], "e", NOW)


def test_set_overrides_and_clear(session, config, issue, make_block):
    block = make_block(title="Original")
    placements.add_blocks(session, config, issue.id, [block.id], "e", NOW)
    placements.set_overrides(session, issue.id, block.id, "e", NOW, title="Shorter")
    assert load_view(session, issue.id).blocks[0].title == "Shorter"
    placements.set_overrides(session, issue.id, block.id, "e", NOW, clear=True)
    assert load_view(session, issue.id).blocks[0].title == "Original"
    with pytest.raises(NotFound, match="block 12345 is not in issue"):
        placements.set_overrides(session, issue.id, 12345, "e", NOW, title="x")


def test_move_within_and_between_sections(session, config, issue, june_blocks):
    _june(session, config, issue)
    first, second = load_view(session, issue.id).sections[0].blocks
    placements.move_block(session, config, issue.id, second.block_id, "e", NOW, position=1)
    assert [b.block_id for b in load_view(session, issue.id).sections[0].blocks] == [
        second.block_id,
        first.block_id,
    ]
    placements.move_block(
        session, config, issue.id, first.block_id, "e", NOW, section="3", position=1
    )
    view = load_view(session, issue.id)
    assert [b.block_id for b in view.sections[0].blocks] == [second.block_id]
    assert view.sections[2].blocks[0].block_id == first.block_id
    with pytest.raises(UserError, match="--position 9: choose 1 to 2"):
        placements.move_block(session, config, issue.id, first.block_id, "e", NOW, position=9)
    with pytest.raises(UserError, match="--section 7: issue .* has 3 sections"):
        placements.move_block(session, config, issue.id, first.block_id, "e", NOW, section="7")
    # Moving the last block out of a section drops the section, as remove does.
    placements.move_block(session, config, issue.id, second.block_id, "e", NOW, section="3")
    view = load_view(session, issue.id)
    assert len(view.sections) == 2 and all(s.blocks for s in view.sections)
    moved = [b.block_id for b in view.sections[1].blocks]
    assert moved[0] == first.block_id and moved[-1] == second.block_id and len(moved) == 3


def test_remove_drops_emptied_sections_and_keeps_the_block(session, config, issue, june_blocks):
    _june(session, config, issue)
    health = load_view(session, issue.id).sections[2]
    placements.remove_blocks(session, issue.id, [health.blocks[0].block_id], "e", NOW)
    view = load_view(session, issue.id)
    assert "Migration health" not in [s.heading for s in view.sections]
    assert session.get(Block, health.blocks[0].block_id) is not None


def test_edit_section_renames_and_reorders(session, config, issue, june_blocks):
    _june(session, config, issue)
    placements.edit_section(session, issue.id, 3, "e", NOW, heading="Health", position=1)
    assert [s.heading for s in load_view(session, issue.id).sections][:2] == [
        "Health",
        "Economic recovery and labour integration",
    ]
    with pytest.raises(UserError, match="section 4: issue .* has 3 sections"):
        placements.edit_section(session, issue.id, 4, "e", NOW, heading="x")


def _approve(session, config, issue):
    issues.submit(session, issue.id, "writer", NOW)
    return issues.approve(session, config, issue.id, "chief", NOW + timedelta(hours=1))


def test_lifecycle_records_who_and_when(session, config, issue, june_blocks):
    _june(session, config, issue)
    _approve(session, config, issue)
    steps = [(e.from_status, e.to_status, e.actor) for e in issues.events(session, issue.id)]
    assert steps[-2:] == [("draft", "in_review", "writer"), ("in_review", "approved", "chief")]
    assert issues.events(session, issue.id)[-1].at == NOW + timedelta(hours=1)


def test_approve_is_refused_while_checks_have_errors(session, config, issue):
    issues.submit(session, issue.id, "writer", NOW)
    with pytest.raises(StateError, match="cannot be approved: .*empty-issue"):
        issues.approve(session, config, issue.id, "chief", NOW)
    assert issue.status == "in_review"


def test_only_approved_issues_can_be_scheduled_or_sent(session, issue):
    for target in ("scheduled", "sending", "sent"):
        with pytest.raises(StateError, match=f"is draft: it cannot move to {target}"):
            issues.transition(session, issue.id, target, "e", NOW)
    with pytest.raises(StateError, match="unknown issue status 'lost'"):
        issues.transition(session, issue.id, "lost", "e", NOW)


def test_transition_table_covers_every_status():
    from newsletter.core.models import ISSUE_STATUSES

    assert set(lifecycle.TRANSITIONS) == set(ISSUE_STATUSES)
    for targets in lifecycle.TRANSITIONS.values():
        assert targets <= set(ISSUE_STATUSES)
    assert lifecycle.TRANSITIONS["sent"] == frozenset()
    sources_of_scheduled = {s for s, t in lifecycle.TRANSITIONS.items() if "scheduled" in t}
    assert sources_of_scheduled == {"approved", "missed"}


def test_editing_an_approved_issue_sends_it_back_to_draft(session, config, issue, june_blocks):
    _june(session, config, issue)
    _approve(session, config, issue)
    issues.edit(session, config, issue.id, {"subject": "New subject"}, "writer", NOW)
    assert issue.status == "draft"
    last = issues.events(session, issue.id)[-1]
    assert (last.from_status, last.to_status, last.note) == ("approved", "draft", "content edited")


def test_frozen_issue_cannot_be_edited(session, config, issue, june_blocks):
    _june(session, config, issue)
    _approve(session, config, issue)
    issues.transition(session, issue.id, "scheduled", "scheduler", NOW)
    with pytest.raises(StateError, match="is scheduled: its content is frozen"):
        placements.remove_blocks(session, issue.id, [june_blocks[0].id], "e", NOW)


def test_reject_only_from_review(session, config, issue):
    with pytest.raises(StateError, match="only an issue in review or approved"):
        issues.reject(session, issue.id, "chief", NOW)
    issues.submit(session, issue.id, "writer", NOW)
    assert issues.reject(session, issue.id, "chief", NOW, note="too long").status == "draft"


def test_freeze_keeps_what_was_rendered(session, config, issue, june_blocks):
    _june(session, config, issue)
    with pytest.raises(StateError, match="approve it before freezing"):
        issues.freeze(session, issue.id, NOW, config)
    _approve(session, config, issue)
    [snap] = issues.freeze(session, issue.id, NOW, config)
    assert snap.language == "en" and snap.subject == issue.subject
    assert "Forty women finish a tailoring course" in snap.html and "Forty women" in snap.text
    assert snap.content["sections"][0]["blocks"][0]["title"] == "Grant applications open"

    june_blocks[0].title = "Edited in the library later"
    session.add(june_blocks[0])
    session.flush()
    [again] = issues.freeze(session, issue.id, NOW + timedelta(days=1), config)
    assert again.id == snap.id and "Edited in the library later" not in again.html
    stored = session.exec(select(IssueSnapshot).where(IssueSnapshot.issue_id == issue.id)).all()
    assert len(stored) == 1


def test_back_to_draft_discards_the_snapshot(session, config, issue, june_blocks):
    _june(session, config, issue)
    _approve(session, config, issue)
    issues.freeze(session, issue.id, NOW, config)
    issues.edit(session, config, issue.id, {"title": "Renamed"}, "e", NOW)
    assert issues.snapshots(session, issue.id) == []
    events = session.exec(select(IssueEvent).where(IssueEvent.issue_id == issue.id)).all()
    assert events[-1].to_status == "draft"


def test_describe_lists_sections_blocks_events(session, config, issue, june_blocks):
    _june(session, config, issue)
    data = issues.describe(session, issue.id)
    assert data["sections"][0]["number"] == 1
    assert data["sections"][0]["blocks"][0]["kind"] == "announcement"
    assert data["events"][0]["to_status"] == "draft"


def test_compose_takes_ranges_that_touch_the_period(session, config, issue, make_block):
    make_block(title="Camp", event_date=date(2021, 5, 28), event_date_end=date(2021, 6, 2))
    make_block(title="May only", event_date=date(2021, 5, 20), event_date_end=date(2021, 5, 31))
    make_block(title="Undated", event_date=None)  # created 2 July 2021
    added = _june(session, config, issue)
    assert [session.get(Block, p.block_id).title for p in added] == ["Camp"]


def test_compose_with_nothing_new_keeps_an_approved_issue(session, config, issue, june_blocks):
    _june(session, config, issue)
    _approve(session, config, issue)
    assert _june(session, config, issue) == []
    assert issue.status == "approved"


@pytest.fixture
def bilingual(session, config, issue, make_block):
    """An English story with a ready Turkish translation, and one without, composed."""
    make_block(
        title="Tailoring course ends",
        summary="Forty women graduated.",
        area="economic-recovery",
        translation_group="tailoring",
    )
    make_block(
        title="Terzilik kursu bitti",
        summary="Kırk kadın mezun oldu.",
        language="tr",
        area="economic-recovery",
        translation_group="tailoring",
    )
    make_block(title="Clinic opens", area="migration-health", event_date=date(2021, 6, 20))
    _june(session, config, issue)
    return issue


def test_language_edition_shows_block_translations(session, config, bilingual):
    editions.translate(
        session,
        bilingual.id,
        "tr",
        {"title": "Haziran bülteni", "subject": "Haziran: kurslar"},
        {1: "Ekonomik kalkınma"},
        "çevirmen",
        NOW,
    )
    view = load_view(session, bilingual.id, "tr")
    assert (view.language, view.title, view.subject) == (
        "tr",
        "Haziran bülteni",
        "Haziran: kurslar",
    )
    assert view.preheader == bilingual.preheader  # not translated: the English one is used
    assert [s.heading for s in view.sections] == ["Ekonomik kalkınma", "Migration health"]
    assert [b.title for b in view.blocks] == ["Terzilik kursu bitti", "Clinic opens"]
    assert [b.title for b in load_view(session, bilingual.id).blocks][0] == "Tailoring course ends"


def test_freeze_renders_every_edition(session, config, bilingual):
    # A partial edition: approved only because it allows fallback (else the checks refuse it).
    fields = {"subject": "Haziran", "allow_fallback": True}
    editions.translate(session, bilingual.id, "tr", fields, {}, "e", NOW)
    _approve(session, config, bilingual)
    snaps = issues.freeze(session, bilingual.id, NOW, config)
    assert [s.language for s in snaps] == ["en", "tr"]
    assert "Haziran 2021" in snaps[1].html and "Kırk kadın mezun oldu." in snaps[1].text
    assert "Forty women graduated." in snaps[0].html
    assert [s.language for s in issues.snapshots(session, bilingual.id)] == ["en", "tr"]


def test_translate_refuses_bad_input(session, config, bilingual):
    with pytest.raises(UserError, match="'en' is the issue's own language"):
        editions.translate(session, bilingual.id, "en", {"subject": "x"}, {}, "e", NOW)
    with pytest.raises(UserError, match="language 'xx-qq': not a known locale"):
        editions.translate(session, bilingual.id, "xx-qq", {}, {}, "e", NOW)
    with pytest.raises(UserError, match="--heading 5: issue .* has 2 sections"):
        editions.translate(session, bilingual.id, "tr", {}, {5: "x"}, "e", NOW)
    with pytest.raises(NotFound, match="has no 'ar' edition"):
        load_view(session, bilingual.id, "ar")


def test_drop_translation_and_language_clash(session, config, bilingual):
    editions.translate(session, bilingual.id, "tr", {"subject": "Haziran"}, {}, "e", NOW)
    with pytest.raises(UserError, match="already has a tr edition"):
        issues.edit(session, config, bilingual.id, {"language": "tr"}, "e", NOW)
    editions.drop(session, bilingual.id, "tr", "e", NOW)
    assert bilingual.translations == {}
    with pytest.raises(NotFound, match="has no 'tr' edition"):
        editions.drop(session, bilingual.id, "tr", "e", NOW)


def test_an_edition_greeting_and_note_reach_the_render(session, config, issue, june_blocks):
    from newsletter.compose import editions
    from newsletter.compose.issue_content import load_view

    _june(session, config, issue)
    fields = {"title": "نشرة يونيو", "subject": "أخبار يونيو", "greeting": "أهلاً {name}،",
              "untranslated_note": True}  # fmt: skip
    editions.translate(session, issue.id, "ar", fields, {}, "editor", NOW)
    view = load_view(session, issue.id, "ar")
    assert view.greeting == "أهلاً {name}،" and view.untranslated_note is True
    assert load_view(session, issue.id).greeting is None  # the own language keeps the theme's
    with pytest.raises(UserError, match="untranslated_note: expected true or false"):
        editions.translate(session, issue.id, "ar", {"untranslated_note": "yes"}, {}, "e", NOW)
    with pytest.raises(UserError, match="ar greeting contains a line break"):
        editions.translate(session, issue.id, "ar", {"greeting": "a\nb"}, {}, "e", NOW)
