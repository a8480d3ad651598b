"""The web app factory: ``create_app(config)`` assembles the public pages and the workspace under
/admin (``web.admin``) with their own engine.

It only assembles: the shared context (``context.Web``), the security middleware, the error
pages and the routers. The pages live in the routers (subscribe, unsubscribe, preferences,
archive_pages, site); what they share is in context.py and page_helpers.py.

Nothing touches the database at import time; the engine is made when the app is created and
disposed when it shuts down. Routes that use the database are plain functions, which FastAPI
runs in its thread pool, so a page waiting for the database never blocks the event loop.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime

from fastapi import FastAPI
from sqlalchemy.engine import Engine

from newsletter.core.clock import utcnow
from newsletter.core.config import Config
from newsletter.core.db import open_database
from newsletter.web import (
    api,
    archive_pages,
    error_pages,
    media_files,
    preferences,
    site,
    subscribe,
    unsubscribe,
)
from newsletter.web.admin import pages as admin_pages
from newsletter.web.context import Web
from newsletter.web.security import BodyLimit, Csrf, SecurityHeaders

ROUTERS = (site, subscribe, unsubscribe, preferences, archive_pages, media_files)
# Where a body may be as large as an upload; everywhere else [web] max_body_bytes holds.
UPLOAD_PATHS = ("/admin/media", "/admin/import", "/api/v1/media")


def create_app(
    config: Config,
    clock: Callable[[], datetime] = utcnow,
    engine: Engine | None = None,
) -> FastAPI:
    """The public web app; opens the configured database (refusing an out-of-date schema)."""
    owned = engine is None
    engine = engine or open_database(config)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        if owned:
            engine.dispose()

    app = FastAPI(
        title=config.organisation.name,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        redirect_slashes=False,
        lifespan=lifespan,
    )
    secret = config.secret_key
    web = Web(config, engine, clock, secret, Csrf(secret))
    app.state.web = web
    # The last added runs first: the headers reach every answer, the 413 of BodyLimit too.
    # Uploads (photos, documents) may be as large as [media] max_upload_bytes, plus the form.
    upload = config.media.max_upload_bytes + 1024 * 1024
    app.add_middleware(BodyLimit, max_bytes=config.web.max_body_bytes, large=(UPLOAD_PATHS, upload))
    app.add_middleware(SecurityHeaders, hsts=web.https)
    error_pages.install(app)
    for module in ROUTERS:
        app.include_router(module.router)
    api.install(app, web)
    admin_pages.install(app, web)
    return app
