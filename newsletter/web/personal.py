"""Unsubscribe (RFC 8058) behind the link in every email, and what every personal-link page
shares: reading the link's token and the pages for a bad link or an erased person.

The signed token in the URL is the only credential: no login, no cookie. A GET never changes
anything (mail scanners follow links); the RFC 8058 one-click POST needs no CSRF token because
providers send it without cookies, and the signed link is the authority.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import HTMLResponse, Response

from newsletter.audience import subscriptions, tokens
from newsletter.core.db import session_scope
from newsletter.core.models import MailingList, Subscriber
from newsletter.web.app import Web, web_of
from newsletter.web.public import (
    client_ip,
    no_store,
    read_form,
    user_agent,
)

router = APIRouter()
ONE_CLICK = ("List-Unsubscribe", "One-Click")
# Proofs (`issues test`) carry this instead of a personal token (composer.Composer.fields).
PROOF_TOKEN = "TEST"


@dataclass
class Holder:
    """Who a personal link belongs to (and for which list, on unsubscribe links)."""

    subscriber: Subscriber
    mailing_list: MailingList | None


def holder_of(session: Session, web: Web, purpose: str, token: str) -> Holder | None:
    """The link's owner; None when they have been erased. TokenError when the link is bad."""
    data = tokens.read(web.secret, purpose, token, web.clock())
    subscriber = session.get(Subscriber, data.subscriber_id)
    if subscriber is None:
        return None
    mlist = session.get(MailingList, data.list_id) if data.list_id is not None else None
    return Holder(subscriber, mlist)


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


def gone(request: Request, web: Web) -> Response:
    lang = web.language(request)
    _ = web.gettext(lang)
    text = _("We hold no subscription for this link any more: you will not receive our emails.")
    return no_store(web.message(request, lang, _("Nothing to change"), [text]))


def preferences_url(web: Web, subscriber_id: int) -> str:
    token = tokens.make(web.secret, "preferences", subscriber_id, now=web.clock())
    return f"/preferences/{token}"


# --- Unsubscribe -------------------------------------------------------------------------------


@router.get("/unsubscribe/{token}", response_class=HTMLResponse)
async def unsubscribe_page(request: Request, token: str) -> Response:
    web = web_of(request)
    try:
        with session_scope(web.engine) as session:
            holder = holder_of(session, web, "unsubscribe", token)
    except tokens.TokenError:
        return bad_link(request, web)
    if holder is None:
        return gone(request, web)
    lang = web.language(request, holder.subscriber.language)
    _ = web.gettext(lang)
    page = web.render(
        request,
        "unsubscribe.html",
        lang,
        title=_("Unsubscribe"),
        email=holder.subscriber.email,
        list_name=holder.mailing_list.name if holder.mailing_list else "",
        action=request.url.path,
        preferences_url=preferences_url(web, holder.subscriber.id or 0),
    )
    return no_store(page)


@router.post("/unsubscribe/{token}", response_class=HTMLResponse)
async def unsubscribe_post(request: Request, token: str) -> Response:
    web = web_of(request)
    form = await read_form(request)
    one_click = form.get(ONE_CLICK[0]) == ONE_CLICK[1]
    if not one_click:
        value = form.get("csrf_token")
        web.csrf.check(request, value if isinstance(value, str) else None)
    try:
        with session_scope(web.engine) as session:
            holder = holder_of(session, web, "unsubscribe", token)
            if holder is None:
                return gone(request, web)
            everything = holder.mailing_list is None or form.get("scope") == "all"
            subscriptions.unsubscribe(
                session,
                web.secret,
                holder.subscriber.id,  # type: ignore[arg-type]
                None if everything else holder.mailing_list.id,  # type: ignore[union-attr]
                source="one-click" if one_click else "web",
                now=web.clock(),
                ip=client_ip(request),
                user_agent=user_agent(request),
            )
    except tokens.TokenError:
        return bad_link(request, web)
    lang = web.language(request, holder.subscriber.language)
    _ = web.gettext(lang)
    if everything:
        text = _(
            "%(email)s will receive no more newsletters from us.", email=holder.subscriber.email
        )
    else:
        text = _(
            "%(email)s will no longer receive “%(list)s”.",
            email=holder.subscriber.email,
            list=holder.mailing_list.name,
        )  # type: ignore[union-attr]
    links = (
        []
        if one_click
        else [
            {
                "url": preferences_url(web, holder.subscriber.id or 0),
                "label": _("Change your preferences"),
            },
        ]
    )
    page = web.message(request, lang, _("You are unsubscribed"), [text], links=links)
    return no_store(page)
