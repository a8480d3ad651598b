"""Which status an issue may move to from which: one table, read by every caller.

Only an approved issue can be scheduled or start sending; editing anything before it is sent
sends it back to draft (see ``issues``). Sent is final.
"""

from __future__ import annotations

from newsletter.core.errors import StateError

TRANSITIONS: dict[str, frozenset[str]] = {
    "draft": frozenset({"in_review", "cancelled"}),
    "in_review": frozenset({"approved", "draft", "cancelled"}),
    "approved": frozenset({"scheduled", "sending", "draft", "cancelled"}),
    "scheduled": frozenset({"sending", "approved", "draft", "missed", "cancelled"}),
    "sending": frozenset({"sent", "paused", "failed", "cancelled"}),
    "paused": frozenset({"sending", "failed", "cancelled"}),
    "failed": frozenset({"sending", "cancelled"}),
    "missed": frozenset({"scheduled", "sending", "approved", "draft", "cancelled"}),
    "cancelled": frozenset({"draft"}),
    "sent": frozenset(),
}

# Content may change only while nothing was frozen for sending.
EDITABLE = frozenset({"draft", "in_review", "approved", "cancelled", "missed"})
# Statuses in which the rendered content is frozen into snapshots.
FROZEN = frozenset({"scheduled", "sending", "sent", "paused", "failed"})


def check_transition(issue_id: int, current: str, wanted: str) -> None:
    if wanted not in TRANSITIONS:
        raise StateError(f"unknown issue status {wanted!r}")
    if wanted not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "none: it is final"
        raise StateError(
            f"issue {issue_id} is {current}: it cannot move to {wanted} (allowed: {allowed})"
        )


def check_editable(issue_id: int, current: str) -> None:
    if current not in EDITABLE:
        raise StateError(
            f"issue {issue_id} is {current}: its content is frozen and cannot be edited"
        )
