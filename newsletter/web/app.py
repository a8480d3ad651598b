"""The web app factory: ``create_app(config)`` assembles the public pages with their own engine.

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
    archive_pages,
    error_pages,
    preferences,
    site,
    subscribe,
    unsubscribe,
)
from newsletter.web.context import Web
from newsletter.web.security import BodyLimit, Csrf, SecurityHeaders

ROUTERS = (site, subscribe, unsubscribe, preferences, archive_pages)


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
    app.add_middleware(BodyLimit, max_bytes=config.web.max_body_bytes)
    app.add_middleware(SecurityHeaders, hsts=web.https)
    error_pages.install(app)
    for module in ROUTERS:
        app.include_router(module.router)
    return app
