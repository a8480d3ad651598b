"""The subscribe form (all public lists, or one) and the confirmation link of double opt-in.

Routes read the request, call the services and pick a page; the rules live in the services.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.responses import HTMLResponse, Response

from newsletter.audience import lists, lookups, subscriptions, tokens
from newsletter.core.db import read_scope, session_scope
from newsletter.core.errors import NotFound, StateError
from newsletter.core.models import MailingList
from newsletter.web import forms, ratelimit
from newsletter.web.context import READ, Web, web_of
from newsletter.web.page_helpers import (
    checked_form,
    client_ip,
    consent_text,
    default_edition_language,
    language_choices,
    list_view,
    list_views,
    no_store,
    shared_default_language,
    user_agent,
)

router = APIRouter()


def _subscribe_page(
    request: Request,
    web: Web,
    lang: str,
    public: list[MailingList],
    form: forms.SubscribeForm,
    errors: dict[str, str] | None = None,
    focus: MailingList | None = None,
    title: str = "",
    intro: str = "",
    status: int = 200,
) -> HTMLResponse:
    _ = web.gettext(lang)
    shown = list_view(focus, lang) if focus else None
    if not title:
        title = _("Subscribe to %(name)s", name=shown.name) if shown else _("Subscribe")
    intro = (
        intro
        or (shown.description if shown else "")
        or _("Get our newsletter by email. You can unsubscribe at any time.")
    )
    return web.render(
        request,
        "subscribe.html",
        lang,
        422 if errors else status,
        title=title,
        intro=intro,
        lists=list_views(public, lang),
        languages=language_choices(web, lang),
        form=form,
        errors=errors or {},
        consent_text=consent_text(web, lang),
    )


def _public_lists(web: Web) -> list[MailingList]:
    with read_scope(web.engine) as session:
        return lists.all_lists(session, public_only=True)


def _blank_form(web: Web, lang: str, public: list[MailingList]) -> forms.SubscribeForm:
    chosen = [public[0].slug] if len(public) == 1 else []
    return forms.SubscribeForm(language=default_edition_language(web, lang), lists=chosen)


@router.api_route("/subscribe", methods=READ, response_class=HTMLResponse)
def subscribe_all(request: Request) -> Response:
    web = web_of(request)
    public = _public_lists(web)
    lang = web.language(request, list_lang=shared_default_language(public))
    return _subscribe_page(request, web, lang, public, _blank_form(web, lang, public))


@router.api_route("/subscribe/{slug}", methods=READ, response_class=HTMLResponse)
def subscribe_one(request: Request, slug: str) -> Response:
    web = web_of(request)
    public = _public_lists(web)
    focus = next((m for m in public if m.slug == slug), None)
    if focus is None:
        raise HTTPException(404)
    lang = web.language(request, list_lang=focus.default_language)
    form = forms.SubscribeForm(language=default_edition_language(web, lang), lists=[slug])
    return _subscribe_page(request, web, lang, public, form, focus=focus)


@router.post("/subscribe", response_class=HTMLResponse)
def subscribe_post(
    request: Request, posted: Annotated[FormData, Depends(checked_form)]
) -> Response:
    web = web_of(request)
    lang = web.language(request)
    _ = web.gettext(lang)
    form = forms.read_subscribe(posted)
    now = web.clock()
    thanks = web.message(
        request,
        lang,
        _("Thank you"),
        [
            _("Please check your inbox at %(email)s.", email=form.email),
            _.ngettext(
                "If a newsletter you chose needs confirmation, we have sent you an email with a "
                "link: open it within %(days)s day to confirm.",
                "If a newsletter you chose needs confirmation, we have sent you an email with a "
                "link: open it within %(days)s days to confirm.",
                web.config.subscribers.confirm_days,
                days=web.config.subscribers.confirm_days,
            ),
        ],
    )
    if form.honeypot:
        return thanks  # a bot filled the hidden field: look successful, do nothing
    with session_scope(web.engine) as session:
        limits = ratelimit.form_limits(
            web.config.web, web.secret, "subscribe", client_ip(request), form.email
        )
        ratelimit.hit(session, limits, now)
    with session_scope(web.engine) as session:
        public = lists.all_lists(session, public_only=True)
        address, errors = forms.check_subscribe(
            form, [m.slug for m in public], web.config.library.languages, _
        )
        if errors or address is None:
            return _subscribe_page(request, web, lang, public, form, errors)
        subscriptions.subscribe(
            session,
            web.secret,
            address.normalised,
            name=form.name,
            language=form.language,
            list_slugs=form.lists,
            source=web.config.public.base_url.rstrip("/") + "/subscribe",
            ip=client_ip(request),
            user_agent=user_agent(request),
            consent_text=consent_text(web, lang),
            consent_version=web.config.web.consent_version,
            now=now,
        )
    # The same page whatever the address's history: it reveals nothing about who subscribed.
    return thanks


# --- Confirm -----------------------------------------------------------------------------------


def _confirm_bad(request: Request, web: Web, lang: str, reason: str) -> Response:
    """The friendly page for a bad link: say why, and offer the form that sends a new one."""
    _ = web.gettext(lang)
    public = _public_lists(web)
    page = _subscribe_page(
        request,
        web,
        lang,
        public,
        _blank_form(web, lang, public),
        title=_("We could not confirm your subscription"),
        intro=reason + " " + _("Enter your address again and we will send you a new link."),
        status=400,
    )
    return no_store(page)


@router.get("/confirm/{token}", response_class=HTMLResponse)
def confirm(request: Request, token: str) -> Response:
    web = web_of(request)
    now = web.clock()
    max_age = timedelta(days=web.config.subscribers.confirm_days)
    try:
        data = tokens.read(web.secret, "confirm", token, now, max_age=max_age)
    except tokens.TokenError as exc:
        lang = web.language(request)
        _ = web.gettext(lang)
        if exc.expired:
            return _confirm_bad(request, web, lang, _("This confirmation link has expired."))
        return _confirm_bad(
            request,
            web,
            lang,
            _("This confirmation link is not valid: it may have been cut short or changed."),
        )
    try:
        with session_scope(web.engine) as session:
            # Only the person the link was made for: never a newer subscriber given their id.
            person = lookups.person_for_token(session, data)
            subscriptions.confirm(
                session,
                data.subscriber_id,
                data.list_id or 0,
                ip=client_ip(request),
                user_agent=user_agent(request),
                now=now,
                secret=web.secret,
            )
            mlist = session.get(MailingList, data.list_id or 0)
    except (tokens.TokenError, NotFound, StateError):
        lang = web.language(request)
        _ = web.gettext(lang)
        return _confirm_bad(
            request,
            web,
            lang,
            _("This subscription was cancelled or removed after the link was sent."),
        )
    lang = web.language(request, person.language, mlist.default_language if mlist else None)
    _ = web.gettext(lang)
    text = _(
        "Thank you: %(email)s will now receive “%(list)s”.",
        email=person.email,
        list=list_view(mlist, lang).name if mlist else "",
    )
    page = web.message(
        request,
        lang,
        _("Your subscription is confirmed"),
        [text],
        links=[{"url": f"/archive?lang={lang}", "label": _("Read past issues in the archive")}],
    )
    return no_store(page)
