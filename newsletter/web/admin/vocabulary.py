"""Words the workspace translates at run time from a value, not from a literal.

Pages show a role, a status, an audit action, a navigation label or a sign-in refusal with
``_(value)``; extraction cannot see what ``value`` will be, so each possible value is marked
here with ``N_`` and lands in the "admin" catalogue. Nothing imports this module: it exists for
``pybabel extract`` (docs/workspace-translations.md). When a new status, role or audit action
appears in the code, add it here, then run the update step.
"""

from __future__ import annotations


def N_(message: str) -> str:  # noqa: N802 - the name Babel's extractor looks for
    """Marks a message for extraction and returns it untranslated."""
    return message


ROLES = (N_("editor"), N_("approver"), N_("admin"))

# Issue statuses as models.ISSUE_STATUSES spells them, and as the pages show them
# (``status|replace("_", " ")``): both spellings of "in review" are looked up.
ISSUE_STATUSES = (
    N_("draft"), N_("in_review"), N_("in review"), N_("approved"), N_("scheduled"),
    N_("sending"), N_("sent"), N_("paused"), N_("cancelled"), N_("failed"), N_("missed"),
)  # fmt: skip

BLOCK_STATUSES = (N_("draft"), N_("ready"), N_("archived"))

BLOCK_KINDS = (N_("story"), N_("highlight"), N_("event"), N_("announcement"), N_("quote"))

# audience.roster: a person's status, then their status on one list.
SUBSCRIBER_STATUSES = (N_("active"), N_("blocklisted"), N_("bounced"), N_("complained"))
SUBSCRIPTION_STATUSES = (N_("unconfirmed"), N_("confirmed"), N_("unsubscribed"))

# rendering.checks: a pre-send finding's severity.
SEVERITIES = (N_("error"), N_("warning"))

# Every action passed to audit.record (core.audit), shown in the histories.
AUDIT_ACTIONS = (
    N_("created"), N_("changed"), N_("submitted"), N_("approved"), N_("sent back"),
    N_("scheduled"), N_("unscheduled"), N_("sent"), N_("uploaded"), N_("deleted"),
    N_("imported"), N_("accepted"), N_("discarded"), N_("marked ready"), N_("moved to draft"),
    N_("archived"), N_("translated"), N_("disabled"), N_("enabled"), N_("password changed"),
)  # fmt: skip

# frame.NAV, translated in base.html.
NAVIGATION = (
    N_("Issues"), N_("Blocks"), N_("Import"), N_("Media"), N_("Sends"), N_("Lists"),
    N_("Subscribers"), N_("Users"), N_("Settings"),
)  # fmt: skip

# accounts.sessions and accounts.throttle: why a sign-in is refused (login.html fills in
# %(minutes)s, the [workspace] login_window_minutes).
SIGN_IN_REFUSALS = (
    N_("The e-mail address or the password is not right."),
    N_("This account is disabled. Ask an admin to enable it."),
    N_(
        "Too many failed sign-ins for this account. Try again in %(minutes)s minutes, "
        "or ask an admin to reset your password."
    ),
    N_("Too many failed sign-ins from this network. Try again in %(minutes)s minutes."),
)

# Flash messages given to Admin.redirect as literals (signin.py), translated in base.html.
FLASHES = (
    N_("You are signed out."),
    N_("You are signed out everywhere."),
    N_("Your password is changed. Please sign in again."),
)
