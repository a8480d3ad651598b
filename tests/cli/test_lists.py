"""`newsletter lists …` end to end on a real SQLite database."""

from __future__ import annotations

import json


def test_create_list_show_edit_delete(cli) -> None:
    result = cli("lists", "create", "aylik-tr", "--name", "Aylık Bülten", "--language", "tr",
                 "--description", "Her ayın haberleri.")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "created list aylik-tr (double opt-in, private)" in result.stdout
    cli("lists", "create", "news", "--name", "News", "--opt-in", "single",
        "--visibility", "public")  # fmt: skip
    table = cli("lists", "list").stdout
    assert "aylik-tr" in table and "Aylık Bülten" in table and "news" in table
    data = json.loads(cli("lists", "list", "--json").stdout)
    assert [(d["slug"], d["opt_in"], d["counts"]["confirmed"]) for d in data] == [
        ("aylik-tr", "double", 0), ("news", "single", 0),
    ]  # fmt: skip
    assert cli("lists", "edit", "aylik-tr", "--visibility", "public").exit_code == 0
    shown = json.loads(cli("lists", "show", "aylik-tr", "--json").stdout)
    assert (shown["visibility"], shown["description"]) == ("public", "Her ayın haberleri.")
    assert "members:          0 confirmed" in cli("lists", "show", "aylik-tr").stdout
    assert cli("lists", "delete", "news").stdout.strip() == "deleted list news"
    assert [d["slug"] for d in json.loads(cli("lists", "list", "--json").stdout)] == ["aylik-tr"]


def test_delete_with_members_needs_force(cli) -> None:
    cli("lists", "create", "news", "--name", "News", "--opt-in", "single")
    cli("subscribers", "add", "ayse@example.com", "--list", "news")
    refused = cli("lists", "delete", "news")
    assert refused.exit_code == 1
    assert refused.stderr.strip() == (
        "Error: list 'news' has 1 subscriptions: use --force to delete them with the list"
    )
    assert "and 1 subscriptions" in cli("lists", "delete", "news", "--force").stdout


def test_bad_input_is_one_line_error(cli) -> None:
    bad = cli("lists", "create", "Aylık Liste", "--name", "x")
    assert bad.exit_code == 1 and bad.stderr.startswith("Error: list slug 'Aylık Liste'")
    assert (
        "opt-in 'maybe'" in cli("lists", "create", "a", "--name", "A", "--opt-in", "maybe").stderr
    )
    missing = cli("lists", "show", "yok")
    assert missing.exit_code == 1 and "no list with slug 'yok'" in missing.stderr
    assert cli("lists", "edit", "yok", "--name", "x").exit_code == 1


def test_help_reads_well(cli) -> None:
    text = cli("lists", "--help").stdout
    for command in ("create", "list", "show", "edit", "delete"):
        assert command in text
    assert "--opt-in" in cli("lists", "create", "--help").stdout


def test_translate_a_list_and_show_it(cli) -> None:
    cli("lists", "create", "aylik", "--name", "Aylık Bülten", "--language", "tr",
        "--description", "Her ayın haberleri.", "--fallback-language", "en")  # fmt: skip
    done = cli("lists", "translate", "aylik", "ar", "--name", "النشرة الشهرية",
               "--description", "أخبار كل شهر.")  # fmt: skip
    assert done.exit_code == 0, done.stderr
    assert done.stdout.strip() == "list aylik: ar translation updated"
    shown = json.loads(cli("lists", "show", "aylik", "--json").stdout)
    assert shown["translations"] == {
        "ar": {"name": "النشرة الشهرية", "description": "أخبار كل شهر."}
    }
    assert shown["fallback_language"] == "en"
    text = cli("lists", "show", "aylik").stdout
    assert "fallback_language: en" in text
    assert "name [ar]:        النشرة الشهرية" in text
    assert "description [ar]: أخبار كل شهر." in text
    assert cli("lists", "edit", "aylik", "--fallback-language", "").exit_code == 0
    shown = json.loads(cli("lists", "show", "aylik", "--json").stdout)
    assert shown["fallback_language"] is None
    assert "fallback_language: - (the issue's own language)" in cli("lists", "show", "aylik").stdout
    gone = cli("lists", "translate", "aylik", "ar", "--remove")
    assert gone.stdout.strip() == "list aylik: ar translation removed"
    assert json.loads(cli("lists", "show", "aylik", "--json").stdout)["translations"] == {}


def test_bad_translations_are_one_line_errors(cli) -> None:
    cli("lists", "create", "aylik", "--name", "Aylık Bülten")
    bad = cli("lists", "translate", "aylik", "Arapça", "--name", "x")
    assert bad.exit_code == 1
    assert bad.stderr.strip() == (
        "Error: language 'Arapça' is not a language code such as 'tr', 'en' or 'ar'"
    )
    nothing = cli("lists", "translate", "aylik", "ar")
    assert "Error: nothing to change: give --name, --description or --remove" in nothing.stderr
    both = cli("lists", "translate", "aylik", "ar", "--remove", "--name", "x")
    assert both.stderr.strip() == "Error: --remove drops the whole translation: give it alone"
    fallback = cli("lists", "create", "x", "--name", "X", "--fallback-language", "English")
    assert fallback.stderr.strip() == (
        "Error: fallback language 'English' is not a language code such as 'tr', 'en' or 'ar'"
    )
