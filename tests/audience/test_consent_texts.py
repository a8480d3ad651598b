"""The consent text per language: `web.consent_texts`, beside the single text and the Turkish one.

The text a page shows is recorded word for word with each subscription, so it must be the one
in the page's language, and checked at load like every other config text.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from newsletter.core.config import WebConfig, load_config
from newsletter.core.errors import ConfigError

ARABIC = "أوافق على تلقي هذه النشرة."


def _load(tmp_path: Path, text: str, environ: dict[str, str] | None = None):
    path = tmp_path / "newsletter.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path, environ=environ or {})


def test_each_language_gets_its_own_text_and_the_rest_the_single_one(tmp_path: Path) -> None:
    web = _load(
        tmp_path, f'[web]\nconsent_text = "I agree."\nconsent_texts = {{ar = "{ARABIC}"}}\n'
    ).web
    assert web.consent_text_for("ar") == ARABIC
    assert web.consent_text_for("en") == "I agree."
    assert web.consent_text_for("ku") == "I agree."  # no text of its own: the single one
    assert web.consent_text_for("tr") == WebConfig().consent_text_tr  # as before


def test_a_turkish_entry_wins_over_consent_text_tr(tmp_path: Path) -> None:
    web = _load(
        tmp_path, '[web]\nconsent_text_tr = "Eski."\n[web.consent_texts]\ntr = "Yeni."\n'
    ).web
    assert web.consent_text_for("tr") == "Yeni."
    emptied = _load(tmp_path, '[web]\nconsent_text_tr = ""\n').web
    assert emptied.consent_text_for("tr") == emptied.consent_text  # "" keeps the single text


def test_the_built_in_defaults_have_an_arabic_text() -> None:
    web = WebConfig()
    assert web.consent_text_for("ar") != web.consent_text
    assert "النشرة" in web.consent_text_for("ar")


def test_texts_may_span_lines(tmp_path: Path) -> None:
    web = _load(tmp_path, '[web.consent_texts]\nar = """أوافق.\nيمكنني إلغاء الاشتراك."""\n').web
    assert web.consent_text_for("ar") == "أوافق.\nيمكنني إلغاء الاشتراك."


def test_the_environment_gives_them_as_json(tmp_path: Path) -> None:
    environ = {"NEWSLETTER_WEB_CONSENT_TEXTS": '{"ar": "' + ARABIC + '"}'}
    assert _load(tmp_path, "", environ).web.consent_text_for("ar") == ARABIC


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[web.consent_texts]\n"Arapça" = "x"\n',
         "key 'web.consent_texts': 'Arapça' is not a language code such as 'tr' or 'ar'"),
        ('[web.consent_texts]\nar = "أوافق\\u202e."\n',
         "key 'web.consent_texts': 'ar' contains the bidi control U+202E"),
        ('[web.consent_texts]\nar = "أوافق\\u0000."\n',
         "key 'web.consent_texts': 'ar' contains a NUL"),
        ('[web.consent_texts]\nar = 3\n', "key 'web.consent_texts.ar'"),
    ],
)  # fmt: skip
def test_bad_values_are_refused_naming_the_key(tmp_path: Path, toml: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, toml)
    assert message in str(caught.value)
