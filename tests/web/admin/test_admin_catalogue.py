"""The workspace's own catalogue ("admin"): complete in Turkish and Arabic, current with the
code, and the pages really speak the language chosen (docs/workspace-translations.md)."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from babel.messages.pofile import read_po

from newsletter.web import i18n
from tests.plugins.admin import PEOPLE, sign_in
from tests.plugins.web import text_of

ROOT = Path(__file__).resolve().parents[3]
PLACEHOLDER = re.compile(r"%\(\w+\)s")
ARABIC = re.compile("[\u0600-\u06ff]")


def _catalogue(lang: str):
    with i18n.catalogue_path(lang, "admin").open("rb") as f:
        return read_po(f, locale=lang)


@pytest.mark.parametrize("lang", ["tr", "ar"])
def test_every_message_is_translated_with_its_placeholders(lang: str) -> None:
    messages = [m for m in _catalogue(lang) if m.id]
    assert len(messages) > 100
    for message in messages:
        assert message.string and not message.fuzzy, f"{lang}: {message.id!r}"
        if message.pluralizable:
            assert all(message.string), f"{lang}: {message.id!r}"
            continue
        assert sorted(PLACEHOLDER.findall(message.string)) == sorted(
            PLACEHOLDER.findall(message.id)
        ), f"{lang}: placeholders differ in {message.id!r}"


def test_arabic_is_arabic_and_turkish_is_not_english() -> None:
    for message in _catalogue("ar"):
        forms = message.string if message.pluralizable else (message.string,)
        if message.id:
            assert all(ARABIC.search(form) for form in forms), message.id
    same = [m.id for m in _catalogue("tr") if m.id and m.string == m.id]
    # Names that are the same in both languages (a product, an acronym) may stay.
    assert len(same) <= 5, same


def test_the_catalogues_hold_every_message_of_the_workspace(tmp_path: Path) -> None:
    pot = tmp_path / "admin.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "-q", "extract",
         "-F", "newsletter/locale/admin-babel.cfg", "-o", str(pot), "."],
        cwd=ROOT, check=True,
    )  # fmt: skip
    with pot.open("rb") as f:
        wanted = {m.id for m in read_po(f) if m.id}
    for lang in ("tr", "ar"):
        have = {m.id for m in _catalogue(lang) if m.id}
        update = "run the update step in docs/workspace-translations.md"
        assert wanted - have == set(), f"{lang}: {update}"
        assert have - wanted == set(), f"{lang}: the catalogue holds messages no longer used"


def test_the_sign_in_page_in_turkish_and_arabic(
    signed_in: Callable[[str | None], httpx.Client],
) -> None:
    client = signed_in(None)
    turkish = client.get("/admin/login?lang=tr")
    assert 'lang="tr"' in turkish.text and "Giriş" in text_of(turkish.text)
    arabic = client.get("/admin/login?lang=ar")
    assert 'dir="rtl"' in arabic.text and ARABIC.search(text_of(arabic.text))


def test_a_lock_and_the_navigation_speak_the_chosen_language(
    signed_in: Callable[[str | None], httpx.Client],
) -> None:
    # The lock message is a fixed msgid with %(minutes)s: translated, then filled in.
    client = signed_in(None)
    client.headers["Accept-Language"] = "tr-TR, en;q=0.5"
    for _ in range(5):
        assert sign_in(client, PEOPLE["editor"], "wrong password!").status_code == 400
    locked = sign_in(client, PEOPLE["editor"])
    assert locked.status_code == 429
    assert "15 dakika sonra yeniden deneyin" in text_of(locked.text)
    assert "%(minutes)s" not in locked.text
    # A value translated at run time (vocabulary.py): the role and the navigation labels.
    approver = signed_in("approver")
    page = text_of(approver.get("/admin/issues?lang=ar").text)
    assert "مسؤول الاعتماد" in page and "الأعداد" in page and "الكتل" in page
