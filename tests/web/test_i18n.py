"""Translations: the catalogues are complete and current; pages pick the reader's language."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from newsletter.web import i18n
from tests.plugins.web import text_of

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"%\(\w+\)s")
ARABIC = re.compile("[\u0600-\u06ff]")


def _catalogue(lang: str):
    with i18n.catalogue_path(lang).open("rb") as f:
        return read_po(f, locale=lang)


def _placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


@pytest.mark.parametrize("lang", i18n.UI_LANGUAGES)
def test_catalogue_is_complete_with_matching_placeholders(lang: str) -> None:
    catalogue = _catalogue(lang)
    messages = [m for m in catalogue if m.id]
    assert len(messages) > 50
    for message in messages:
        assert message.string, f"{lang}: no translation for {message.id!r}"
        assert not message.fuzzy, f"{lang}: fuzzy translation for {message.id!r}"
        if not message.pluralizable:
            assert _placeholders(message.string) == _placeholders(message.id), (
                f"{lang}: placeholders differ in {message.id!r}"
            )
            continue
        forms = message.string
        assert len(forms) == catalogue.num_plurals and all(forms), f"{lang}: {message.id[1]!r}"
        wanted = set(_placeholders(message.id[1]))
        # A form for one or two may say it in words ("يوم واحد", "يومين"), never a new value;
        # the last form (the general one) shows every value.
        assert all(set(_placeholders(form)) <= wanted for form in forms), message.id[1]
        assert set(_placeholders(forms[-1])) == wanted, message.id[1]


@pytest.mark.parametrize(
    ("lang", "plurals"),
    [("en", 2), ("tr", 2), ("ar", 6)],
)
def test_plural_forms_are_the_languages_own(lang: str, plurals: int) -> None:
    """The header's rule is CLDR's (as Babel gives it): Arabic has six forms."""
    catalogue = _catalogue(lang)
    assert catalogue.num_plurals == plurals
    assert catalogue.plural_forms == get_plural(lang).plural_forms


@pytest.mark.parametrize("lang", ["tr", "ar"])
def test_catalogue_is_really_translated(lang: str) -> None:
    same = [m.id for m in _catalogue(lang) if m.id and m.string == m.id]
    assert same == []


def test_arabic_catalogue_is_in_arabic() -> None:
    for message in _catalogue("ar"):
        forms = message.string if message.pluralizable else (message.string,)
        if message.id:
            assert all(ARABIC.search(form) for form in forms), message.id


def test_catalogues_hold_every_message_of_the_code(tmp_path: Path) -> None:
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "-q", "extract",
         "-F", "newsletter/locale/babel.cfg", "-o", str(pot), "."],
        cwd=ROOT, check=True,
    )  # fmt: skip
    with pot.open("rb") as f:
        wanted = {m.id for m in read_po(f) if m.id}
    with (i18n.LOCALE_DIR / "messages.pot").open("rb") as f:
        template = {m.id for m in read_po(f) if m.id}
    assert template == wanted, "run the extract step in docs/public-pages.md"
    for lang in i18n.UI_LANGUAGES:
        have = {m.id for m in _catalogue(lang) if m.id}
        assert wanted - have == set(), f"{lang}: run the update step in docs/public-pages.md"
        assert have - wanted == set(), f"{lang}: the catalogue holds messages no longer used"


MINUTES = (
    "Too many requests. Please try again in %(minutes)s minute.",
    "Too many requests. Please try again in %(minutes)s minutes.",
)


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (1, "بعد دقيقة واحدة."),
        (2, "بعد دقيقتين."),
        (3, "بعد 3 دقائق."),
        (10, "بعد 10 دقائق."),
        (11, "بعد 11 دقيقة."),
        (100, "بعد 100 دقيقة."),
        (103, "بعد 103 دقائق."),
    ],
)
def test_arabic_counts_take_their_own_form(n: int, expected: str) -> None:
    text = i18n.translator("ar").ngettext(*MINUTES, n, minutes=n)
    assert text.endswith(expected), text


def test_english_and_turkish_counts() -> None:
    assert i18n.translator("en").ngettext(*MINUTES, 1, minutes=1).endswith("in 1 minute.")
    assert i18n.translator("en").ngettext(*MINUTES, 5, minutes=5).endswith("in 5 minutes.")
    assert "5 dakika sonra" in i18n.translator("tr").ngettext(*MINUTES, 5, minutes=5)


def test_values_are_isolated_on_right_to_left_pages_only() -> None:
    message = "Please check your inbox at %(email)s."
    arabic = i18n.translator("ar")(message, email="ali@example.org")
    assert "\u2068ali@example.org\u2069" in arabic
    assert i18n.translator("en")(message, email="ali@example.org").endswith("at ali@example.org.")


def test_directions() -> None:
    assert [i18n.direction(code) for code in ("ar", "en", "tr", "ar-EG", "zz!")] == [
        "rtl", "ltr", "ltr", "rtl", "ltr"
    ]  # fmt: skip


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
        ("ar", "en", "tr", "ar"),
        (None, "tr", "en", "tr"),
        (None, "ar", "tr-TR,en;q=0.5", "ar"),
        (None, "de", "tr-TR,en;q=0.5", "tr"),  # no German pages: the browser's next
        (None, None, "de-DE,tr;q=0.4", "tr"),
        (None, None, "ar-EG,en;q=0.4", "ar"),
        (None, None, "de-DE,fr", "en"),
        ("xx", None, None, "en"),
        (None, "TR", None, "tr"),
    ],
)
def test_choose_language(explicit, subscriber, header, expected) -> None:
    assert i18n.choose_language(explicit, subscriber, header) == expected


@pytest.mark.parametrize(
    ("header", "list_default", "site_default", "expected"),
    [
        (None, "tr", "en", "tr"),  # nobody said: the list's language
        ("de-DE", "ar", "en", "ar"),
        ("en", "ar", "en", "en"),  # the browser's beats the list's
        (None, "de", "tr", "tr"),  # no German pages: the site's default
        (None, None, "ar", "ar"),
        (None, None, "de", "en"),
    ],
)
def test_list_and_site_defaults_come_last(header, list_default, site_default, expected) -> None:
    assert i18n.choose_language(None, None, header, list_default, site_default) == expected


def test_language_names() -> None:
    assert i18n.language_name("tr", "en") == "Turkish"
    assert i18n.language_name("en", "tr") == "İngilizce"
    assert i18n.own_name("tr") == "Türkçe"
    assert i18n.own_name("ar") == "العربية"
    assert i18n.language_name("tr", "ar") == "التركية"
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
