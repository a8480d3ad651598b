"""The plain-text part, written from the same content as the HTML (not an HTML dump).

Markdown is walked token by token: headings, paragraphs, lists and quotes keep their shape and
every link shows its URL. Personal parts stay as markers, like in the HTML. In a right-to-left
edition every line starts with a direction mark (``bidi.mark_lines``): plain text has no
``dir``, and each line is a bidi paragraph of its own.
"""

from __future__ import annotations

import textwrap
from functools import lru_cache
from typing import Any

import nh3
from markdown_it.token import Token

from newsletter.rendering import bidi, greeting, safe_markdown
from newsletter.rendering.safe_markdown import is_allowed_url
from newsletter.rendering.view import IssueView

WIDTH = 76


def _inline(token: Token) -> str:
    out: list[str] = []
    href: list[str] = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            out.append(child.content)
        elif child.type == "softbreak":
            out.append(" ")
        elif child.type == "hardbreak":
            out.append("\n")
        elif child.type == "html_inline":
            continue
        elif child.type == "link_open":
            href.append(str(child.attrs.get("href", "")))
            out.append("\x02")
        elif child.type == "link_close" and href:
            out.append(_link_end(href.pop(), out))
        elif child.type == "image":
            out.append(child.content)
    return "".join(out)


def _link_end(url: str, out: list[str]) -> str:
    start = len(out) - 1 - out[::-1].index("\x02")
    label = "".join(out[start + 1 :])
    del out[start]
    if not is_allowed_url(url) or label.strip() == url.removeprefix("mailto:"):
        return ""
    return f" <{url.removeprefix('mailto:')}>"


def _wrap(text: str, prefix: str = "", indent: str = "") -> list[str]:
    lines: list[str] = []
    for i, raw in enumerate(text.split("\n")):
        first = prefix if i == 0 else indent
        lines.extend(
            textwrap.wrap(
                raw,
                WIDTH,
                initial_indent=first,
                subsequent_indent=indent,
                break_long_words=False,
                break_on_hyphens=False,
            )
            or [first.rstrip()]
        )
    return lines


@lru_cache(maxsize=4096)
def markdown_to_text(source: str) -> str:
    """Readable text from Markdown: paragraphs, '-' lists, '>' quotes, links as <URL>."""
    lines: list[str] = []
    quote = 0
    lists: list[list[int]] = []  # one entry per open list: [next number] or [] for bullets
    item_prefix = ""
    for token in safe_markdown.tokens(source):
        if token.type == "blockquote_open":
            quote += 1
        elif token.type == "blockquote_close":
            quote -= 1
        elif token.type == "bullet_list_open":
            lists.append([])
        elif token.type == "ordered_list_open":
            lists.append([int(token.attrs.get("start", 1) or 1)])
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
            if not lists:
                lines.append("")
        elif token.type == "list_item_open":
            counter = lists[-1]
            item_prefix = f"{counter[0]}. " if counter else "- "
            if counter:
                counter[0] += 1
        elif token.type == "inline":
            lines.extend(_block_lines(_inline(token), quote, len(lists), item_prefix))
            item_prefix = ""
        elif token.type in ("paragraph_close", "heading_close") and not lists:
            lines.append("")
        elif token.type in ("fence", "code_block"):
            lines.extend(["    " + line for line in token.content.rstrip("\n").split("\n")])
            lines.append("")
        elif token.type == "html_block":
            text = nh3.clean(token.content, tags=set()).strip()
            if text:
                lines.extend([*_block_lines(text, quote, 0, ""), ""])
    return "\n".join(lines).strip("\n")


def _block_lines(text: str, quote: int, depth: int, item_prefix: str) -> list[str]:
    lead = "> " * quote + "  " * max(depth - 1, 0)
    if depth and item_prefix:
        return _wrap(text, lead + item_prefix, lead + " " * len(item_prefix))
    if depth:
        return _wrap(text, lead + "  ", lead + "  ")
    return _wrap(text, lead, lead)


def _underline(text: str, char: str) -> list[str]:
    return [text, char * min(len(text), WIDTH)]


