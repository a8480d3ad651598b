"""Author Markdown to safe HTML: markdown-it-py renders, nh3 keeps only an allow-list.

The output goes inside MJML's ``<mj-text>``, whose parser needs well-formed markup: nh3
serialises a balanced tree, escapes stray ``<`` and ``&``, and writes void elements MJML accepts.
Links are kept only for https and mailto; anything else loses its ``href``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from html.parser import HTMLParser
from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup

ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "strong",
        "b",
        "em",
        "i",
        "u",
        "s",
        "a",
        "ul",
        "ol",
        "li",
        "blockquote",
        "h2",
        "h3",
        "h4",
        "code",
        "pre",
        "sub",
        "sup",
        "small",
        "span",
        "hr",
    }
)
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = frozenset({"https", "mailto"})
VOID_TAGS = frozenset({"br", "hr", "img", "wbr"})
# Rendered output marks personal parts with [[nl:…]] (see personalise.py); author text must never
# produce one, so a space goes in (printable: MJML escapes invisible characters in attributes).
MARKER_OPEN, MARKER_NEUTRAL = "[[nl:", "[[ nl:"

_md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False})
_cleaner_options = {
    "tags": set(ALLOWED_TAGS),
    "attributes": {k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
    "url_schemes": set(URL_SCHEMES),
    "clean_content_tags": {"script", "style"},
    "link_rel": "noopener noreferrer",
    "strip_comments": True,
    # An email has no base address: relative and "//host" links lead nowhere (or to http).
    "url_relative": "deny",
}


def neutralise_markers(text: str) -> str:
    return text.replace(MARKER_OPEN, MARKER_NEUTRAL)


@lru_cache(maxsize=4096)
def tokens(text: str) -> tuple[Token, ...]:
    """The parsed Markdown, shared by the HTML and the plain-text part (parsed once)."""
    return tuple(_md.parse(neutralise_markers(text)))


def raw_html(text: str) -> str:
    """Markdown rendered without sanitising: what the author asked for."""
    return _md.renderer.render(list(tokens(text)), _md.options, {})


@lru_cache(maxsize=4096)
def to_html(text: str) -> Markup:
    """Markdown to sanitised HTML, safe to place inside an MJML text component."""
    if not text.strip():
        return Markup("")
    return Markup(nh3.clean(raw_html(text), **_cleaner_options).strip())  # noqa: S704


@dataclass
class HtmlAudit:
    """What the sanitiser will take out of an author's HTML, and whether it was balanced."""

    removed_tags: set[str] = field(default_factory=set)
    removed_attributes: set[str] = field(default_factory=set)
    refused_links: list[str] = field(default_factory=list)
    unbalanced: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (self.removed_tags or self.removed_attributes or self.refused_links)


class _Auditor(HTMLParser):
    def __init__(self, audit: HtmlAudit) -> None:
        super().__init__(convert_charrefs=True)
        self.audit = audit
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.audit.removed_tags.add(tag)
        allowed = ALLOWED_ATTRIBUTES.get(tag, set()) | ({"rel"} if tag == "a" else set())
        for name, value in attrs:
            if name not in allowed:
                self.audit.removed_attributes.add(f"{tag} {name}")
            elif name == "href" and not is_allowed_url(value or ""):
                self.audit.refused_links.append(value or "")
        if tag not in VOID_TAGS:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID_TAGS and self.stack and self.stack[-1] == tag:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID_TAGS:
            return
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()
        elif tag in self.stack:
            while self.stack[-1] != tag:
                self.audit.unbalanced.append(f"<{self.stack.pop()}> not closed")
            self.stack.pop()
        else:
            self.audit.unbalanced.append(f"</{tag}> without <{tag}>")

    def close(self) -> None:
        super().close()
        self.audit.unbalanced.extend(f"<{tag}> not closed" for tag in reversed(self.stack))


def audit_html(html: str) -> HtmlAudit:
    """Report disallowed tags, attributes and links, and unbalanced tags, in an HTML fragment."""
    audit = HtmlAudit()
    parser = _Auditor(audit)
    parser.feed(html)
    parser.close()
    return audit


def is_allowed_url(url: str) -> bool:
    return urlsplit(url.strip()).scheme.lower() in URL_SCHEMES
