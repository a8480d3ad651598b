"""Public routes: subscribe and confirm, and the request helpers every page module shares.

The archive is in archive_pages.py; the pages behind personal links in personal.py and
preferences.py.

Routes read the request, call the services and pick a page; the rules live in the services.
"""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.responses import HTMLResponse, Response

from newsletter.audience import lists, subscriptions, tokens
from newsletter.core.db import session_scope
from newsletter.core.errors import NotFound, StateError
from newsletter.core.models import MailingList, Subscriber
from newsletter.web import forms, i18n, ratelimit
from newsletter.web.app import READ, Web, web_of
from newsletter.web.security import CSRF_FIELD

router = APIRouter()


def client_ip(request: Request) -> str:
    # Behind a reverse proxy uvicorn puts the X-Forwarded-For address here (--forwarded-allow-ips).
    return request.client.host if request.client else "unknown"


def user_agent(request: Request) -> str:
    return request.headers.get("user-agent", "")[:512]


async def read_form(request: Request) -> FormData:
    """The posted form (urlencoded or multipart, no files); malformed bodies answer 400."""
    try:
        return await request.form(max_files=0, max_fields=200)
    except MultiPartException as exc:
        raise HTTPException(400, f"malformed form data: {exc.message}") from None


async def checked_form(request: Request) -> FormData:
    form = await read_form(request)
    value = form.get(CSRF_FIELD)
    web_of(request).csrf.check(request, value if isinstance(value, str) else None)
    return form


def no_store(response: Response) -> Response:
    """Pages reached through personal links must not be kept by shared caches."""
    response.headers["Cache-Control"] = "no-store"
    return response


def language_choices(web: Web, lang: str) -> list[tuple[str, str]]:
    return [(code, i18n.language_name(code, lang)) for code in web.config.library.languages]


def consent_text(web: Web, lang: str) -> str:
    """The consent text shown (and recorded word for word) on a page in ``lang``."""
    if lang == "tr" and web.config.web.consent_text_tr:
        return web.config.web.consent_text_tr
    return web.config.web.consent_text


def default_edition_language(web: Web, lang: str) -> str:
    offered = web.config.library.languages
    return lang if lang in offered else web.config.library.default_language


# --- Subscribe ---------------------------------------------------------------------------------


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
    if not title:
        title = _("Subscribe to %(name)s", name=focus.name) if focus else _("Subscribe")
    intro = (
        intro
        or (focus.description if focus else "")
        or _("Get our newsletter by email. You can unsubscribe at any time.")
    )
    return web.render(
        request,
        "subscribe.html",
        lang,
        422 if errors else status,
        title=title,
        intro=intro,
        lists=public,
        languages=language_choices(web, lang),
        form=form,
        errors=errors or {},
        consent_text=consent_text(web, lang),
    )


@router.api_route("/subscribe", methods=READ, response_class=HTMLResponse)
async def subscribe_all(request: Request) -> Response:
    web = web_of(request)
    lang = web.language(request)
    with session_scope(web.engine) as session:
        public = lists.all_lists(session, public_only=True)
    chosen = [public[0].slug] if len(public) == 1 else []
    form = forms.SubscribeForm(language=default_edition_language(web, lang), lists=chosen)
    return _subscribe_page(request, web, lang, public, form)


@router.api_route("/subscribe/{slug}", methods=READ, response_class=HTMLResponse)
async def subscribe_one(request: Request, slug: str) -> Response:
    web = web_of(request)
    lang = web.language(request)
    with session_scope(web.engine) as session:
        public = lists.all_lists(session, public_only=True)
    focus = next((m for m in public if m.slug == slug), None)
    if focus is None:
        raise HTTPException(404)
    form = forms.SubscribeForm(language=default_edition_language(web, lang), lists=[slug])
    return _subscribe_page(request, web, lang, public, form, focus=focus)


@router.post("/subscribe", response_class=HTMLResponse)
async def subscribe_post(request: Request) -> Response:
    web = web_of(request)
    lang = web.language(request)
    _ = web.gettext(lang)
    form = forms.read_subscribe(await checked_form(request))
    now = web.clock()
    thanks = web.message(
        request,
        lang,
        _("Thank you"),
        [
            _("Please check your inbox at %(email)s.", email=form.email),
            _(
                "If a newsletter you chose needs confirmation, we have sent you an email with a "
                "link: open it within %(days)s days to confirm.",
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
    with session_scope(web.engine) as session:
        public = lists.all_lists(session, public_only=True)
    chosen = [public[0].slug] if len(public) == 1 else []
    form = forms.SubscribeForm(language=default_edition_language(web, lang), lists=chosen)
    page = _subscribe_page(
        request,
        web,
        lang,
        public,
        form,
        title=_("We could not confirm your subscription"),
        intro=reason + " " + _("Enter your address again and we will send you a new link."),
        status=400,
    )
    return no_store(page)


@router.get("/confirm/{token}", response_class=HTMLResponse)
async def confirm(request: Request, token: str) -> Response:
    web = web_of(request)
    now = web.clock()
    max_age = timedelta(days=web.config.subscribers.confirm_days)
    try:
        with session_scope(web.engine) as session:
            data = tokens.read(web.secret, "confirm", token, now, max_age=max_age)
            subscriptions.confirm(
                session,
                data.subscriber_id,
                data.list_id or 0,
                ip=client_ip(request),
                user_agent=user_agent(request),
                now=now,
                secret=web.secret,
            )
            person = session.get(Subscriber, data.subscriber_id)
            mlist = session.get(MailingList, data.list_id or 0)
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
    except (NotFound, StateError):
        lang = web.language(request)
        _ = web.gettext(lang)
        return _confirm_bad(
            request,
            web,
            lang,
            _("This subscription was cancelled or removed after the link was sent."),
        )
    lang = web.language(request, person.language if person else None)
    _ = web.gettext(lang)
    text = _(
        "Thank you: %(email)s will now receive “%(list)s”.",
        email=person.email if person else "",
        list=mlist.name if mlist else "",
    )
    page = web.message(
        request,
        lang,
        _("Your subscription is confirmed"),
        [text],
        links=[{"url": "/archive", "label": _("Read past issues in the archive")}],
    )
    return no_store(page)
