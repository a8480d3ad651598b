"""Request and page helpers the routers share: who is asking, the posted form, caching, the
language and consent choices of the public forms, and lists as a page in some language shows them.

``read_form`` and ``checked_form`` are async FastAPI dependencies: the body is read in the event
loop, so the routes themselves can be plain functions that FastAPI runs in its thread pool while
they wait for the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fastapi import Request
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.responses import Response

from newsletter.audience import lists
from newsletter.core.models import MailingList
from newsletter.web import i18n
from newsletter.web.context import Web, web_of
from newsletter.web.security import CSRF_FIELD


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
    """The posted form once its CSRF token matched this browser's cookie (else CsrfError)."""
    form = await read_form(request)
    check_csrf(request, form)
    return form


def check_csrf(request: Request, form: FormData) -> None:
    value = form.get(CSRF_FIELD)
    web_of(request).csrf.check(request, value if isinstance(value, str) else None)


def no_store(response: Response) -> Response:
    """Pages reached through personal links must not be kept by shared caches."""
    response.headers["Cache-Control"] = "no-store"
    return response


def language_choices(web: Web, lang: str) -> list[tuple[str, str]]:
    return [(code, i18n.language_name(code, lang)) for code in web.config.library.languages]


def consent_text(web: Web, lang: str) -> str:
    """The consent text shown (and recorded word for word) on a page in ``lang``."""
    return web.config.web.consent_text_for(lang)


def default_edition_language(web: Web, lang: str) -> str:
    offered = web.config.library.languages
    return lang if lang in offered else web.config.library.default_language


@dataclass(frozen=True)
class ListView:
    """A list as a page shows it: its name and description in the page's language."""

    slug: str
    name: str
    description: str


def list_view(mlist: MailingList, lang: str) -> ListView:
    name, description = lists.localised(mlist, lang)
    return ListView(mlist.slug, name, description)


def list_views(mlists: Sequence[MailingList], lang: str) -> list[ListView]:
    return [list_view(m, lang) for m in mlists]


def shared_default_language(mlists: Sequence[MailingList]) -> str | None:
    """The default language of the lists a page offers, when they all have the same one."""
    found = {m.default_language for m in mlists}
    return found.pop() if len(found) == 1 else None
