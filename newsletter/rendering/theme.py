"""What a theme decides beyond its templates: its options, its icons, and how stories shorten.

A theme folder may hold ``theme.toml``: ``layout = "teaser"`` (a digest: the first story in
full, then each story's first paragraph with a "Read more") or ``"full"`` (every story in
full), and ``extends = "other"`` to use another theme's labels (a variant such as
``monthly-full`` is then one line of template and two of options). The footer's social icons
are our own PNGs, served by the site from the base URL (``/static/social/<name>.png``), so no
reader's mail client asks a third party for an image.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from typing import Any

import jinja2

from newsletter.core.errors import UserError

LAYOUTS = ("teaser", "full")
# The icons templates/web/static/social/ ships; any other network gets the "web" globe.
ICONS = frozenset({"facebook", "x", "twitter", "linkedin", "instagram", "youtube", "mastodon"})


def icon_url(base_url: str, network: str) -> str:
    name = network.lower() if network.lower() in ICONS else "web"
    return f"{base_url.rstrip('/')}/static/social/{name}.png"


def split_teaser(text: str) -> tuple[str, str]:
    """The first paragraph of a story's Markdown and the rest ('' when there is no more)."""
    first, _, rest = text.strip().partition("\n\n")
    return first, rest.strip()


def options(env: jinja2.Environment, theme: str) -> dict[str, Any]:
    """The theme's ``theme.toml`` with defaults filled in (layout "full" when absent)."""
    return _options(env, theme)


@lru_cache(maxsize=32)
def _options(env: jinja2.Environment, theme: str) -> dict[str, Any]:
    # Cached per environment, which is itself cached per template folder list.
    name = f"email/{theme}/theme.toml"
    try:
        source, filename, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
    except jinja2.TemplateNotFound:
        return {"layout": "full", "extends": ""}
    try:
        found = tomllib.loads(source)
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{filename}: {exc}") from exc
    layout = found.get("layout", "full")
    if layout not in LAYOUTS:
        raise UserError(f"{filename}: layout {layout!r}: use one of {', '.join(LAYOUTS)}")
    extends = found.get("extends", "")
    if not isinstance(extends, str):
        raise UserError(f"{filename}: extends: the name of a theme, in quotes")
    return {"layout": layout, "extends": extends}


def clear_cache() -> None:
    _options.cache_clear()
