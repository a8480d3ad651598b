"""Scheduling: local times to UTC instants, DST gaps and overlaps, and the schedule services."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from newsletter.audience import lists
from newsletter.compose import issues
from newsletter.core.config import Config
from newsletter.core.db import session_scope
from newsletter.core.errors import NotFound, StateError, UserError
from newsletter.core.models import EventLog, Issue, Send
from newsletter.scheduling import schedule
from newsletter.scheduling.schedule import format_local, is_missed, parse_at
from tests.plugins.scheduling import T0

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "tz", "utc"),
    [
        ("2026-12-01 09:00", "Europe/Istanbul", datetime(2026, 12, 1, 6, 0, tzinfo=UTC)),
        ("2026-12-01T09:00:30", "Europe/Istanbul", datetime(2026, 12, 1, 6, 0, 30, tzinfo=UTC)),
        ("2026-12-01 9:05", "UTC", datetime(2026, 12, 1, 9, 5, tzinfo=UTC)),
        ("2027-07-01 09:00", "Europe/Berlin", datetime(2027, 7, 1, 7, 0, tzinfo=UTC)),
        ("2027-01-15 09:00", "Europe/Berlin", datetime(2027, 1, 15, 8, 0, tzinfo=UTC)),
        ("2027-10-31 02:30+02:00", "Europe/Berlin", datetime(2027, 10, 31, 0, 30, tzinfo=UTC)),
        ("2027-10-31 02:30+01:00", "Europe/Berlin", datetime(2027, 10, 31, 1, 30, tzinfo=UTC)),
        ("2026-12-01 09:00Z", "UTC", datetime(2026, 12, 1, 9, 0, tzinfo=UTC)),
    ],
)
def test_local_times_become_utc_instants(text: str, tz: str, utc: datetime) -> None:
    when = parse_at(text, tz, NOW)
    assert when.utc == utc
    assert when.tz == tz
    assert when.local.tzinfo is not None


def test_describe_shows_the_local_wall_time_and_zone() -> None:
    when = parse_at("2026-12-01 09:00", "Europe/Istanbul", NOW)
    assert when.describe() == "2026-12-01 09:00 +03 (Europe/Istanbul)"
    assert format_local(when.utc, "UTC") == "2026-12-01 06:00 UTC"


@pytest.mark.parametrize(
    ("text", "tz", "message"),
    [
        ("2026-11-22 11:59", "Europe/Istanbul", "is in the past: it is now 2026-11-22 12:00"),
        ("2026-11-22 12:00", "Europe/Istanbul", "is in the past"),
        ("2026-12-01 09:00", "Europe/Ankara", "unknown time zone 'Europe/Ankara'"),
        ("2026-12-01 09:00", "", "unknown time zone ''"),
        ("2026-12-01 09:00", "../etc/passwd", "unknown time zone '../etc/passwd'"),
        ("2027-03-28 02:30", "Europe/Berlin", "does not exist in Europe/Berlin"),
        ("2027-03-14 02:15", "America/New_York", "does not exist in America/New_York"),
        ("2027-10-31 02:30", "Europe/Berlin", "happens twice in Europe/Berlin"),
        ("2027-10-31 02:30+05:00", "Europe/Berlin", "Europe/Berlin is not at UTC+05:00"),
        ("2026-12-01", "UTC", 'expected a local time "YYYY-MM-DD HH:MM"'),
        ("yarın 09:00", "UTC", "--at 'yarın 09:00'"),
        ("2026-13-01 09:00", "UTC", "month must be in 1..12"),
        ("2026-12-01 25:00", "UTC", "hour must be in 0..23"),
    ],
)
def test_bad_times_are_clear_errors(text: str, tz: str, message: str) -> None:
    with pytest.raises(UserError, match=message.replace("(", r"\(").replace("+", r"\+")):
        parse_at(text, tz, NOW)


def test_an_ambiguous_time_suggests_both_offsets() -> None:
    with pytest.raises(UserError) as info:
        parse_at("2027-10-31 02:30", "Europe/Berlin", NOW)
    assert "'2027-10-31 02:30+02:00' or '2027-10-31 02:30+01:00'" in str(info.value)


def test_the_grace_period_decides_between_late_and_missed() -> None:
    due = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
    assert not is_missed(due, due, 60)
    assert not is_missed(due, due + timedelta(minutes=60), 60)
    assert is_missed(due, due + timedelta(minutes=60, seconds=1), 60)
    assert is_missed(due, due + timedelta(seconds=1), 0)


# --- The services, on a real database with an approved issue ------------------------------------


def _issue(engine: Engine, issue_id: int) -> Issue:
    with session_scope(engine) as s:
        return s.get(Issue, issue_id)


def _schedule(
    engine: Engine,
    config: Config,
    issue_id: int,
    at: str = "2026-12-01 09:00",
    tz: str | None = None,
    slugs: list[str] | None = None,
) -> Issue:
    with session_scope(engine) as s:
        return schedule.schedule_issue(
            s, config, issue_id, slugs or ["ortaklar"], at, tz, T0, "ayşe"
        )


def test_scheduling_stores_the_instant_zone_and_lists_and_freezes(
    engine: Engine, config: Config, ready_issue
) -> None:
    ready = ready_issue()
    _schedule(engine, config, ready.issue_id, tz="Europe/Berlin")
    issue = _issue(engine, ready.issue_id)
    assert issue.status == "scheduled"
    assert issue.scheduled_at == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    assert (issue.schedule_tz, issue.schedule_lists) == ("Europe/Berlin", ["ortaklar"])
    with session_scope(engine) as s:
        assert len(issues.snapshots(s, ready.issue_id)) == 1
        last = issues.events(s, ready.issue_id)[-1]
    assert (last.to_status, last.actor) == ("scheduled", "ayşe")
    assert "2026-12-01 09:00 CET (Europe/Berlin) to ortaklar" in last.note


def test_the_zone_defaults_to_the_configured_one(
    engine: Engine, config: Config, ready_issue
) -> None:
    ready = ready_issue()
    _schedule(engine, config, ready.issue_id)
    issue = _issue(engine, ready.issue_id)
    assert issue.schedule_tz == "Europe/Istanbul"
    assert issue.scheduled_at == datetime(2026, 12, 1, 6, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"at": "2026-11-28 09:00"}, "is in the past"),
        ({"tz": "Asia/Gaziantep"}, "unknown time zone 'Asia/Gaziantep'"),
        ({"slugs": ["yok-liste"]}, "no list with slug 'yok-liste'"),
        ({"at": "2027-03-28 02:30", "tz": "Europe/Berlin"}, "does not exist in Europe/Berlin"),
    ],
)
def test_bad_schedules_change_nothing(
    engine: Engine, config: Config, ready_issue, kwargs: dict, message: str
) -> None:
    ready = ready_issue()
    with pytest.raises(UserError, match=message):
        _schedule(engine, config, ready.issue_id, **kwargs)
    issue = _issue(engine, ready.issue_id)
    assert (issue.status, issue.scheduled_at, issue.schedule_lists) == ("approved", None, [])


def test_an_empty_list_choice_is_refused(engine: Engine, config: Config, ready_issue) -> None:
    ready = ready_issue()
    with session_scope(engine) as s, pytest.raises(UserError, match="--list: name at least one"):
        schedule.schedule_issue(s, config, ready.issue_id, [], "2026-12-01 09:00", None, T0)


def test_only_approved_issues_can_be_scheduled(engine: Engine, config: Config) -> None:
    with session_scope(engine) as s:
        draft = issues.create(s, config, title="Taslak", now=T0)
    with pytest.raises(StateError, match="is draft: submit and approve it first"):
        _schedule(engine, config, draft.id)
    with pytest.raises(NotFound, match="no issue with id 999"):
        _schedule(engine, config, 999)


def test_an_issue_failing_its_checks_cannot_be_scheduled(
    engine: Engine, config: Config, ready_issue
) -> None:
    ready = ready_issue()
    config.organisation.postal_address = "Address not configured"
    with pytest.raises(StateError, match="cannot be scheduled: .*check error"):
        _schedule(engine, config, ready.issue_id)
    assert _issue(engine, ready.issue_id).status == "approved"


@pytest.mark.parametrize(
    ("breaks", "message"),
    [
        ("reply_to", "sending.reply_to: not an email address: 'yanıt adresi'"),
        ("list_name", "list 'ortaklar' name contains a line break (LF)"),
    ],
)
def test_an_issue_no_message_could_be_made_of_cannot_be_scheduled(
    engine: Engine, config: Config, ready_issue, breaks: str, message: str
) -> None:
    ready = ready_issue()
    if breaks == "reply_to":
        config.sending.reply_to = "yanıt adresi"
    else:
        with session_scope(engine) as s:  # slipped in around the checks at entry
            found = lists.get(s, "ortaklar")
            found.name = "Ortaklar\nve gönüllüler"
            s.add(found)
    with pytest.raises(UserError, match=re.escape(message)) as caught:
        _schedule(engine, config, ready.issue_id)
    assert "\n" not in str(caught.value)
    assert _issue(engine, ready.issue_id).status == "approved"
    with session_scope(engine) as s:
        assert issues.snapshots(s, ready.issue_id) == []  # nothing frozen either


def test_scheduling_twice_points_to_reschedule(engine: Engine, config: Config, ready_issue) -> None:
    ready = ready_issue()
    _schedule(engine, config, ready.issue_id)
    with pytest.raises(StateError, match="use 'newsletter issues reschedule'"):
        _schedule(engine, config, ready.issue_id)


def test_unschedule_makes_the_issue_approved_again(
    engine: Engine, config: Config, ready_issue
) -> None:
    ready = ready_issue()
    _schedule(engine, config, ready.issue_id)
    with session_scope(engine) as s:
        schedule.unschedule_issue(s, ready.issue_id, T0, "mehmet")
    issue = _issue(engine, ready.issue_id)
    assert (issue.status, issue.scheduled_at, issue.schedule_tz) == ("approved", None, None)
    with session_scope(engine) as s, pytest.raises(StateError, match="it is not scheduled"):
        schedule.unschedule_issue(s, ready.issue_id, T0)


def test_reschedule_keeps_zone_and_lists_unless_given(
    engine: Engine, config: Config, ready_issue
) -> None:
    ready = ready_issue()
    with session_scope(engine) as s:
        lists.create(s, "gonulluler", "Gönüllüler", T0, opt_in="single")
    _schedule(engine, config, ready.issue_id, tz="Europe/Berlin")
    with session_scope(engine) as s:
        schedule.reschedule_issue(s, config, ready.issue_id, "2026-12-02 10:30", None, T0)
    issue = _issue(engine, ready.issue_id)
    assert issue.scheduled_at == datetime(2026, 12, 2, 9, 30, tzinfo=UTC)
    assert (issue.status, issue.schedule_tz, issue.schedule_lists) == (
        "scheduled", "Europe/Berlin", ["ortaklar"]
    )  # fmt: skip
    with session_scope(engine) as s:
        schedule.reschedule_issue(s, config, ready.issue_id, "2026-12-02 10:30", "UTC", T0,
                                  ["gonulluler", "ortaklar"])  # fmt: skip
        assert "rescheduled" in issues.events(s, ready.issue_id)[-1].note
    issue = _issue(engine, ready.issue_id)
    assert issue.scheduled_at == datetime(2026, 12, 2, 10, 30, tzinfo=UTC)
    assert issue.schedule_lists == ["gonulluler", "ortaklar"]


def test_reschedule_refuses_an_unscheduled_issue(
    engine: Engine, config: Config, ready_issue
) -> None:
    ready = ready_issue()
    with session_scope(engine) as s, pytest.raises(StateError, match="use 'newsletter issues sch"):
        schedule.reschedule_issue(s, config, ready.issue_id, "2026-12-02 10:30", None, T0)


def test_due_issues_within_grace_start_and_later_ones_are_missed(
    engine: Engine, config: Config, ready_issue
) -> None:
    on_time = ready_issue(recipients=2).issue_id
    late = ready_issue(recipients=0).issue_id
    _schedule(engine, config, on_time, at="2026-12-01 09:00")
    _schedule(engine, config, late, at="2026-11-30 09:00")
    now = datetime(2026, 12, 1, 6, 30, tzinfo=UTC)  # 30 min after one, 24.5 h after the other
    with session_scope(engine) as s:
        assert [i.id for i in schedule.due_issues(s, T0)] == []
        assert [i.id for i in schedule.due_issues(s, now)] == [late, on_time]
    with session_scope(engine) as s:
        assert schedule.begin_due(s, config, late, now) == "missed"
        assert schedule.begin_due(s, config, on_time, now) == "started"
    with session_scope(engine) as s:
        # a second worker asking again gets nothing: the issues moved on
        assert schedule.begin_due(s, config, on_time, now) == ""
        assert schedule.due_issues(s, now) == []
        sends = s.exec(select(Send)).all()
        missed_event = s.exec(select(EventLog).where(EventLog.event == "issue.missed")).one()
    assert _issue(engine, late).status == "missed"
    assert _issue(engine, on_time).status == "sending"
    assert [(x.issue_id, x.lists, x.status) for x in sends] == [(on_time, ["ortaklar"], "running")]
    assert missed_event.issue_id == late and "more than 60 min late" in missed_event.message


def test_a_missed_issue_can_be_rescheduled(engine: Engine, config: Config, ready_issue) -> None:
    ready = ready_issue()
    _schedule(engine, config, ready.issue_id, at="2026-11-30 09:00")
    later = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    with session_scope(engine) as s:
        assert schedule.begin_due(s, config, ready.issue_id, later) == "missed"
    with session_scope(engine) as s:
        schedule.reschedule_issue(s, config, ready.issue_id, "2026-12-02 09:00", None, later)
    assert _issue(engine, ready.issue_id).status == "scheduled"


def test_an_issue_that_cannot_start_waits_for_a_person(
    engine: Engine, config: Config, ready_issue
) -> None:
    ready = ready_issue()
    _schedule(engine, config, ready.issue_id)
    with session_scope(engine) as s:
        schedule.fail_start(s, ready.issue_id, "list 'ortaklar' was deleted", T0)
    assert _issue(engine, ready.issue_id).status == "missed"
    with session_scope(engine) as s:
        row = s.exec(select(EventLog).where(EventLog.event == "send.start_failed")).one()
    assert row.level == "error" and "list 'ortaklar' was deleted" in row.message
