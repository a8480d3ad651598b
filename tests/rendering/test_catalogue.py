"""The email themes' words: the Babel domain "email", complete in Turkish and Arabic, with the
same placeholders as the English, and a theme's labels.toml still able to change a word."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from newsletter.core.config import load_config
from newsletter.core.errors import UserError
from newsletter.rendering import catalogue, templating
from tests.conftest import write_config

PLACEHOLDER = re.compile(r"\{(\w+)\}")
KNOWN = {"name", "organisation", "email", "language"}


def _messages(path):
    with path.open("rb") as f:
        return [m for m in read_po(f) if m.id]


def test_the_template_names_every_word_by_its_key():
    messages = _messages(catalogue.template_path())
    keys = [m.context for m in messages]
    assert None not in keys and len(keys) == len(set(keys))
    assert {"greeting_named", "read_more", "view_online", "unsubscribe", "why"} <= set(keys)
    # Every placeholder the English uses is one the renderer fills in.
    assert set().union(*(PLACEHOLDER.findall(m.id) for m in messages)) == KNOWN


@pytest.mark.parametrize("lang", ["tr", "ar"])
def test_every_word_is_translated_with_the_same_placeholders(lang):
    wanted = {m.context: m.id for m in _messages(catalogue.template_path())}
    found = {m.context: m for m in _messages(catalogue.catalogue_path(lang))}
    assert set(found) == set(wanted), lang
    for key, english in wanted.items():
        message = found[key]
        assert message.id == english, (lang, key, "msgid differs from email.pot")
        assert message.string and not message.fuzzy, (lang, key, "untranslated or fuzzy")
        assert sorted(PLACEHOLDER.findall(message.string)) == sorted(
            PLACEHOLDER.findall(english)
        ), (lang, key, message.string)


def test_english_catalogue_writes_the_msgids():
    assert catalogue.translated("en") == catalogue.english()


def test_words_fall_back_from_region_to_language_to_english():
    assert catalogue.words("tr-TR")["read_more"] == "Devamını okuyun"
    assert catalogue.words("ar")["list_separator"] == "، "
    assert catalogue.words("de") == catalogue.english()
    assert catalogue.words("../tr") == catalogue.english()  # never a path out of locale/


def test_catalogues_are_read_once(monkeypatch):
    catalogue.words("ar")
    monkeypatch.setattr(catalogue, "read", lambda *a, **k: pytest.fail("read again"))
    assert catalogue.words("ar")["read_more"] == "اقرأ المزيد"


@pytest.fixture
def themed(tmp_path):
    folder = tmp_path / "mytheme" / "email"
    (folder / "monthly").mkdir(parents=True)
    config = load_config(write_config(tmp_path, '[rendering]\ntemplates_dir = "mytheme"\n'))
    yield config, folder
    templating.clear_cache()


def test_a_themes_labels_file_changes_a_word_for_one_language(themed):
    config, folder = themed
    (folder / "monthly" / "labels.toml").write_text('[tr]\nread_more = "Haberin devamı"\n')
    env = templating.environment(config)
    assert templating.load_labels(env, "monthly", "tr")["read_more"] == "Haberin devamı"
    assert templating.load_labels(env, "monthly", "tr")["unsubscribe"] == "Abonelikten çıkın"
    assert templating.load_labels(env, "monthly", "ar")["read_more"] == "اقرأ المزيد"
    # monthly-full extends monthly: it takes the override too.
    assert templating.load_labels(env, "monthly-full", "tr")["read_more"] == "Haberin devamı"


def test_a_theme_without_labels_file_has_the_catalogue_words(themed):
    config, folder = themed
    (folder / "plain").mkdir()
    (folder / "plain" / "issue.mjml.j2").write_text("<mjml></mjml>")
    env = templating.environment(config)
    assert templating.load_labels(env, "plain", "ar") == catalogue.words("ar")


def test_a_word_that_is_not_text_is_named(themed):
    config, folder = themed
    (folder / "monthly" / "labels.toml").write_text("[tr]\nread_more = 1\n")
    env = templating.environment(config)
    with pytest.raises(UserError, match=r"labels.toml: \[tr\] read_more: a text"):
        templating.load_labels(env, "monthly", "tr")


def test_a_message_without_key_is_named(tmp_path):
    broken = tmp_path / "email.po"
    broken.write_text('msgid ""\nmsgstr ""\n\nmsgid "Read more"\nmsgstr "Devamı"\n')
    with pytest.raises(UserError, match=r"email.po, line 4: msgid 'Read more' has no msgctxt"):
        catalogue.read(broken, "tr")
