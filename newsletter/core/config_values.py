"""Checks on single config values, run when the config loads: text, URLs, colours, ports.

A bad value is refused at load with the key named, not halfway through a send: a line break in
``sending.from_name`` would end the From header and let the value add headers of its own, a
``javascript:`` base URL would go into every link, a colour like ``red;}`` into every email's
CSS. Each check raises ValueError with a plain sentence; ``config._explain`` adds the key and
where the value came from. Plain http is accepted only for addresses on this machine (testing);
``url_warnings`` lists those so the CLI can say so.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from newsletter.core.safe_text import problem

Port = Annotated[int, Field(ge=1, le=65535)]

# Keys holding paragraphs shown on a web page, never put in a header: line breaks are fine.
PARAGRAPH_KEYS = frozenset({"consent_text", "consent_text_tr", "consent_texts"})

_HEX_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
# The language codes lists and subscribers use (audience.lists.LANGUAGE, which is above core).
_LANGUAGE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")


def text_problem(value: Any, *, paragraphs: bool = False) -> str | None:
    """What is wrong with the text in a value (a string, or strings inside lists, tables and
    areas), or None. Section models are skipped: they check their own fields."""
    if isinstance(value, str):
        return problem(value.replace("\n", " ") if paragraphs else value)
    items: list[tuple[str, Any]] = []
    if isinstance(value, list):
        items = [(f"item {i}", v) for i, v in enumerate(value, 1)]
    elif isinstance(value, dict):
        for key, v in value.items():
            items += [(f"the name {key!r}", key), (repr(key), v)]
    elif isinstance(value, BaseModel) and not isinstance(value, Section):
        items = [(name, getattr(value, name)) for name in type(value).model_fields]
    for where, inner in items:
        found = text_problem(inner, paragraphs=paragraphs)
        if found:
            return f"{where} {found}" if isinstance(inner, str) else f"{where}: {found}"
    return None


def one_clean_line(value: Any, key: str) -> Any:
    found = text_problem(value, paragraphs=key in PARAGRAPH_KEYS)
    if found:
        raise ValueError(f"{found}: write it on one line without control characters")
    return value


class Section(BaseModel):
    """A config table: unknown keys are errors, floats are finite, every text is one clean line
    (assignments are checked too, so a test or command changing a value cannot slip one in)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, allow_inf_nan=False)

    @field_validator("*")
    @classmethod
    def _one_clean_line(cls, value: Any, info: ValidationInfo) -> Any:
        return one_clean_line(value, info.field_name or "")


def is_loopback(host: str) -> bool:
    """localhost, *.localhost (RFC 6761), 127.0.0.0/8 or ::1."""
    host = host.lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def url_problem(url: str, *, base: bool = False) -> str | None:
    """What is wrong with a web address the emails link to, or None."""
    found = problem(url)
    if found:
        return found
    if any(c.isspace() for c in url):
        return "contains a space: write it as %20"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - parsing the port is the check: 'host:99999' raises
    except ValueError as exc:
        return f"is not a valid URL ({exc})"
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http"):
        return "must be an https:// URL"
    if not parts.hostname:
        return "has no host name"
    if parts.username is not None or parts.password is not None:
        return "must not hold a user name or password (the part before @)"
    if scheme == "http" and not is_loopback(parts.hostname):
        return "must be https (http only for localhost or 127.0.0.1, when testing on this machine)"
    if base and parts.query:
        return "must not have a query (?...): links are made by adding paths to it"
    if base and parts.fragment:
        return "must not have a fragment (#...): links are made by adding paths to it"
    return None


def _checked_url(url: str, *, base: bool = False, optional: bool = False) -> str:
    if optional and url == "":
        return url
    found = url_problem(url, base=base)
    if found:
        raise ValueError(found)
    return url


def _checked_links(links: dict[str, str]) -> dict[str, str]:
    for name, url in links.items():
        found = url_problem(url)
        if found:
            raise ValueError(f"{name!r} {found}")
    return links


def _checked_colour(value: str) -> str:
    if not _HEX_COLOUR.fullmatch(value):
        raise ValueError("must be a colour written #rrggbb (or #rgb), e.g. #0033a0")
    return value


def _checked_languages(texts: dict[str, str]) -> dict[str, str]:
    for language in texts:
        if not _LANGUAGE.fullmatch(language):
            raise ValueError(f"{language!r} is not a language code such as 'tr' or 'ar'")
    return texts


BaseUrl = Annotated[str, AfterValidator(lambda v: _checked_url(v, base=True))]
WebUrl = Annotated[str, AfterValidator(_checked_url)]
OptionalWebUrl = Annotated[str, AfterValidator(lambda v: _checked_url(v, optional=True))]
WebLinks = Annotated[dict[str, str], AfterValidator(_checked_links)]
HexColour = Annotated[str, AfterValidator(_checked_colour)]
LanguageTexts = Annotated[dict[str, str], AfterValidator(_checked_languages)]


def url_warnings(urls: list[tuple[str, str]]) -> list[str]:
    """One line for each (key, url) given over plain http: accepted, but only for testing."""
    return [
        f"{key} is {url!r}: plain http works only on this machine; "
        "use an https address before sending to real readers"
        for key, url in urls
        if url.lower().startswith("http://")
    ]
