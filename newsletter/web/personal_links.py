"""What every personal-link page shares: reading the link's token, finding its person, and the
pages for a bad link and for a link whose person is gone.

The signed token in the URL is the only credential: no login, no cookie. It names its person by
id and the time it was made; ``lookups.person_for_token`` makes sure the record is still the
person it was made for (not erased, not a newer subscriber who was given the same id).
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from sqlmodel import Session
from starlette.responses import Response

from newsletter.audience import lookups, tokens
from newsletter.core.models import MailingList, Subscriber
from newsletter.web.context import Web
from newsletter.web.page_helpers import no_store

# Proofs (`issues test`) carry this instead of a personal token (composer.Composer.fields).
PROOF_TOKEN = "TEST"


class LinkGone(tokens.TokenError):
    """A genuine link whose person is gone: erased, removed, or their id now names someone else."""


@dataclass
class Holder:
    """Who a personal link belongs to (and for which list, on unsubscribe links)."""

    subscriber: Subscriber
    mailing_list: MailingList | None


def holder_of(session: Session, web: Web, purpose: str, token: str) -> Holder:
    """The link's owner. TokenError when the link is bad, LinkGone when its person is gone."""
    data = tokens.read(web.secret, purpose, token, web.clock())
    try:
        subscriber = lookups.person_for_token(session, data)
    except tokens.TokenError as exc:
        raise LinkGone(str(exc)) from None
    mlist = session.get(MailingList, data.list_id) if data.list_id is not None else None
    return Holder(subscriber, mlist)


def refused(request: Request, web: Web, error: tokens.TokenError) -> Response:
    """The page for a link that cannot be used; the request has changed nothing."""
    if isinstance(error, LinkGone):
        return link_gone(request, web)
    return bad_link(request, web)


def bad_link(request: Request, web: Web) -> Response:
    lang = web.language(request)
    _ = web.gettext(lang)
    if request.path_params.get("token") == PROOF_TOKEN:
        text = _(
            "This link comes from a test email (a proof). In a real issue it leads the "
            "recipient to their own page."
        )
        return no_store(web.message(request, lang, _("Test email"), [text]))
    text = _(
        "This link is not valid: it may have been cut short or changed. Please use the "
        "link in your most recent email, or write to %(contact)s.",
        contact=web.config.organisation.contact_email,
    )
    return no_store(web.message(request, lang, _("Link not valid"), [text], 400))


def link_gone(request: Request, web: Web) -> Response:
    # 410 Gone: the link was genuine, but there is no one behind it any more.
    lang = web.language(request)
    _ = web.gettext(lang)
    paragraphs = [
        _("This link is no longer valid."),
        _("We hold no subscription for this link any more: you will not receive our emails."),
    ]
    return no_store(web.message(request, lang, _("Link not valid"), paragraphs, 410))


def preferences_url(web: Web, subscriber_id: int) -> str:
    token = tokens.make(web.secret, "preferences", subscriber_id, now=web.clock())
    return f"/preferences/{token}"
