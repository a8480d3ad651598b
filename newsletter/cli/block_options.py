"""The block field options shared by `blocks add` and `blocks edit`."""

from __future__ import annotations

import getpass
import sys
from typing import Any

import typer

from newsletter.core.models import BLOCK_KINDS, BLOCK_STATUSES

# Field options shared by `add` and `edit` (in `edit`, only the options given change the block).
TITLE = typer.Option(None, "--title", metavar="TEXT", help="One line headline.")
BODY = typer.Option(
    None, "--body", metavar="MARKDOWN", help="The story in Markdown ('-' reads it from stdin)."
)
SUMMARY = typer.Option(None, "--summary", metavar="TEXT", help="One or two sentences for teasers.")
KIND = typer.Option(None, "--kind", metavar="KIND", help=f"One of: {', '.join(BLOCK_KINDS)}.")
AREA = typer.Option(
    None, "--area", metavar="AREA", help="Programme area slug or name (see 'blocks areas')."
)
TAGS = typer.Option(
    None, "--tag", metavar="TAG", help="A tag (repeat for more; in edit, replaces all tags)."
)
PLACES = typer.Option(
    None, "--place", metavar="PLACE", help="A place, e.g. Şanlıurfa (repeat for more)."
)
PARTNERS = typer.Option(
    None, "--partner", metavar="NAME", help="A partner or donor (repeat for more)."
)
DATE = typer.Option(None, "--date", metavar="YYYY-MM-DD", help="When it happened, YYYY-MM-DD.")
DATE_END = typer.Option(
    None, "--date-end", metavar="YYYY-MM-DD", help="Last day of a range, YYYY-MM-DD."
)
IMAGE = typer.Option(
    None, "--image", metavar="URL", help="Image address (https only; needs --image-alt)."
)
IMAGE_ALT = typer.Option(
    None, "--image-alt", metavar="TEXT", help="What the image shows, for screen readers."
)
IMAGE_CREDIT = typer.Option(None, "--image-credit", metavar="TEXT", help="Photographer or source.")
LINK = typer.Option(None, "--link", metavar="URL", help="'Read more' address (https only).")
LINK_LABEL = typer.Option(
    None, "--link-label", metavar="TEXT", help="Text of the 'read more' link."
)
LANGUAGE = typer.Option(None, "--language", metavar="CODE", help="BCP 47 code, e.g. en, tr, ar.")
TRANSLATION = typer.Option(
    None,
    "--translation-group",
    metavar="KEY",
    help="Same value on the same story in other languages.",
)
STATUS = typer.Option(
    None, "--status", metavar="STATUS", help=f"One of: {', '.join(BLOCK_STATUSES)}."
)
AUTHOR = typer.Option(
    None, "--author", metavar="NAME", help="Who wrote it (default: your user name)."
)


def given_fields(**given: Any) -> dict[str, Any]:
    """The field options that were given, as block fields."""
    renamed = {"tag": "tags", "place": "places", "partner": "partners", "date": "event_date",
               "date_end": "event_date_end", "image": "image_url", "link": "link_url"}  # fmt: skip
    out = {}
    for name, value in given.items():
        if value is None or value == []:
            continue
        if name == "body" and value == "-":
            value = sys.stdin.read()
        out[renamed.get(name, name)] = value
    return out


def current_user() -> str:
    """The login name for the author field; empty where the system cannot tell."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no $USER and no passwd entry (some containers)
        return ""
