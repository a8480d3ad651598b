"""The approval workflow on the composer page: submit, approve or send back, test, schedule,
send now. The panel itself is ``templates/admin/_issue_review.html``.

- ``POST …/submit`` (editor: "submit"), ``…/approve`` and ``…/send-back`` (approver), ``…/test``
  ("test_send"), ``…/schedule`` and ``…/unschedule`` ("schedule"), and ``GET``/``POST …/send``
  ("send"): the confirmation page with the number of people per list, then the send.
- Each calls the service the CLI calls (``compose.issues``, ``delivery.proofs``,
  ``scheduling.schedule``, ``delivery.ledger``). The self-approval rule lives in
  ``issues.approve``; the web passes ``[workspace] allow_self_approval``.
- Send now does what `issues send` does before its progress bar: it counts the audience, checks
  the transport and writes the send (``ledger.start_send``: the issue is frozen and "sending",
  one queued row per person). The web app never sends it itself: ``newsletter worker`` claims
  the running send by lease and delivers it. The database is the only record of it.
- A refusal is shown on the composer page: beside the field (400), or at its top for a state
  that does not allow the step (409) or a missing issue (404). Nothing of it is written.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Depends, Request
from sqlmodel import Session
from starlette.datastructures import FormData, QueryParams
from starlette.exceptions import HTTPException
from starlette.responses import Response

from newsletter.audience import lists as mailing_lists
from newsletter.compose import issues
from newsletter.compose.issue_checks import check_issue
from newsletter.core import audit
from newsletter.core.db import read_scope, session_scope
from newsletter.core.errors import NotFound, StateError, UserError
from newsletter.delivery import ledger, proofs
from newsletter.delivery.send_settings import check_ready, message_settings
from newsletter.delivery.send_settings import warnings as sender_warnings
from newsletter.delivery.transport_factory import make_transport
from newsletter.rendering.checks import errors_of
from newsletter.scheduling import schedule
from newsletter.web.admin import composer_page as page
from newsletter.web.admin import review_send as sending
from newsletter.web.admin.frame import Viewer, admin_of, checked_form, need, text
from newsletter.web.context import READ, web_of

router = APIRouter(include_in_schema=False)
ANCHOR = "review"
# Where send now may start from (``lifecycle.TRANSITIONS`` into "sending").
SENDABLE = frozenset({"approved", "scheduled", "missed"})


def _slugs(source: FormData | QueryParams) -> list[str]:
    """The target lists: checkboxes named ``lists`` (or one value with commas), in order."""
    values = [v for v in source.getlist("lists") if isinstance(v, str)]
    return list(dict.fromkeys(s.strip() for v in values for s in v.split(",") if s.strip()))


def _refused(
    request: Request, viewer: Viewer, issue_id: int, form: FormData, where: str, exc: UserError
) -> Response:
    """The composer page again, with the refusal beside the field of the form ``where``, or at
    the top for a missing thing (404) or a state that does not allow the step (409)."""
    state = page.state_of(form)
    if isinstance(exc, NotFound):
        return page.render(request, viewer, issue_id, state, 404, problem=str(exc))
    if isinstance(exc, StateError):
        return page.render(request, viewer, issue_id, state, 409, problem=str(exc))
    errors = {where: sending.beside(str(exc))}
    posted = {where: {k: v for k, v in form.items() if isinstance(v, str)}}
    posted[where]["lists"] = ",".join(_slugs(form))
    return page.render(request, viewer, issue_id, state, 400, errors=errors, posted=posted)


def _act(
    request: Request,
    viewer: Viewer,
    issue_id: int,
    form: FormData,
    where: str,
    work: Callable[[Session], str],
) -> Response:
    """Run one step in one transaction, then back to the panel with ``work``'s message."""
    web = web_of(request)
    try:
        with session_scope(web.engine) as db:
            flash = work(db)
    except UserError as exc:
        return _refused(request, viewer, issue_id, form, where, exc)
    return admin_of(request).redirect(page.url(issue_id, page.state_of(form), ANCHOR), flash)


@router.post("/admin/issues/{issue_id}/submit")
def submit(
    request: Request,
    issue_id: int,
    viewer: Viewer = Depends(need("submit")),
    form: FormData = Depends(checked_form),
) -> Response:
    _ = admin_of(request).gettext(viewer.lang)
    now = web_of(request).clock()

    def work(db: Session) -> str:
        issues.submit(db, issue_id, viewer.actor, now, text(form, "note"))
        return _("Issue %(id)s is in review: an approver approves it or sends it back.",
                 id=issue_id)  # fmt: skip

    return _act(request, viewer, issue_id, form, "review-submit", work)


