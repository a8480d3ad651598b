"""Unsubscribe (RFC 8058) behind the link in every email and in its List-Unsubscribe header.

A GET never changes anything (mail scanners follow links); the RFC 8058 one-click POST needs no
CSRF token because providers send it without cookies, and the signed link is the authority.
A bad link or one whose person is gone raises TokenError, answered by the error pages
(``personal_links.refused``) after the transaction rolled back.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import FormData
from starlette.responses import HTMLResponse, Response

from newsletter.audience import subscriptions
from newsletter.core.db import read_scope, session_scope
from newsletter.web.context import READ, Web, web_of
from newsletter.web.page_helpers import (
    check_csrf,
    client_ip,
    list_view,
    no_store,
    read_form,
    user_agent,
)
from newsletter.web.personal_links import Holder, holder_of, preferences_url

router = APIRouter()
ONE_CLICK = ("List-Unsubscribe", "One-Click")


def _language(web: Web, request: Request, holder: Holder) -> str:
    list_lang = holder.mailing_list.default_language if holder.mailing_list else None
    return web.language(request, holder.subscriber.language, list_lang)


def _list_name(holder: Holder, lang: str) -> str:
    return list_view(holder.mailing_list, lang).name if holder.mailing_list else ""


@router.api_route("/unsubscribe/{token}", methods=READ, response_class=HTMLResponse)
def unsubscribe_page(request: Request, token: str) -> Response:
    web = web_of(request)
    with read_scope(web.engine) as session:
        holder = holder_of(session, web, "unsubscribe", token)
    lang = _language(web, request, holder)
    _ = web.gettext(lang)
    page = web.render(
        request,
        "unsubscribe.html",
        lang,
        title=_("Unsubscribe"),
        email=holder.subscriber.email,
        list_name=_list_name(holder, lang),
        action=request.url.path,
        preferences_url=preferences_url(web, holder.subscriber.id or 0),
    )
    return no_store(page)


@router.post("/unsubscribe/{token}", response_class=HTMLResponse)
def unsubscribe_post(
    request: Request, token: str, form: Annotated[FormData, Depends(read_form)]
) -> Response:
    web = web_of(request)
    one_click = form.get(ONE_CLICK[0]) == ONE_CLICK[1]
    if not one_click:
        check_csrf(request, form)
    with session_scope(web.engine) as session:
        holder = holder_of(session, web, "unsubscribe", token)
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
    lang = _language(web, request, holder)
    _ = web.gettext(lang)
    if everything:
        text = _(
            "%(email)s will receive no more newsletters from us.", email=holder.subscriber.email
        )
    else:
        text = _(
            "%(email)s will no longer receive “%(list)s”.",
            email=holder.subscriber.email,
            list=_list_name(holder, lang),
        )
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
