"""The admin's settings page: ``/admin/settings``, the effective config by section, without
secrets."""

from __future__ import annotations

import json
import re
from typing import Any

from fastapi import APIRouter, Depends, Request
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from starlette.responses import Response

from newsletter.web.admin.frame import Viewer, admin_of, need
from newsletter.web.context import READ, web_of

router = APIRouter(include_in_schema=False)

# Config keys whose value is never shown, should one ever enter the dump.
SECRET_KEY = re.compile(r"password|secret_key|token|api_key|private", re.IGNORECASE)


def _shown(key: str, value: Any) -> str:
    """A config value as the page shows it: secrets masked, a database URL without password."""
    if SECRET_KEY.search(key):
        return "••••••" if value else ""
    if key == "url" and isinstance(value, str):
        try:
            return make_url(value).render_as_string(hide_password=True)
        except ArgumentError:
            return value
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


@router.api_route("/admin/settings", methods=READ)
def settings_page(request: Request, viewer: Viewer = Depends(need("settings"))) -> Response:
    config = web_of(request).config
    # Secrets are private attributes of Config: a dump never holds them.
    dumped = config.model_dump(mode="json", exclude={"source"})
    sections = [
        (name, [(key, _shown(key, value)) for key, value in values.items()])
        for name, values in dumped.items()
        if isinstance(values, dict)
    ]
    return admin_of(request).render(
        request, viewer, "settings.html", sections=sections, source=config.source,
        warnings=config.warnings, smtp_password_set=bool(config.smtp_password),
    )  # fmt: skip
