"""The JSON API under /api/v1 for scripts and other systems (issue 12): ``install(app, web)``."""

from __future__ import annotations

from fastapi import FastAPI

from newsletter.web.context import Web


def install(app: FastAPI, web: Web) -> None:
    """Adds the API's routes to the app (nothing yet)."""
