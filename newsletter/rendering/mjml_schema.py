"""The tags and attributes MJML 4 defines, and a validator for MJML that templates produce.

mjml-python (mrml) renders unknown tags and attributes without a word, so a typo in a theme
(``<mj-txt>``, ``colour="…"``) silently breaks the layout. This checks names and nesting, with
the line of the rendered MJML at fault. Content of "ending tags" (``mj-text``, ``mj-button``…)
is HTML and is left to the HTML sanitiser.
"""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser


def _w(words: str) -> set[str]:
    return set(words.split())


_PAD = _w("padding padding-top padding-bottom padding-left padding-right")
_BORDER = _w("border border-top border-bottom border-left border-right")
_FONT = _w("font-family font-size font-style font-weight line-height color")
_TEXT = _w("letter-spacing text-decoration text-transform align")
_LINK = _w("href rel target title")
_BG = _w(
    "background-color background-url background-repeat background-size background-position "
    "background-position-x background-position-y"
)
_COMMON = _w("css-class mj-class")
_ICONS = _w(
    "icon-align icon-height icon-position icon-unwrapped-alt icon-unwrapped-url icon-width "
    "icon-wrapped-alt icon-wrapped-url"
)
_SECTION = _BG | _BORDER | _PAD | _COMMON | _w("border-radius direction full-width text-align")

ATTRIBUTES: dict[str, set[str]] = {
    "mjml": _w("lang dir owa"),
    "mj-head": set(),
    "mj-body": _w("width background-color") | _COMMON,
    "mj-attributes": set(),
    "mj-all": set(),  # any attribute of any component: checked separately
    "mj-class": _w("name"),  # plus any attribute
    "mj-breakpoint": _w("width"),
    "mj-font": _w("name href"),
    "mj-html-attributes": set(),
    "mj-selector": _w("path"),
    "mj-html-attribute": _w("name"),
    "mj-preview": set(),
    "mj-title": set(),
    "mj-style": _w("inline"),
    "mj-include": _w("path type css-inline"),
    "mj-raw": _w("position"),
    "mj-wrapper": _SECTION | _w("gap"),
    "mj-section": _SECTION,
    "mj-group": _w("background-color direction vertical-align width") | _COMMON,
    "mj-column": _BORDER
    | _PAD
    | _COMMON
    | _w(
        "background-color inner-background-color border-radius inner-border inner-border-top "
        "inner-border-bottom inner-border-left inner-border-right inner-border-radius "
        "vertical-align width direction"
    ),
    "mj-text": _PAD | _FONT | _TEXT | _COMMON | _w("container-background-color height"),
    "mj-button": _PAD
    | _FONT
    | _TEXT
    | _BORDER
    | _LINK
    | _COMMON
    | _w(
        "background-color border-radius container-background-color height inner-padding "
        "text-align vertical-align width name"
    ),
    "mj-image": _PAD
    | _BORDER
    | _LINK
    | _COMMON
    | _w(
        "align alt border-radius container-background-color fluid-on-mobile height max-height "
        "name sizes src srcset usemap width font-size"
    ),
    "mj-divider": _PAD
    | _COMMON
    | _w("align border-color border-style border-width container-background-color width"),
    "mj-spacer": _PAD | _COMMON | _w("container-background-color height"),
    "mj-social": _PAD
    | _FONT
    | _COMMON
    | _w(
        "align border-radius container-background-color icon-height icon-size inner-padding "
        "mode icon-padding text-padding text-decoration"
    ),
    "mj-social-element": _PAD
    | _FONT
    | _LINK
    | _COMMON
    | _w(
        "align alt background-color border-radius icon-height icon-size icon-position name "
        "icon-padding text-padding sizes src srcset text-decoration vertical-align"
    ),
    "mj-table": _PAD
    | _FONT
    | _COMMON
    | _w("align border cellpadding cellspacing container-background-color role table-layout width"),
    "mj-hero": _PAD
    | _COMMON
    | _w(
        "background-color background-height background-position background-url "
        "background-width border-radius height inner-background-color inner-padding "
        "inner-padding-top inner-padding-bottom inner-padding-left inner-padding-right mode "
        "vertical-align width"
    ),
    "mj-navbar": _COMMON
    | _w(
        "align base-url hamburger ico-align ico-close ico-color ico-font-family ico-font-size "
        "ico-line-height ico-open ico-padding ico-padding-top ico-padding-bottom "
        "ico-padding-left ico-padding-right ico-text-decoration ico-text-transform"
    ),
    "mj-navbar-link": _PAD | _FONT | _TEXT | _LINK | _COMMON,
    "mj-carousel": _COMMON
    | _w(
        "align border-radius container-background-color icon-width left-icon right-icon "
        "thumbnails tb-border tb-border-radius tb-hover-border-color tb-selected-border-color "
        "tb-width"
    ),
    "mj-carousel-image": _LINK
    | _COMMON
    | _w("alt border-radius src thumbnails-src tb-border tb-border-radius"),
    "mj-accordion": _PAD | _FONT | _COMMON | _ICONS | _w("border container-background-color"),
    "mj-accordion-element": _FONT | _COMMON | _ICONS | _w("background-color border"),
    "mj-accordion-title": _PAD | _FONT | _COMMON | _w("background-color"),
    "mj-accordion-text": _PAD | _FONT | _COMMON | _w("background-color letter-spacing"),
}