def _quote(block: dict[str, Any], source: str) -> list[str]:
    return [*_wrap(markdown_to_text(source), "  ", "  "), f"  — {block['title']}", ""]


def _same(lines: list[str]) -> list[str]:
    return lines


def _block(block: dict[str, Any], source: str, context: dict[str, Any]) -> list[str]:
    """A block's lines, each marked with its direction: the block's own words in the block's
    language, the theme's words (labels, dates) in the edition's."""
    labels, edition = context["labels"], context["dir"]
    if edition == "ltr" and block["dir"] == "ltr":  # nothing to mark: keep it cheap
        own = ui = _same
    else:

        def own(lines: list[str]) -> list[str]:
            return bidi.mark_lines(lines, block["dir"], edition)

        def ui(lines: list[str]) -> list[str]:
            return bidi.mark_lines(lines, edition, edition)

    note = []
    if block["foreign"] and context["untranslated_note"]:
        note = ui([f"({labels['untranslated'].replace('{language}', block['language_name'])})"])
    if block["kind"] == "quote":
        return [*note, *own(_quote(block, source))]
    lines = [*note, *own(_underline(block["title"], "-"))]
    is_event = block["kind"] == "event"
    facts = [f"{labels['when']}: {block['when']}"] if is_event and block["when"] else []
    if is_event and block["places"]:
        where = bidi.join_text(block["places"], labels["list_separator"], edition == "rtl")
        facts.append(f"{labels['where']}: {where}")
    lines.extend(ui(facts))
    body = markdown_to_text(source)
    if body:
        lines.extend(own(["", body] if facts else [body]))
    if block["image_credit"]:
        lines.extend(ui([f"({labels['photo']}: {block['image_credit']})"]))
    if block["link_url"] and is_allowed_url(block["link_url"]):
        if block["link_label"]:
            lines.extend(own([f"{block['link_label']}: {block['link_url']}"]))
        else:
            lines.extend(ui([f"{labels['read_more']}: {block['link_url']}"]))
    return [*lines, ""]


def render_text(view: IssueView, context: dict[str, Any]) -> str:
    """The text part of an issue, from the same context the MJML template received."""
    p, org, issue, edition = context["p"], context["org"], context["issue"], context["dir"]
    sources = {b.block_id: b.text for b in view.blocks}
    head = f"{issue['month']} · {issue['title']}" if issue["month"] else issue["title"]
    lines = [org["name"], head, ""]
    if context["greeting_text"]:
        lines.extend([context["greeting_text"], ""])
    intro = markdown_to_text(view.intro)
    if intro:
        lines.extend([intro, ""])
    lines = bidi.mark_lines(lines, edition, edition)
    for section in context["sections"]:
        lines.extend(["", *bidi.mark_lines(_underline(section["heading"], "="), edition, edition)])
        lines.append("")
        for block in section["blocks"]:
            lines.extend(_block(block, sources.get(block["id"], ""), context))
    why = greeting.why_text(context["labels"], org["name"], WIDTH)
    lines.extend(_footer(context["labels"], p, org, why, edition))
    return "\n".join(lines).strip() + "\n"


def _footer(
    labels: dict[str, str], p: dict[str, str], org: dict[str, Any], why: list[str], edition: str
) -> list[str]:
    lines = [org["name"], org["postal_address"], ""]
    lines.extend(why)  # wrapped by greeting.why_text, the address counted at a typical length
    lines.append("")
    lines.append(f"{labels['view_online']}: {p['view_online_url']}")
    lines.append(
        f"{p['if_preferences_url']}{labels['preferences']}: {p['preferences_url']}\n{p['end']}"
        f"{p['if_unsubscribe_url']}{labels['unsubscribe']}: {p['unsubscribe_url']}{p['end']}"
    )
    for item in org["social"]:
        lines.append(f"{item['label']}: {item['url']}")
    # "-- " alone on its line is the signature delimiter mail readers know: never marked.
    return ["-- ", *bidi.mark_lines(lines, edition, edition)]