@router.post("/admin/issues/{issue_id}/approve")
def approve(
    request: Request,
    issue_id: int,
    viewer: Viewer = Depends(need("approve")),
    form: FormData = Depends(checked_form),
) -> Response:
    web = web_of(request)
    _ = admin_of(request).gettext(viewer.lang)
    now = web.clock()
    allow_self = web.config.workspace.allow_self_approval

    def work(db: Session) -> str:
        issues.approve(db, web.config, issue_id, viewer.actor, now, text(form, "note"),
                       allow_self=allow_self)  # fmt: skip
        return _("Issue %(id)s is approved: test it, schedule it or send it.", id=issue_id)

    return _act(request, viewer, issue_id, form, "review-approve", work)


@router.post("/admin/issues/{issue_id}/send-back")
def send_back(
    request: Request,
    issue_id: int,
    viewer: Viewer = Depends(need("approve")),
    form: FormData = Depends(checked_form),
) -> Response:
    _ = admin_of(request).gettext(viewer.lang)
    now = web_of(request).clock()
    note = text(form, "note").replace("\r\n", "\n")

    def work(db: Session) -> str:
        issues.reject(db, issue_id, viewer.actor, now, note)
        return _("Issue %(id)s went back to draft with your note.", id=issue_id)

    return _act(request, viewer, issue_id, form, "review-send-back", work)


@router.post("/admin/issues/{issue_id}/test")
def test_send(
    request: Request,
    issue_id: int,
    viewer: Viewer = Depends(need("test_send")),
    form: FormData = Depends(checked_form),
) -> Response:
    """Proofs marked [TEST], outside the ledger, through the configured transport (as
    `issues test`). Nothing is locked while the server is talking; the audit trail is
    written afterwards, for the addresses the test reached."""
    web = web_of(request)
    _ = admin_of(request).gettext(viewer.lang)
    now = web.clock()
    language = text(form, "language").strip() or None
    try:
        with read_scope(web.engine) as db:
            issues.get(db, issue_id)
            to = sending.proof_addresses(db, web.config, issue_id, text(form, "to"),
                                         viewer.email, text(form, "proof_list"),
                                         text(form, "addresses"))  # fmt: skip
            settings = message_settings(web.config)
            composer = proofs.proof_composer(db, web.config, settings, issue_id, language)
        transport = make_transport(web.config)
    except UserError as exc:
        return _refused(request, viewer, issue_id, form, "review-test", exc)
    try:
        results = proofs.send_proofs(composer, transport, to, now)
    finally:
        transport.close()
    sent = [r.address for r in results if r.outcome.ok]
    if sent:
        with session_scope(web.engine) as db:
            audit.record(db, viewer.actor, "sent", "issue", issue_id, now,
                         note="a test to " + ", ".join(sent), test=True)  # fmt: skip
    if len(sent) < len(to):
        # Not the person's mistake: the server refused or did not answer. 502, at the top.
        failed = results[-1]
        problem = _("The test to %(to)s was not sent: %(reason)s",
                    to=failed.address, reason=failed.outcome.describe())  # fmt: skip
        return page.render(request, viewer, issue_id, page.state_of(form), 502, problem=problem)
    return admin_of(request).redirect(
        page.url(issue_id, page.state_of(form), ANCHOR),
        _("Test sent to %(to)s.", to=", ".join(sent)),
    )


@router.post("/admin/issues/{issue_id}/schedule")
def schedule_issue(
    request: Request,
    issue_id: int,
    viewer: Viewer = Depends(need("schedule")),
    form: FormData = Depends(checked_form),
) -> Response:
    """At a local time (``at``, from a datetime-local field) in the zone ``tz`` (default:
    ``[scheduler] timezone``) to the ticked ``lists``, as `issues schedule` does."""
    web = web_of(request)
    _ = admin_of(request).gettext(viewer.lang)
    now = web.clock()
    slugs = _slugs(form)
    at, tz = text(form, "at").strip(), text(form, "tz").strip() or None

    def work(db: Session) -> str:
        issue = schedule.schedule_issue(db, web.config, issue_id, slugs, at, tz, now,
                                        viewer.actor)  # fmt: skip
        utc, zone = issue.scheduled_at, issue.schedule_tz or ""
        assert utc is not None  # schedule_issue sets it or raises
        when = schedule.format_local(utc, zone)
        audit.record(db, viewer.actor, "scheduled", "issue", issue_id, now,
                     note=f"for {when} to {', '.join(issue.schedule_lists)}",
                     at=utc.isoformat(), timezone=zone,
                     lists=list(issue.schedule_lists))  # fmt: skip
        return _("Issue %(id)s is scheduled for %(when)s; the worker sends it then.",
                 id=issue_id, when=when)  # fmt: skip

    return _act(request, viewer, issue_id, form, "review-schedule", work)


