"""The preferences page behind the link in every email: name, language and lists; download
my data; erase me (after a confirmation step). The signed token is the only credential.

A bad link or one whose person is gone raises TokenError, answered by the error pages
(``personal_links.refused``) after the transaction rolled back: it changes nothing.
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from sqlmodel import Session, select
from starlette.datastructures import FormData
from starlette.responses import HTMLResponse, RedirectResponse, Response

from newsletter.audience import lists, subscriptions
from newsletter.core.db import read_scope, session_scope
from newsletter.core.models import MailingList, Subscription
from newsletter.web import forms
from newsletter.web.context import READ, Web, web_of
from newsletter.web.page_helpers import (
    checked_form,
    client_ip,
    consent_text,
    language_choices,
    list_views,
    no_store,
    user_agent,
)
from newsletter.web.personal_links import Holder, holder_of
from newsletter.web.security import local_path

router = APIRouter()
Checked = Annotated[FormData, Depends(checked_form)]


def _preferences_page(
    request: Request,
    web: Web,
    token: str,
    holder: Holder,
    choices: list[MailingList],
    form: forms.PreferencesForm,
    errors: dict[str, str] | None = None,
) -> Response:
    lang = web.language(request, holder.subscriber.language)
    _ = web.gettext(lang)
    page = web.render(
        request,
        "preferences.html",
        lang,
        422 if errors else 200,
        title=_("Your newsletter preferences"),
        email=holder.subscriber.email,
        action=f"/preferences/{token}",
        data_url=f"/preferences/{token}/data",
        erase_url=f"/preferences/{token}/erase",
        lists=list_views(choices, lang),
        languages=language_choices(web, lang),
        form=form,
        errors=errors or {},
        saved=request.query_params.get("saved") == "1" and not errors,
    )
    return no_store(page)


def _choices(session: Session, subscriber_id: int) -> tuple[list[MailingList], list[str]]:
    """The lists the page offers (public ones and any held) and the ones currently received."""
    held = {
        sub.list_id: sub.status
        for sub in session.exec(
            select(Subscription).where(Subscription.subscriber_id == subscriber_id)
        )
    }
    offered = [m for m in lists.all_lists(session) if m.visibility == "public" or m.id in held]
    current = [m.slug for m in offered if held.get(m.id or 0, "unsubscribed") != "unsubscribed"]
    return offered, current


@router.api_route("/preferences/{token}", methods=READ, response_class=HTMLResponse)
def preferences_page(request: Request, token: str) -> Response:
    web = web_of(request)
    with read_scope(web.engine) as session:
        holder = holder_of(session, web, "preferences", token)
        choices, current = _choices(session, holder.subscriber.id or 0)
    form = forms.PreferencesForm(holder.subscriber.name, holder.subscriber.language, current)
    return _preferences_page(request, web, token, holder, choices, form)


@router.post("/preferences/{token}", response_class=HTMLResponse)
def preferences_post(request: Request, token: str, posted: Checked) -> Response:
    web = web_of(request)
    form = forms.read_preferences(posted)
    with session_scope(web.engine) as session:
        holder = holder_of(session, web, "preferences", token)
        choices, _current = _choices(session, holder.subscriber.id or 0)
        lang = web.language(request, holder.subscriber.language)
        errors = forms.check_preferences(
            form, [m.slug for m in choices], web.config.library.languages, web.gettext(lang)
        )
        if errors:
            return _preferences_page(request, web, token, holder, choices, form, errors)
        ids = {m.slug: m.id for m in choices}
        subscriptions.update_preferences(
            session,
            web.secret,
            holder.subscriber.id or 0,
            now=web.clock(),
            source="preferences page",
            name=form.name,
            language=form.language,
            list_ids=[ids[slug] for slug in form.lists if ids.get(slug)],  # type: ignore[misc]
            ip=client_ip(request),
            user_agent=user_agent(request),
            consent_text=consent_text(web, lang),
            consent_version=web.config.web.consent_version,
        )
    # Post/redirect/get to a fixed local path: a reload never re-sends the form.
    return RedirectResponse(local_path(f"/preferences/{token}?saved=1"), status_code=303)


@router.api_route("/preferences/{token}/data", methods=READ)
def preferences_data(request: Request, token: str) -> Response:
    web = web_of(request)
    with read_scope(web.engine) as session:
        holder = holder_of(session, web, "preferences", token)
        data = subscriptions.person_data(session, holder.subscriber.email)
    body = json.dumps(data, ensure_ascii=False, indent=2, default=str).encode()
    return no_store(
        Response(
            body,
            media_type="application/json; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="my-newsletter-data.json"'},
        )
    )


@router.api_route("/preferences/{token}/erase", methods=READ, response_class=HTMLResponse)
def erase_page(request: Request, token: str) -> Response:
    web = web_of(request)
    with read_scope(web.engine) as session:
        holder = holder_of(session, web, "preferences", token)
    lang = web.language(request, holder.subscriber.language)
    _ = web.gettext(lang)
    page = web.render(
        request,
        "erase.html",
        lang,
        title=_("Erase your data"),
        email=holder.subscriber.email,
        action=f"/preferences/{token}/erase",
        back_url=f"/preferences/{token}",
    )
    return no_store(page)


@router.post("/preferences/{token}/erase", response_class=HTMLResponse)
def erase_post(request: Request, token: str, form: Checked) -> Response:
    web = web_of(request)
    if form.get("confirm") != "yes":
        return RedirectResponse(local_path(f"/preferences/{token}/erase"), status_code=303)
    with session_scope(web.engine) as session:
        holder = holder_of(session, web, "preferences", token)
        subscriptions.erase(session, web.secret, holder.subscriber.email, web.clock())
    lang = web.language(request, holder.subscriber.language)
    _ = web.gettext(lang)
    text = _("We have deleted your data. We will not write to this address again.")
    return no_store(web.message(request, lang, _("You have been erased"), [text]))
