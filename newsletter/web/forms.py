"""The public forms' fields, read and checked without any I/O.

Each check returns translated messages keyed by field name, so the page can show every problem
at once next to its field. ``_`` is the page language's gettext (``i18n.Translator``).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from newsletter.audience.addresses import Address, normalise
from newsletter.core.errors import UserError
from newsletter.core.safe_text import problem
from newsletter.web.i18n import Translator

MAX_NAME = 200
MAX_EMAIL = 320
HONEYPOT = "website"
UNUSABLE = frozenset({"Cs", "Co", "Cn"})  # surrogates, private use, unassigned
Gettext = Translator


@dataclass
class SubscribeForm:
    email: str = ""
    name: str = ""
    language: str = ""
    lists: list[str] = field(default_factory=list)
    consent: bool = False
    honeypot: str = ""


@dataclass
class PreferencesForm:
    name: str = ""
    language: str = ""
    lists: list[str] = field(default_factory=list)


def _values(form: Any, key: str) -> list[str]:
    getlist = getattr(form, "getlist", None)
    raw = getlist(key) if getlist else ([form[key]] if key in form else [])
    return [v for v in raw if isinstance(v, str)]


def _one(form: Mapping[str, Any], key: str) -> str:
    values = _values(form, key)
    return values[0].strip() if values else ""


def _name(form: Mapping[str, Any]) -> str:
    """The name with runs of spaces made one. A name holding a line break or a control is kept
    as typed, so ``check_name`` refuses it: folding would hide a header injection attempt."""
    name = _one(form, "name")
    return name if problem(name) else " ".join(name.split())


def read_subscribe(form: Mapping[str, Any]) -> SubscribeForm:
    return SubscribeForm(
        email=_one(form, "email")[:MAX_EMAIL],
        name=_name(form),
        language=_one(form, "language"),
        lists=list(dict.fromkeys(v.strip() for v in _values(form, "lists") if v.strip())),
        consent=_one(form, "consent") == "yes",
        honeypot=_one(form, HONEYPOT),
    )


def read_preferences(form: Mapping[str, Any]) -> PreferencesForm:
    return PreferencesForm(
        name=_name(form),
        language=_one(form, "language"),
        lists=list(dict.fromkeys(v.strip() for v in _values(form, "lists") if v.strip())),
    )


def check_name(name: str, _: Gettext) -> str | None:
    if len(name) > MAX_NAME:
        return _.ngettext(
            "Please keep the name under %(count)s character.",
            "Please keep the name under %(count)s characters.",
            MAX_NAME,
            count=MAX_NAME,
        )
    # Line breaks, controls and bidi controls (safe_text) would break or disguise the To:
    # header; joiners and direction marks (ZWNJ, RLM) are part of names in many scripts.
    if problem(name) or any(unicodedata.category(c) in UNUSABLE for c in name):
        return _("The name contains characters that cannot be used.")
    return None


def check_email(email: str, _: Gettext) -> tuple[Address | None, str | None]:
    if not email:
        return None, _("Enter your email address.")
    try:
        return normalise(email), None
    except UserError:
        return None, _("Enter a valid email address, like name@example.org.")


def _check_common(
    name: str,
    language: str,
    chosen: Sequence[str],
    allowed_lists: Sequence[str],
    languages: Sequence[str],
    _: Gettext,
    need_list: bool,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    name_error = check_name(name, _)
    if name_error:
        errors["name"] = name_error
    if language not in languages:
        errors["language"] = _("Choose one of the languages offered.")
    unknown = [slug for slug in chosen if slug not in allowed_lists]
    if unknown:
        errors["lists"] = _("There is no newsletter called “%(slug)s”.", slug=unknown[0])
    elif need_list and not chosen:
        errors["lists"] = _("Choose at least one newsletter.")
    return errors


def check_subscribe(
    form: SubscribeForm,
    public_lists: Sequence[str],
    languages: Sequence[str],
    _: Gettext,
) -> tuple[Address | None, dict[str, str]]:
    """The normalised address and the problems with the form (empty when it is fine)."""
    address, email_error = check_email(form.email, _)
    errors = {"email": email_error} if email_error else {}
    errors |= _check_common(
        form.name, form.language, form.lists, public_lists, languages, _, need_list=True
    )
    if not form.consent:
        errors["consent"] = _("Please tick the box to agree to the consent text.")
    return address, errors


def check_preferences(
    form: PreferencesForm, allowed_lists: Sequence[str], languages: Sequence[str], _: Gettext
) -> dict[str, str]:
    return _check_common(
        form.name, form.language, form.lists, allowed_lists, languages, _, need_list=False
    )