@router.post("/admin/issues/{issue_id}/unschedule")
def unschedule(
    request: Request,
    issue_id: int,
    viewer: Viewer = Depends(need("schedule")),
    form: FormData = Depends(checked_form),
) -> Response:
    _ = admin_of(request).gettext(viewer.lang)
    now = web_of(request).clock()

    def work(db: Session) -> str:
        schedule.unschedule_issue(db, issue_id, now, viewer.actor)
        return _("Issue %(id)s is off the schedule; it stays approved.", id=issue_id)

    return _act(request, viewer, issue_id, form, "review-schedule", work)


# --- Send now: the confirmation page, then the send -------------------------------------------


def _send_page(
    request: Request,
    viewer: Viewer,
    issue_id: int,
    slugs: list[str] | None,
    status: int = 200,
    errors: dict[str, str] | None = None,
) -> Response:
    """The lists to choose, how many people they reach, and the confirmation form.
    ``slugs`` None: the lists the issue is scheduled for, if any."""
    web = web_of(request)
    errors = dict(errors or {})
    reach = None
    with read_scope(web.engine) as db:
        try:
            issue = issues.get(db, issue_id)
        except NotFound:
            raise HTTPException(404) from None
        chosen = list(issue.schedule_lists or []) if slugs is None else slugs
        if chosen:
            try:
                reach = sending.reach(db, web.config, issue_id, chosen)
            except UserError as exc:
                errors.setdefault("lists", str(exc))
                status = 400 if status == 200 else status
        check_errors = errors_of(check_issue(db, web.config, issue_id))
        worker = sending.worker_running(db, web.config, web.clock())
        offered = mailing_lists.all_lists(db)
    return admin_of(request).render(
        request, viewer, "issue_send.html", status, issue=issue, offered=offered,
        chosen=chosen, reach=reach, errors=errors, check_errors=check_errors,
        worker_running=worker, warnings=sender_warnings(web.config),
        sendable=issue.status in SENDABLE,
    )  # fmt: skip


@router.api_route("/admin/issues/{issue_id}/send", methods=READ)
def send_page(request: Request, issue_id: int, viewer: Viewer = Depends(need("send"))) -> Response:
    """How many people each list reaches, and the form that sends it to them now."""
    query = request.query_params
    return _send_page(request, viewer, issue_id, _slugs(query) if "lists" in query else None)


@router.post("/admin/issues/{issue_id}/send")
def send_now(
    request: Request,
    issue_id: int,
    viewer: Viewer = Depends(need("send")),
    form: FormData = Depends(checked_form),
) -> Response:
    """Write the send for the worker, once the box is ticked and the number shown still
    holds (someone may have subscribed or left since the page was read)."""
    web = web_of(request)
    _ = admin_of(request).gettext(viewer.lang)
    now = web.clock()
    slugs = _slugs(form)
    expected = text(form, "expected")
    try:
        if not slugs:
            raise UserError("lists: choose at least one list to send to")
        if text(form, "confirm") != "yes":
            raise UserError("confirm: tick the box to say you checked the issue and the lists")
        check_ready(web.config)  # the transport's settings: refused before anything is written
        with session_scope(web.engine) as db:
            reach = sending.reach(db, web.config, issue_id, slugs)
            if expected != str(reach.total):
                raise UserError(
                    f"confirm: the lists now reach {reach.total} people, not the "
                    f"{expected or '?'} shown: check the numbers again"
                )
            send = ledger.start_send(db, issue_id, slugs, now, web.config)
            audit.record(db, viewer.actor, "sent", "issue", issue_id, now,
                         note=f"send now to {', '.join(slugs)}: {reach.total} people",
                         send=send.id, lists=slugs, recipients=reach.total)  # fmt: skip
    except StateError as exc:
        return _send_page(request, viewer, issue_id, slugs, 409, {"": str(exc)})
    except UserError as exc:  # a missing issue: the page answers 404 itself
        return _send_page(request, viewer, issue_id, slugs, 400, sending.beside(str(exc)))
    flash = _("Issue %(id)s is sending to %(n)s people: the worker delivers it now.",
              id=issue_id, n=reach.total)  # fmt: skip
    return admin_of(request).redirect(page.url(issue_id, {}, ANCHOR), flash)
