"""The Jinja2 environment for email templates, and template errors a user can act on.

Built-in templates ship as the package ``newsletter_templates`` (the top-level ``templates/``
folder); a folder named by ``rendering.templates_dir`` is searched first, so a theme can override
any single file. Autoescaping is on and undefined variables are errors, not empty strings.
The ``mjml_attr`` filter is for words people read in MJML attributes (alt text) and in
``mj-title``, see there.
"""

from __future__ import annotations

import tomllib
import traceback
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
import newsletter_templates
from markupsafe import Markup, escape

from newsletter.core.config import Config
from newsletter.core.errors import UserError
from newsletter.rendering import catalogue
from newsletter.rendering import theme as theme_options

BUILTIN = Path(newsletter_templates.__file__).parent


def template_dirs(config: Config) -> tuple[Path, ...]:
    """The override folder (if configured) and then the built-in templates."""
    if not config.rendering.templates_dir:
        return (BUILTIN,)
    override = config.resolve_path(config.rendering.templates_dir)
    if not override.is_dir():
        raise UserError(f"rendering.templates_dir: folder not found: {override}")
    return (override, BUILTIN)


def environment(config: Config) -> jinja2.Environment:
    return _environment(template_dirs(config))


class _Environment(jinja2.Environment):
    """Looks ``block.title`` up as the key of a dict first. Jinja tries the attribute first,
    raising and catching an AttributeError for every field a template reads from the render
    context (all plain dicts): about a fifth of the template time of an issue."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


@lru_cache(maxsize=8)
def _environment(dirs: tuple[Path, ...]) -> jinja2.Environment:
    # Compiled templates are cached per folder list, so a render never parses a file twice.
    env = _Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in dirs]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        auto_reload=False,
        cache_size=400,
    )
    env.filters["mjml_attr"] = mjml_attr
    return env


def mjml_attr(value: object) -> Markup:
    """``value`` escaped for an MJML attribute, marks and invisible characters as references.

    mrml writes a combining mark or a format character found in an attribute value (and in
    ``mj-title``, which becomes an aria-label) as Rust debug text: "متدرّبات" comes out as
    "متدر\\u{651}بات", so Arabic vowel marks and the zero-width non-joiner of Persian would be
    read out as code. A character reference passes through and means the same to a browser.
    Addresses (src, href) are left alone: a URL carries such characters percent-encoded.
    """
    text = str(escape(value))
    if text.isascii():
        return Markup(text)  # noqa: S704 (escaped above)
    return Markup(  # noqa: S704 (escaped above; only references added)
        "".join(
            f"&#{ord(c)};" if ord(c) > 127 and unicodedata.category(c)[0] in "MCZ" else c
            for c in text
        )
    )


def clear_cache() -> None:
    """Forget compiled templates (after editing a theme in a long-running process)."""
    _environment.cache_clear()
    _theme_labels.cache_clear()
    catalogue.clear_cache()
    theme_options.clear_cache()


def render(env: jinja2.Environment, name: str, context: dict[str, Any]) -> str:
    """Render a template, turning any template mistake into a UserError naming file and line."""
    try:
        template = env.get_template(name)
        return template.render(context)
    except jinja2.TemplateNotFound as exc:
        raise UserError(f"template not found: {exc.name} (searched {_searched(env)})") from exc
    except jinja2.TemplateSyntaxError as exc:
        where = exc.filename or exc.name or name
        raise UserError(
            f"{where}, line {exc.lineno}: template syntax error: {exc.message}"
        ) from exc
    except jinja2.UndefinedError as exc:
        raise UserError(f"{_template_frame(exc, name)}: {exc.message}") from exc
    except (TypeError, ValueError, AttributeError, KeyError) as exc:
        raise UserError(f"{_template_frame(exc, name)}: template error: {exc}") from exc


def load_labels(env: jinja2.Environment, theme: str, language: str) -> dict[str, str]:
    """Interface words for a language ('Read more', 'Unsubscribe'…), English as the fallback.

    The words come from the Babel catalogues of the domain ``email`` (``catalogue``); a theme's
    optional ``labels.toml`` changes any of them per language (``[tr] read_more = "…"``).
    A theme without a labels file uses that of the theme it extends (``theme.toml``)."""
    words = dict(catalogue.words(language))
    table = _theme_labels(env, theme)
    words.update(table.get("en", {}))
    words.update(table.get(language.split("-")[0], {}))
    words.update(table.get(language, {}))
    return words


@lru_cache(maxsize=32)
def _theme_labels(env: jinja2.Environment, theme: str) -> dict[str, dict[str, str]]:
    # Cached per environment, which is itself cached per template folder list: a render looks
    # the theme's words up once per language and never reads the file again.
    name = f"email/{theme}/labels.toml"
    try:
        source, filename, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
    except jinja2.TemplateNotFound:
        extends = theme_options.options(env, theme)["extends"]
        return _theme_labels(env, extends) if extends and extends != theme else {}
    try:
        table = tomllib.loads(source)
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{filename}: {exc}") from exc
    for language, found in table.items():
        if not isinstance(found, dict):
            raise UserError(f"{filename}: {language}: a table of words, [{language}]")
        for key, value in found.items():
            if not isinstance(value, str):
                raise UserError(f"{filename}: [{language}] {key}: a text, in quotes")
    return table


def _template_frame(exc: BaseException, fallback: str) -> str:
    """The innermost template file and line in the traceback (Jinja maps frames to templates)."""
    found = fallback
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.endswith(".j2"):
            found = f"{frame.filename}, line {frame.lineno}"
    return found


def _searched(env: jinja2.Environment) -> str:
    loader = env.loader
    paths = getattr(loader, "searchpath", [])
    return ", ".join(str(p) for p in paths)
