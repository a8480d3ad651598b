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
