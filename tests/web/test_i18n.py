"""Translations: the catalogues are complete and current; pages pick the reader's language."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from babel.messages.pofile import read_po

from newsletter.web import i18n
from tests.plugins.web import text_of

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"%\(\w+\)s")


def _catalogue(lang: str):
    with i18n.catalogue_path(lang).open("rb") as f:
        return read_po(f, locale=lang)


@pytest.mark.parametrize("lang", i18n.UI_LANGUAGES)
def test_catalogue_is_complete_with_matching_placeholders(lang: str) -> None:
    catalogue = _catalogue(lang)
    messages = [m for m in catalogue if m.id]
    assert len(messages) > 50
    for message in messages:
        assert message.string, f"{lang}: no translation for {message.id!r}"
        assert not message.fuzzy, f"{lang}: fuzzy translation for {message.id!r}"
        assert sorted(PLACEHOLDER.findall(message.string)) == sorted(
            PLACEHOLDER.findall(message.id)
        ), f"{lang}: placeholders differ in {message.id!r}"


def test_turkish_is_really_translated() -> None:
    same = [m.id for m in _catalogue("tr") if m.id and m.string == m.id]
    assert same == []


def test_catalogues_hold_every_message_of_the_code(tmp_path: Path) -> None:
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "-q", "extract",
         "-F", "newsletter/locale/babel.cfg", "-o", str(pot), "."],
        cwd=ROOT, check=True,
    )  # fmt: skip
    with pot.open("rb") as f:
        wanted = {m.id for m in read_po(f) if m.id}
    have = {m.id for m in _catalogue("tr") if m.id}
    assert wanted - have == set(), "run the extract/update steps in docs/public-pages.md"
    assert have - wanted == set(), "the catalogue holds messages no longer used"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("tr-TR,tr;q=0.9,en;q=0.8", ["tr-TR", "tr", "en"]),
        ("en;q=0.5, tr", ["tr", "en"]),
        ("de;q=0, *;q=0.1, fr", ["fr"]),
        ("tr;q=abc, en", ["en"]),
        ("", []),
    ],
)
def test_parse_accept_language(header: str, expected: list[str]) -> None:
    assert i18n.parse_accept_language(header) == expected


@pytest.mark.parametrize(
    ("explicit", "subscriber", "header", "expected"),
    [
        ("tr", "en", "en", "tr"),
        (None, "tr", "en", "tr"),
        (None, "ar", "tr-TR,en;q=0.5", "tr"),
        (None, None, "de-DE,tr;q=0.4", "tr"),
        (None, None, "de-DE,fr", "en"),
        ("xx", None, None, "en"),
        (None, "TR", None, "tr"),
    ],
)
def test_choose_language(explicit, subscriber, header, expected) -> None:
    assert i18n.choose_language(explicit, subscriber, header) == expected


def test_language_names() -> None:
    assert i18n.language_name("tr", "en") == "Turkish"
    assert i18n.language_name("en", "tr") == "İngilizce"
    assert i18n.own_name("tr") == "Türkçe"
    assert i18n.language_name("zz-invalid!", "en") == "zz-invalid!"


def test_browser_language_picks_the_page_language(web: httpx.Client, public_lists) -> None:
    page = web.get("/subscribe", headers={"Accept-Language": "tr-TR,tr;q=0.9"})
    assert '<html lang="tr"' in page.text
    text = text_of(page.text)
    assert "E-posta adresi" in text and "Abone ol" in text
    assert "Türkçe" in text and "İngilizce" in text  # edition languages named in Turkish


def test_query_parameter_overrides_the_browser(web: httpx.Client, public_lists) -> None:
    page = web.get("/subscribe?lang=en", headers={"Accept-Language": "tr"})
    assert '<html lang="en"' in page.text
    # The switcher links to the same page in the other language, named in that language.
    assert 'href="/subscribe?lang=tr" hreflang="tr" lang="tr">Türkçe</a>' in page.text


def test_switcher_keeps_other_query_parameters(web: httpx.Client, public_lists) -> None:
    page = web.get("/archive?lang=tr&x=%C3%A7")
    assert 'href="/archive?lang=en&amp;x=%C3%A7"' in page.text


def test_form_errors_are_translated(web: httpx.Client, public_lists) -> None:
    from tests.plugins.web import csrf_from

    page = web.get("/subscribe?lang=tr")
    response = web.post(
        "/subscribe?lang=tr",
        data={"csrf_token": csrf_from(page.text), "email": "yanlış", "language": "tr"},
    )
    text = text_of(response.text)
    assert "ad@example.org gibi geçerli bir e-posta adresi girin." in text
    assert "En az bir bülten seçin." in text
    assert "Lütfen formu kontrol edin" in text
