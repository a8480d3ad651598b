"""`newsletter subscribers …` end to end: add, list with filters, import/export, data, erase."""

from __future__ import annotations

import json
from pathlib import Path

import pytest


@pytest.fixture
def with_lists(cli) -> None:
    cli("lists", "create", "aylik-tr", "--name", "Aylık Bülten", "--language", "tr")
    cli("lists", "create", "news", "--name", "News", "--opt-in", "single", "--visibility", "public")


def listing(cli, *args: str) -> dict:
    result = cli("subscribers", "list", "--json", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_add_show_edit_and_list_filters(cli, with_lists) -> None:
    added = cli(
        "subscribers", "add", "Elif@Örnek.com.tr", "--list", "aylik-tr", "--list", "news",
        "--name", "Elif Şahin", "--organisation", "Kızılay", "--attr", "şehir=Hatay",
    )  # fmt: skip
    assert added.stdout.strip() == "elif@örnek.com.tr: aylik-tr (unconfirmed), news (confirmed)"
    cli("subscribers", "add", "omer@example.com", "--list", "news", "--language", "ar")
    cli("subscribers", "add", "zeynep@example.com", "--list", "aylik-tr",
        "--confirmed", "--consent-source", "signed form, Mersin, 2026-10-02")  # fmt: skip
    shown = json.loads(cli("subscribers", "show", "elif@örnek.com.tr", "--json").stdout)
    assert shown["lists"] == {"aylik-tr": "unconfirmed", "news": "confirmed"}
    assert shown["attributes"] == {"şehir": "Hatay"}
    assert shown["email_ascii"] == "elif@xn--rnek-4qa.com.tr"
    assert listing(cli)["total"] == 3
    assert [s["email"] for s in listing(cli, "--list", "news")["subscribers"]] == [
        "elif@örnek.com.tr", "omer@example.com",
    ]  # fmt: skip
    confirmed = listing(cli, "--list", "aylik-tr", "--status", "confirmed")["subscribers"]
    assert [s["email"] for s in confirmed] == ["zeynep@example.com"]
    assert [s["email"] for s in listing(cli, "--language", "ar")["subscribers"]] == [
        "omer@example.com"
    ]
    assert listing(cli, "--search", "ŞAHİN")["subscribers"][0]["name"] == "Elif Şahin"
    assert listing(cli, "--search", "kızılay")["total"] == 1
    edit = cli("subscribers", "edit", "elif@örnek.com.tr", "--name", "Elif Ş.", "--set",
               "ilçe=Antakya", "--unset", "şehir", "--status", "blocklisted")  # fmt: skip
    assert edit.exit_code == 0
    after = json.loads(cli("subscribers", "show", "elif@örnek.com.tr", "--json").stdout)
    assert (after["name"], after["attributes"], after["status"]) == (
        "Elif Ş.", {"ilçe": "Antakya"}, "blocklisted",
    )  # fmt: skip
    assert listing(cli, "--status", "blocklisted")["total"] == 1
    table = cli("subscribers", "list", "--list", "news").stdout
    assert "omer@example.com" in table and "(1-2 of 2 subscribers)" in table


def test_unsubscribe_remove_and_suppression_commands(cli, with_lists) -> None:
    cli("subscribers", "add", "deniz@example.com", "--list", "news", "--list", "aylik-tr")
    out = cli("subscribers", "unsubscribe", "deniz@example.com", "--list", "news").stdout
    assert out.strip() == "deniz@example.com left news"
    assert cli("subscribers", "unsubscribe", "deniz@example.com").exit_code == 1
    cli("subscribers", "unsubscribe", "deniz@example.com", "--all")
    suppressions = json.loads(cli("subscribers", "suppressions", "--json").stdout)
    assert [s["reason"] for s in suppressions] == ["unsubscribed"]
    assert "deniz" not in json.dumps(suppressions)
    refused = cli("subscribers", "add", "deniz@example.com", "--list", "news")
    assert refused.exit_code == 1 and "suppression list (unsubscribed)" in refused.stderr
    assert cli("subscribers", "unsuppress", "deniz@example.com").exit_code == 0
    assert cli("subscribers", "unsuppress", "deniz@example.com").exit_code == 1
    cli("subscribers", "suppress", "kara@example.com", "--reason", "complaint", "--note", "FBL")
    assert json.loads(cli("subscribers", "suppressions", "--json", "--reason", "complaint")
                      .stdout)[0]["note"] == "FBL"  # fmt: skip
    assert (
        "removed deniz@example.com from news"
        in cli("subscribers", "remove", "deniz@example.com", "--list", "news").stdout
    )
    cli("subscribers", "remove", "deniz@example.com", "--yes")
    assert listing(cli)["total"] == 0


def test_import_export_round_trip_through_the_cli(cli, with_lists, tmp_path: Path) -> None:
    source = tmp_path / "subscribers" / "liste.csv"
    source.parent.mkdir()
    source.write_bytes(  # Turkish Excel's "CSV": Windows-1254 and semicolons
        "E-posta;Ad Soyad;Dil;Şehir\n"
        "İPEK@örnek.com.tr;İpek Yıldız;tr;Gaziantep\n"
        "yanlis-adres;Hatalı;tr;\n"
        "ipek@ornek.com.tr;İpek Başka;;\n".encode("cp1254")
    )
    result = cli("subscribers", "import", "liste.csv", "--list", "aylik-tr", "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["encoding"], report["delimiter"]) == ("cp1254", ";")
    assert (report["rows"], report["added"], report["rejected"]) == (3, 2, 1)
    assert report["report_file"] == str(tmp_path / "subscribers" / "liste-report.csv")
    written = Path(report["report_file"]).read_bytes()
    assert written.startswith(b"\xef\xbb\xbfline,email,outcome,reason\r\n")  # Excel reads UTF-8
    lines = written.decode("utf-8-sig").splitlines()
    assert lines[1:] == [
        "3,yanlis-adres,rejected,An email address must have an @-sign.",
        ",,summary,rows read 3; added 2; updated 0; unchanged 0; skipped duplicate 0; "
        "skipped suppressed 0; skipped unsubscribed 0; rejected 1",
    ]
    text = cli("subscribers", "import", "liste.csv", "--list", "aylik-tr", "--dry-run").stdout
    assert (
        text.startswith("dry run, nothing changed:") and "line 3 (yanlis-adres): rejected" in text
    )
    exported = tmp_path / "export.csv"
    out = cli("subscribers", "export", "--list", "aylik-tr", "-o", str(exported))
    assert out.stdout.strip() == f"wrote 2 subscribers to {exported}"
    again = json.loads(cli("subscribers", "import", str(exported), "--list", "aylik-tr",
                           "--json").stdout)  # fmt: skip
    assert (again["rows"], again["unchanged"], again["added"], again["updated"]) == (2, 2, 0, 0)
    default = cli("subscribers", "export", "--list", "aylik-tr").stdout
    assert str(tmp_path / "subscribers" / "aylik-tr-") in default


def test_import_bad_options_and_unreadable_file(cli, with_lists, tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("email\na@example.com\n")
    no_source = cli("subscribers", "import", str(path), "--list", "aylik-tr", "--confirmed")
    assert no_source.exit_code == 1 and "--confirmed needs --consent-source" in no_source.stderr
    bad_map = cli("subscribers", "import", str(path), "--list", "aylik-tr", "--map", "email")
    assert "--map 'email': write it as NAME=VALUE" in bad_map.stderr
    unknown = cli("subscribers", "import", str(path), "--list", "yok")
    assert "no list with slug 'yok'" in unknown.stderr
    missing = cli("subscribers", "import", "nowhere.csv", "--list", "aylik-tr")
    assert missing.exit_code == 1 and "cannot read nowhere.csv" in missing.stderr
    path.write_bytes(b"PK\x03\x04\x00binary")
    binary = cli("subscribers", "import", str(path), "--list", "aylik-tr")
    assert binary.exit_code == 1 and "not a text file" in binary.stderr
    assert listing(cli)["total"] == 0 and not (tmp_path / "x-report.csv").exists()


def test_data_and_erase(cli, with_lists) -> None:
    cli("subscribers", "add", "selin@example.com", "--list", "news", "--name", "Selin Aydın")
    data = json.loads(cli("subscribers", "data", "Selin@example.com").stdout)
    assert data["subscriber"]["name"] == "Selin Aydın"
    assert [c["event"] for c in data["consent"]] == ["subscribed"]
    assert data["subscriptions"][0]["list"] == "news" and data["deliveries"] == []
    erased = cli("subscribers", "erase", "selin@example.com", "--yes")
    assert "erased selin@example.com: 1 subscriptions, 1 consent records deleted" in erased.stdout
    assert cli("subscribers", "data", "selin@example.com").exit_code == 1
    assert json.loads(cli("subscribers", "suppressions", "--json").stdout)[0]["reason"] == "erased"
    again = cli("subscribers", "add", "selin@example.com", "--list", "news")
    assert again.exit_code == 1 and "(erased)" in again.stderr
    aborted = cli("subscribers", "erase", "x@example.com", input="n\n")
    assert aborted.exit_code == 1 and listing(cli)["total"] == 0


def test_help_lists_every_command(cli) -> None:
    text = cli("subscribers", "--help").stdout
    for command in ("add", "list", "show", "edit", "unsubscribe", "remove", "import", "export",
                    "data", "erase", "suppress", "unsuppress", "suppressions"):  # fmt: skip
        assert command in text
    assert "--consent-source" in cli("subscribers", "import", "--help").stdout


def test_edit_without_changes_bad_filters_and_missing_folders_are_errors(
    cli, with_lists, tmp_path: Path
) -> None:
    cli("subscribers", "add", "nur@example.com", "--list", "news", "--attr", "il=Mardin")
    nothing = cli("subscribers", "edit", "nur@example.com")
    assert nothing.exit_code == 1
    assert nothing.stderr == "Error: nothing to change: give at least one option (see --help)\n"
    typo = cli("subscribers", "edit", "nur@example.com", "--unset", "ilce")
    assert "--unset 'ilce': the subscriber has no such attribute (il)" in typo.stderr
    assert cli("lists", "edit", "news").stderr.startswith("Error: nothing to change")
    reason = cli("subscribers", "suppressions", "--reason", "bounce")
    assert reason.exit_code == 1 and "unknown suppression reason 'bounce'" in reason.stderr
    target = tmp_path / "no-such-folder" / "out.csv"
    export = cli("subscribers", "export", "--list", "news", "-o", str(target))
    assert (
        export.exit_code == 1
        and "the folder" in export.stderr
        and "does not exist" in export.stderr
    )
    assert not target.parent.exists()
    shown = json.loads(cli("subscribers", "show", "nur@example.com", "--json").stdout)
    assert list(shown)[:2] == ["id", "email"] and shown["attributes"] == {"il": "Mardin"}
    lists_json = json.loads(cli("lists", "list", "--json").stdout)
    assert list(lists_json[0])[:3] == ["id", "slug", "name"]


def test_import_shows_ten_problems_and_counts_the_rest(cli, with_lists, tmp_path: Path) -> None:
    path = tmp_path / "kotu.csv"
    path.write_text("email\n" + "".join(f"bozuk{i}\n" for i in range(14)), encoding="utf-8")
    out = cli("subscribers", "import", str(path), "--list", "news").stdout
    assert "line 2 (bozuk0): rejected: An email address must have an @-sign." in out
    assert "line 11 (bozuk9): rejected" in out and "line 12 (bozuk10)" not in out
    assert "  … and 4 more in the report" in out
    assert f"report: {tmp_path / 'kotu-report.csv'}" in out


def test_import_shows_rows_imported_with_a_warning(cli, with_lists, tmp_path: Path) -> None:
    path = tmp_path / "arapca.csv"
    path.write_text(
        "email,name\nahmed@example.org,???? ?????\n"
        + "".join(f"kisi{i}@example.org,Y?lmaz {i}\n" for i in range(12)),
        encoding="utf-8",
    )
    out = cli("subscribers", "import", str(path), "--list", "news").stdout
    assert "  added                 13" in out
    assert "  warnings              13" in out
    assert "line 2 (ahmed@example.org): warning: imported, but the name '???? ?????'" in out
    assert "  … and 3 more in the report" in out  # 13 flagged, 10 shown
    data = json.loads(cli("subscribers", "import", str(path), "--list", "news", "--json").stdout)
    assert (data["warnings"], data["unchanged"]) == (13, 13)
    assert data["problems"][0]["outcome"] == "warning"
