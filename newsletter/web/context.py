"""What every page module shares: the ``Web`` context (config, engine, clock, CSRF signer, the
page renderer with Babel translations) and ``web_of(request)`` to reach it from a route.

``create_app`` makes one ``Web`` per app and keeps it in ``app.state``; routers import this
module, never the app or each other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
import newsletter_templates
from fastapi import Request
from sqlalchemy.engine import Engine
from starlette.responses import HTMLResponse

from newsletter.core.config import Config
from newsletter.web import i18n
from newsletter.web.security import Csrf, local_path

TEMPLATES = Path(newsletter_templates.__file__).parent / "web"
# Pages that change nothing also answer HEAD (uptime monitors, link checkers). The confirm link
# stays GET only: a HEAD from a mail scanner must not confirm anyone.
READ = ["GET", "HEAD"]
FORM_TEMPLATES = frozenset({"subscribe.html", "unsubscribe.html", "preferences.html", "erase.html"})


@dataclass
class Web:
    """What the routes share: config, engine, clock, CSRF signer and the page renderer."""

    config: Config
    engine: Engine
    clock: Callable[[], datetime]
    secret: str
    csrf: Csrf
    envs: dict[str, jinja2.Environment] = field(default_factory=dict)

    @property
    def https(self) -> bool:
        """Whether people reach the site over https ([public] base_url): then HSTS is sent."""
        return self.config.public.base_url.lower().startswith("https://")

    def env(self, lang: str) -> jinja2.Environment:
        # Routes run in a thread pool: two threads may both build an environment at first,
        # which is harmless (the same templates, and the dict keeps one).
        if lang not in self.envs:
            env = jinja2.Environment(
                loader=jinja2.FileSystemLoader(TEMPLATES),
                autoescape=True,
                extensions=["jinja2.ext.i18n"],
                trim_blocks=True,
                lstrip_blocks=True,
            )
            env.install_gettext_translations(i18n.translations(lang), newstyle=True)  # type: ignore[attr-defined]
            # Templates write values into messages as `email=email|isolate`, like the routes'
            # gettext does: on right-to-left pages each value keeps its own direction.
            env.filters["isolate"] = lambda value: i18n.isolate(value, lang)
            self.envs.setdefault(lang, env)
        return self.envs[lang]

    def gettext(self, lang: str, isolating: bool = True) -> i18n.Translator:
        """``_`` for routes: ``_("…", name=value)`` and ``_.ngettext(one, many, n, …)``."""
        return i18n.translator(lang, isolating)

    def language(
        self,
        request: Request,
        subscriber_lang: str | None = None,
        list_lang: str | None = None,
    ) -> str:
        """The page language: ?lang=, the subscriber's, Accept-Language, the list's default
        language, the site's default ([library] default_language), English."""
        return i18n.choose_language(
            request.query_params.get("lang"),
            subscriber_lang,
            request.headers.get("accept-language"),
            list_lang,
            self.config.library.default_language,
        )

    def render(
        self, request: Request, name: str, lang: str, status: int = 200, **context: Any
    ) -> HTMLResponse:
        # Only pages with a form get a CSRF cookie; the archive stays cookie-free.
        csrf_token = self.csrf.token_for(request) if name in FORM_TEMPLATES else ""
        html = (
            self.env(lang)
            .get_template(name)
            .render(
                lang=lang,
                dir=i18n.direction(lang),
                org=self.config.organisation,
                csrf_token=csrf_token,
                switcher=switcher(request, lang),
                **context,
            )
        )
        response = HTMLResponse(html, status_code=status)
        response.headers["Content-Language"] = lang
        if csrf_token:  # the page holds this browser's CSRF token: no shared cache may keep it
            response.headers["Cache-Control"] = "no-store"
        self.csrf.set_cookie(request, response)
        return response

    def message(
        self,
        request: Request,
        lang: str,
        title: str,
        paragraphs: list[str],
        status: int = 200,
        links: list[dict[str, str]] | None = None,
    ) -> HTMLResponse:
        return self.render(
            request,
            "message.html",
            lang,
            status,
            title=title,
            paragraphs=paragraphs,
            links=links or [],
        )


def switcher(request: Request, lang: str) -> list[dict[str, str]]:
    """The language switcher: this page (same path, same query) in every page language."""
    path = local_path(request.url.path)
    out = []
    for code in i18n.UI_LANGUAGES:
        query = urlencode({**request.query_params, "lang": code})
        out.append(
            {
                "code": code,
                "name": i18n.own_name(code),
                "dir": i18n.direction(code),
                "url": f"{path}?{query}",
                "current": "true" if code == lang else "",
            }
        )
    return out


def web_of(request: Request) -> Web:
    return request.app.state.web  # type: ignore[no-any-return]