_CONTENT = _w(
    "mj-text mj-button mj-image mj-divider mj-spacer mj-social mj-table mj-navbar mj-carousel "
    "mj-accordion mj-raw mj-include"
)
_HEAD = _w(
    "mj-attributes mj-breakpoint mj-font mj-html-attributes mj-preview mj-style mj-title mj-raw "
    "mj-include"
)

CHILDREN: dict[str, set[str]] = {
    "": {"mjml"},
    "mjml": _w("mj-head mj-body mj-include"),
    "mj-head": _HEAD,
    "mj-html-attributes": _w("mj-selector"),
    "mj-selector": _w("mj-html-attribute"),
    "mj-body": _w("mj-section mj-wrapper mj-hero mj-raw mj-include"),
    "mj-wrapper": _w("mj-section mj-hero mj-raw mj-include"),
    "mj-section": _w("mj-column mj-group mj-raw mj-include"),
    "mj-group": _w("mj-column mj-raw"),
    "mj-column": _CONTENT,
    "mj-hero": _CONTENT,
    "mj-social": _w("mj-social-element mj-raw"),
    "mj-navbar": _w("mj-navbar-link mj-raw"),
    "mj-carousel": _w("mj-carousel-image"),
    "mj-accordion": _w("mj-accordion-element mj-raw"),
    "mj-accordion-element": _w("mj-accordion-title mj-accordion-text mj-raw"),
}

# Their content is HTML (or CSS, or text), not MJML.
ENDING_TAGS = frozenset(
    _w(
        "mj-text mj-button mj-table mj-raw mj-navbar-link mj-accordion-title mj-accordion-text "
        "mj-social-element mj-style mj-title mj-preview mj-html-attribute"
    )
)
_ANY_ATTRIBUTE = set().union(*ATTRIBUTES.values())


@dataclass(frozen=True)
class Problem:
    line: int
    kind: str  # unknown-tag | unknown-attribute | bad-nesting | unclosed | stray-end
    message: str
    needle: str  # text to look for in the templates to find the source line


class _Validator(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, int]] = []
        self.problems: list[Problem] = []
        self.raw: str | None = None  # inside an ending tag: its name
        self.raw_depth = 0

    def _add(self, kind: str, message: str, needle: str) -> None:
        line = self.getpos()[0]
        self.problems.append(Problem(line, kind, f"line {line}: {message}", needle))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._open(tag, attrs, closes=False)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._open(tag, attrs, closes=True)

    def _open(self, tag: str, attrs: list[tuple[str, str | None]], closes: bool) -> None:
        if self.raw is not None:
            self.raw_depth += tag == self.raw and not closes
            return
        parent = self.stack[-1][0] if self.stack else ""
        known = self._check(tag, parent, attrs)
        if closes:
            return
        if tag in ENDING_TAGS or not known:  # HTML content, or an unknown tag's: not MJML
            self.raw, self.raw_depth = tag, 0
        self.stack.append((tag, self.getpos()[0]))

    def _check(self, tag: str, parent: str, attrs: list[tuple[str, str | None]]) -> bool:
        if parent == "mj-attributes":
            known = tag in ATTRIBUTES or tag == "mj-all"
            allowed = _ANY_ATTRIBUTE if tag in ("mj-all", "mj-class") else ATTRIBUTES.get(tag)
        else:
            known = tag in ATTRIBUTES and tag not in ("mj-all", "mj-class")
            allowed = ATTRIBUTES.get(tag)
            if known and tag not in CHILDREN.get(parent, set()):
                where = f"<{parent}>" if parent else "the top level"
                self._add("bad-nesting", f"<{tag}> cannot be inside {where}", f"<{tag}")
        if not known:
            self._add("unknown-tag", f"unknown MJML tag <{tag}>", f"<{tag}")
            return False
        for name, _ in attrs:
            if allowed is not None and name not in allowed:
                self._add("unknown-attribute", f"<{tag}> has no attribute {name!r}", f"{name}=")
        return True

    def handle_endtag(self, tag: str) -> None:
        if self.raw is not None:
            if tag != self.raw:
                return
            if self.raw_depth:
                self.raw_depth -= 1
                return
            self.raw = None
        if not self.stack or tag not in [t for t, _ in self.stack]:
            self._add("stray-end", f"</{tag}> without a matching <{tag}>", f"</{tag}>")
            return
        while self.stack[-1][0] != tag:
            name, line = self.stack.pop()
            self._add("unclosed", f"<{name}> opened on line {line} is never closed", f"<{name}")
        self.stack.pop()

    def close(self) -> None:
        super().close()
        for name, line in reversed(self.stack):
            self._add("unclosed", f"<{name}> opened on line {line} is never closed", f"<{name}")


def validate(source: str) -> list[Problem]:
    """Every unknown tag or attribute, misplaced tag and unclosed tag in an MJML document."""
    validator = _Validator()
    validator.feed(source)
    validator.close()
    return validator.problems
