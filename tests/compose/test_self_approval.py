"""The review rules of the services, for the CLI and the workspace alike: nobody approves
their own issue unless allowed, a send back carries a note, a submit out of turn says why, and
each step lands in the audit trail with its note."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from newsletter.compose import issues, period
from newsletter.core import audit
from newsletter.core.errors import StateError, UserError
from tests.plugins.compose import NOW

AUTHOR = "Ayse.Yilmaz@Example.org"


@pytest.fixture
def in_review(session, config, june_blocks):
    """A June issue written by AUTHOR, with its blocks, in review."""
    issue = issues.create(session, config, title="June update", now=NOW, author=AUTHOR,
                          subject="June: courses and festivals",
                          preheader="What happened in June")  # fmt: skip
    period.compose(session, config, issue.id, date(2021, 6, 1), date(2021, 6, 30), AUTHOR, NOW)
    issues.submit(session, issue.id, AUTHOR, NOW, note="first look please")
    return issue


def _trail(session, issue_id):
    return [(e.action, e.actor, e.note) for e in audit.for_subject(session, "issue", issue_id)]


def test_the_author_may_not_approve_their_own_issue(session, config, in_review):
    later = NOW + timedelta(hours=1)
    # The same person in other letters is still the author.
    with pytest.raises(StateError, match=rf"issue {in_review.id} was written by {AUTHOR}: "
                       r"another approver must approve it \(a one-person office can set "
                       r"\[workspace\] allow_self_approval = true\)"):  # fmt: skip
        issues.approve(session, config, in_review.id, " ayse.yilmaz@example.ORG", later,
                       allow_self=False)  # fmt: skip
    assert in_review.status == "in_review"
    assert [a for a, *_ in _trail(session, in_review.id)] == ["submitted"]
    approved = issues.approve(session, config, in_review.id, "selin@example.org", later,
                              note="Looks good", allow_self=False)  # fmt: skip
    assert approved.status == "approved"
    assert _trail(session, in_review.id)[-1] == ("approved", "selin@example.org", "Looks good")


def test_a_one_person_office_may_approve_its_own_issue(session, config, in_review):
    issues.approve(session, config, in_review.id, AUTHOR, NOW, allow_self=True)
    assert in_review.status == "approved"


def test_an_issue_without_an_author_may_be_approved_by_anyone(session, config, june_blocks):
    issue = issues.create(session, config, title="June", now=NOW, subject="June news",
                          preheader="What happened in June")  # fmt: skip
    period.compose(session, config, issue.id, date(2021, 6, 1), date(2021, 6, 30), "", NOW)
    issues.submit(session, issue.id, "", NOW)
    assert issues.approve(session, config, issue.id, "", NOW, allow_self=False).status == (
        "approved"
    )


def test_a_send_back_needs_a_note_and_records_it(session, config, in_review):
    for empty in ("", "  \n "):
        with pytest.raises(UserError, match="^note: say what the author should change"):
            issues.reject(session, in_review.id, "selin@example.org", NOW, note=empty)
    assert in_review.status == "in_review"
    with pytest.raises(UserError, match="note: contains a NUL"):
        issues.reject(session, in_review.id, "selin@example.org", NOW, note="a\x00b")
    with pytest.raises(UserError, match="note: 2001 characters; keep it to 2000 at most"):
        issues.reject(session, in_review.id, "selin@example.org", NOW, note="x" * 2001)
    note = "Add alt text to the Kilis photo.\nAnd shorten the intro."
    issues.reject(session, in_review.id, "selin@example.org", NOW, note=f"  {note}  ")
    assert in_review.status == "draft"
    assert issues.events(session, in_review.id)[-1].note == note
    assert _trail(session, in_review.id) == [
        ("submitted", AUTHOR, "first look please"),
        ("sent back", "selin@example.org", note),
    ]


def test_submitting_out_of_turn_says_why(session, config, in_review):
    with pytest.raises(StateError, match=rf"issue {in_review.id} is already in review: only a "
                       "draft can be submitted for review"):  # fmt: skip
        issues.submit(session, in_review.id, AUTHOR, NOW)
    issues.approve(session, config, in_review.id, "selin@example.org", NOW)
    with pytest.raises(StateError, match=rf"issue {in_review.id} is approved: only a draft"):
        issues.submit(session, in_review.id, AUTHOR, NOW)
    assert in_review.status == "approved"
