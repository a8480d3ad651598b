"""An accessibility pass over rendered email HTML, and an estimate of its height on a phone.

Pure: HTML in, problems out (``checks`` turns them into findings). What a reader with a screen
reader, a small screen or poor eyesight meets: the root's ``lang`` and ``dir``, alt text on
every image, layout tables marked ``role="presentation"``, inline text colours against the
inline background they sit on (WCAG AA: 4.5:1, 3:1 for large text), text of at least 14 px,
and link text that says where it goes. Hidden parts (``display:none``: the preheader) and
Outlook's conditional comments are not read. The height is a rough estimate, enough to tell a
digest from a report: text lines at the phone's content width, images at their shape 3:2.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

MIN_FONT_PX = 14
PHONE_WIDTH = 296  # a 360 px phone less the theme's 32 px side padding
VOID = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    ]
)
UNREAD = frozenset({"head", "style", "script", "title"})
BLOCKS = frozenset(["p", "h1", "h2", "h3", "h4", "li", "blockquote", "tr"])
# Link words that do not say where a link goes (WCAG 2.4.4), in the languages we write.
VAGUE_LINKS = frozenset(
    {
        "click here",
        "here",
        "click",
        "this",
        "link",
        "this link",
        "more",
        "buraya tıklayın",
        "tıklayın",
        "burada",
        "buraya",
        "اضغط هنا",
        "هنا",
        "انقر هنا",
    }
)
NAMED = {"white": "#ffffff", "black": "#000000"}
_DECL = re.compile(r"([a-z-]+)\s*:\s*([^;]+)")
_HEX = re.compile(r"#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})\b")


@dataclass(frozen=True)
class Problem:
    id: str
    message: str


def _colour(value: str) -> str | None:
    value = value.strip().lower()
    found = _HEX.search(value)
    if found:
        digits = found.group(1)
        return "#" + ("".join(c * 2 for c in digits) if len(digits) == 3 else digits)
    return NAMED.get(value.split()[0] if value else "")


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@dataclass
class _Frame:
    tag: str
    colour: str
    background: str
    size: float
    bold: bool
    hidden: bool
    link: list[str] | None = None  # the text (and alt text) of the link being read


@dataclass
class _Audit(HTMLParser):
    problems: dict[tuple[str, str], Problem] = field(default_factory=dict)
    height: float = 0.0

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack = [_Frame("", "#000000", "#ffffff", 16.0, False, False)]

    def add(self, pid: str, message: str) -> None:
        self.problems.setdefault((pid, message), Problem(pid, message))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        top = self.stack[-1]
        style = dict(_DECL.findall(a.get("style", "").lower()))
        frame = _Frame(
            tag,
            _colour(style.get("color", "")) or top.colour,
            _colour(style.get("background-color", style.get("background", "")))
            or _colour(a.get("bgcolor", ""))
            or top.background,
            _px(style.get("font-size", ""), top.size),
            top.bold
            or style.get("font-weight", "").strip() in ("bold", "700", "800", "900")
            or tag in ("strong", "b", "h1", "h2", "h3"),
            top.hidden or style.get("display", "").strip() == "none" or tag in UNREAD,
            [] if tag == "a" else top.link,
        )
        self.check(tag, a, frame)
        if tag not in VOID:
            self.stack.append(frame)

    def check(self, tag: str, a: dict[str, str], frame: _Frame) -> None:
        if tag == "html":
            for name in ("lang", "dir"):
                if not a.get(name):
                    self.add("a11y-language", f"the <html> element has no {name} attribute")
        elif tag == "table" and a.get("role") != "presentation":
            self.add("a11y-table", 'a layout table is not marked role="presentation"')
        elif tag == "img" and not frame.hidden:
            if "alt" not in a:
                self.add("a11y-alt", f"an image has no alt text: {a.get('src', '')}")
            elif frame.link is not None:
                frame.link.append(a["alt"])
            width = _px(a.get("width", ""), PHONE_WIDTH)
            self.height += min(width, PHONE_WIDTH) * 2 / 3
        if tag in BLOCKS and not frame.hidden:
            self.height += 12

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID or all(f.tag != tag for f in self.stack[1:]):
            return
        while len(self.stack) > 1:
            frame = self.stack.pop()
            if frame.tag == tag:
                break
        if tag == "a" and frame.link is not None and not frame.hidden:
            words = " ".join(" ".join(frame.link).split()).strip(" .:→←»›").casefold()
            if not words:
                self.add("a11y-link-text", "a link has no text (nor an image with alt text)")
            elif words in VAGUE_LINKS:
                self.add("a11y-link-text", f'link text "{words}" does not say where it goes')

    def handle_data(self, data: str) -> None:
        top = self.stack[-1]
        text = data.strip()
        if not text or top.hidden:
            return
        if top.link is not None:
            top.link.append(text)
        if top.size < MIN_FONT_PX:
            small = f'text in {top.size:g} px (under {MIN_FONT_PX}): "{text[:40]}"'
            self.add("a11y-font-size", small)
        large = top.size >= 24 or (top.bold and top.size >= 18.66)
        ratio = contrast(top.colour, top.background)
        if ratio < (3 if large else 4.5):
            self.add(
                "a11y-contrast",
                f"text in {top.colour} on {top.background} has a contrast of {ratio:.1f}:1 "
                f'(under {"3" if large else "4.5"}:1): "{text[:40]}"',
            )
        per_line = max(1, int(PHONE_WIDTH / (top.size * 0.5)))
        self.height += -(-len(text) // per_line) * top.size * 1.6


def _px(value: str, default: float) -> float:
    found = re.match(r"\s*([0-9.]+)(px)?\s*$", value)
    return float(found.group(1)) if found else default


def audit(html: str) -> tuple[list[Problem], int]:
    """The accessibility problems of ``html`` (each once) and its estimated phone height."""
    parser = _Audit()
    parser.feed(html)
    parser.close()
    return list(parser.problems.values()), round(parser.height)
