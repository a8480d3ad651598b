"""`newsletter blocks …` end to end: the real CLI on a real SQLite database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import Session

from newsletter.core.models import Issue, Placement, Section
from tests.plugins.blocks import FIXTURES


def _json(result) -> object:
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_help_reads_well(cli) -> None:
    result = cli("blocks", "--help")
    for command in ("add", "list", "show", "edit", "archive", "delete", "import", "areas",
                    "partners"):
        assert command in result.stdout
    assert "--search" in cli("blocks", "list", "--help").stdout
    assert "Examples:" in cli("blocks", "add", "--help").stdout


def test_add_from_options_then_show(cli) -> None:
    added = _json(cli(
        "blocks", "add", "--title", "Mobil sağlık ekipleri Şanlıurfa’da",
        "--area", "migration-health",
        "--tag", "sağlık", "--tag", "mobile teams", "--place", "Şanlıurfa", "--date", "2026-10-14",
        "--language", "tr", "--body", "-", "--json", input="**640 kişi** muayene edildi.\n",
    ))  # fmt: skip
    assert added["title"] == "Mobil sağlık ekipleri Şanlıurfa’da"
    assert added["body"] == "**640 kişi** muayene edildi."
    assert (added["status"], added["event_date"], added["tags"]) == (
        "draft",
        "2026-10-14",
        ["sağlık", "mobile teams"],
    )
    shown = cli("blocks", "show", str(added["id"]))
    assert "Mobil sağlık ekipleri Şanlıurfa’da" in shown.stdout
    assert "migration-health (Migration health)" in shown.stdout
    assert "**640 kişi** muayene edildi." in shown.stdout
    assert _json(cli("blocks", "show", str(added["id"]), "--json"))["places"] == ["Şanlıurfa"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--title", "A", "--status", "done"], "Error: status: unknown status 'done'"),
        (["--title", "A", "--area", "weather"], "Error: area: unknown programme area 'weather'"),
        (["--title", "A", "--image", "https://example.org/a.jpg"], "Error: image_alt: the image"),
        (
            ["--title", "A", "--link", "http://example.org"],
            "Error: link_url: 'http://example.org' is not an https",
        ),
        (["--title", "A", "--language", "english"], "Error: language: 'english' is not a BCP 47"),
        (["--body", "no title"], "Error: title: a block needs a title"),
    ],
)
def test_add_refuses_bad_input_in_one_line(cli, args: list[str], message: str) -> None:
    result = cli("blocks", "add", *args)
    assert result.exit_code == 1
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr
    assert _json(cli("blocks", "list", "--all", "--json")) == []


def test_add_from_a_file_with_options_overriding(cli, tmp_path: Path) -> None:
    path = tmp_path / "story.md"
    path.write_text(
        "---\ntitle: Job fair in Gaziantep\ntags: [jobs]\n---\nMore than 300 jobseekers.\n", "utf-8"
    )
    added = _json(cli("blocks", "add", "--file", str(path), "--status", "ready", "--json"))
    assert (added["title"], added["status"], added["tags"]) == (
        "Job fair in Gaziantep",
        "ready",
        ["jobs"],
    )
    assert added["body"] == "More than 300 jobseekers."


def test_add_from_a_broken_file(cli, tmp_path: Path) -> None:
    path = tmp_path / "broken.md"
    path.write_text("---\ntitle: A\nimage: https://example.org/a.jpg\n---\nBody\n", "utf-8")
    result = cli("blocks", "add", "--file", str(path))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {path}, line 3: image_alt: the image")


def test_add_in_the_editor(cli, fake_editor) -> None:
    shown = fake_editor(
        "path.write_text(text.replace('title:', 'title: Kilis’te yeni merkez')"
        " + 'Merkez açıldı.\\n', encoding='utf-8')"
    )
    result = cli("blocks", "add", "--editor", "--area", "protection")
    assert result.exit_code == 0, result.stderr
    assert "added block 1: Kilis’te yeni merkez" in result.stdout
    assert "area: protection" in shown.read_text(encoding="utf-8")
    block = _json(cli("blocks", "show", "1", "--json"))
    assert (block["area"], block["body"]) == ("protection", "Merkez açıldı.")


def test_add_in_the_editor_left_unchanged_adds_nothing(cli, fake_editor) -> None:
    fake_editor("pass")
    result = cli("blocks", "add", "--editor")
    assert result.exit_code == 1 and "no block added" in result.stderr
    assert _json(cli("blocks", "list", "--json")) == []


def test_list_filters_search_and_table(cli) -> None:
    cli("blocks", "add", "--title", "Kooperatif Şanlıurfa’da", "--place", "Siverek",
        "--area", "economic-recovery", "--date", "2025-10-14")  # fmt: skip
    cli("blocks", "add", "--title", "Health teams in Hatay", "--place", "Antakya",
        "--tag", "health", "--date", "2025-11-03", "--status", "ready")  # fmt: skip
    table = cli("blocks", "list")
    assert table.exit_code == 0
    assert "Kooperatif" in table.stdout and "2025-10-14" in table.stdout
    assert "2 blocks" in table.stdout

    def ids(*args: str) -> list[int]:
        return [b["id"] for b in _json(cli("blocks", "list", "--json", *args))]  # type: ignore[union-attr]

    assert ids() == [2, 1]
    assert ids("--search", "SANLIURFA") == [1]
    assert ids("-s", "hatay") == [2]
    assert ids("--place", "Şanlıurfa") == [1]
    assert ids("--tag", "HEALTH") == [2]
    assert ids("--status", "ready") == [2]
    assert ids("--area", "economic-recovery") == [1]
    assert ids("--from", "2025-11-01") == [2]
    assert ids("--to", "2025-10-31") == [1]
    bad = cli("blocks", "list", "--from", "yesterday")
    assert bad.exit_code == 1 and "--from: 'yesterday' is not a date" in bad.stderr


def test_edit_with_options(cli) -> None:
    cli("blocks", "add", "--title", "Draft story")
    result = cli("blocks", "edit", "1", "--status", "ready", "--area", "protection")
    assert result.exit_code == 0 and "block 1 updated: status, area" in result.stdout
    again = cli("blocks", "edit", "1", "--status", "ready")
    assert "block 1: no change" in again.stdout
    bad = cli("blocks", "edit", "1", "--kind", "poem")
    assert bad.exit_code == 1 and "kind: unknown kind 'poem'" in bad.stderr
    assert _json(cli("blocks", "show", "1", "--json"))["kind"] == "story"


def test_edit_in_the_editor(cli, fake_editor) -> None:
    cli("blocks", "add", "--title", "Old title", "--body", "Old body.")
    shown = fake_editor(
        "path.write_text(text.replace('Old title', 'New title')"
        ".replace('Old body.', 'New “body”.'),"
        " encoding='utf-8')"
    )
    result = cli("blocks", "edit", "1")
    assert result.exit_code == 0, result.stderr
    assert "block 1 updated: title, body" in result.stdout
    assert "title: Old title" in shown.read_text(encoding="utf-8")
    block = _json(cli("blocks", "show", "1", "--json"))
    assert (block["title"], block["body"]) == ("New title", "New “body”.")


def test_edit_in_the_editor_unchanged_or_broken(cli, fake_editor) -> None:
    cli("blocks", "add", "--title", "Stays", "--body", "Same.")
    fake_editor("pass")
    unchanged = cli("blocks", "edit", "1")
    assert unchanged.exit_code == 0 and "file unchanged, nothing to save" in unchanged.stdout
    fake_editor("path.write_text(text.replace('status: draft', 'status: [oops'), encoding='utf-8')")
    broken = cli("blocks", "edit", "1")
    assert broken.exit_code == 1
    assert "broken front matter" in broken.stderr and "nothing saved" in broken.stderr
    Path(broken.stderr.rsplit("kept in ", 1)[1].strip().rstrip(")")).unlink()
    block = _json(cli("blocks", "show", "1", "--json"))
    assert (block["title"], block["status"]) == ("Stays", "draft")


def test_status_commands(cli) -> None:
    cli("blocks", "add", "--title", "One")
    cli("blocks", "add", "--title", "Two")
    assert "ready: blocks 1, 2" in cli("blocks", "ready", "1", "2").stdout
    assert cli("blocks", "archive", "1").exit_code == 0
    assert [b["id"] for b in _json(cli("blocks", "list", "--json"))] == [2]  # type: ignore[union-attr]
    assert len(_json(cli("blocks", "list", "--all", "--json"))) == 2  # type: ignore[arg-type]
    missing = cli("blocks", "archive", "9")
    assert missing.exit_code == 1 and missing.stderr == "Error: no block with id 9\n"


def test_delete_asks_and_is_refused_for_sent_issues(cli, engine) -> None:
    cli("blocks", "add", "--title", "Keep me")
    cli("blocks", "add", "--title", "Delete me")
    with Session(engine) as session:
        issue = Issue(title="June", status="sent")
        session.add(issue)
        session.flush()
        section = Section(issue_id=issue.id, heading="News")  # type: ignore[arg-type]
        session.add(section)
        session.flush()
        session.add(Placement(section_id=section.id, block_id=1))  # type: ignore[arg-type]
        session.commit()
    refused = cli("blocks", "delete", "1", "--yes")
    assert refused.exit_code == 1
    assert "block 1 is part of issue 1 (sent)" in refused.stderr
    assert cli("blocks", "delete", "2", input="n\n").exit_code == 1
    deleted = cli("blocks", "delete", "2", input="y\n")
    assert deleted.exit_code == 0 and "deleted block 2: Delete me" in deleted.stdout
    assert [b["id"] for b in _json(cli("blocks", "list", "--json"))] == [1]  # type: ignore[union-attr]


def test_import_reports_and_skips_on_second_run(cli, bulletin_path: Path) -> None:
    first = cli("blocks", "import", str(bulletin_path))
    assert first.exit_code == 0, first.stderr
    assert f"{bulletin_path}: created 10, skipped 0 already imported" in first.stdout
    assert "[social-cohesion, suggested] Gaziantep, Kilis: Youth Dialogue Camp" in first.stdout
    second = cli("blocks", "import", str(bulletin_path), "--json")
    data = _json(second)
    assert data["created_ids"] == [] and len(data["files"][0]["skipped"]) == 10  # type: ignore[index]


def test_import_dry_run_and_json(cli, bulletin_path: Path) -> None:
    dry = cli("blocks", "import", "--dry-run", str(bulletin_path))
    assert "would create 10" in dry.stdout
    assert _json(cli("blocks", "list", "--json")) == []
    data = _json(cli("blocks", "import", "--json", str(bulletin_path)))
    assert data["created_ids"] == list(range(1, 11))  # type: ignore[index]
    first = data["files"][0]["created"][0]  # type: ignore[index]
    assert first["places"] == ["Şanlıurfa", "Siverek"] and first["area_suggested"] is True


def test_import_bad_file_fails_alone(cli, tmp_path: Path, bulletin_path: Path) -> None:
    bad = tmp_path / "scan.txt"
    bad.write_bytes(b"\x00\x01\x02binary")
    result = cli("blocks", "import", str(bad), str(bulletin_path))
    assert result.exit_code == 1
    assert result.stderr == f"Error: {bad}: binary file, not text\n"
    assert "created 10" in result.stdout


def test_import_a_folder(cli, tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("# Kilis centre opens\n\nThe centre opened.\n", "utf-8")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.4")
    result = cli("blocks", "import", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    assert "created 1" in result.stdout and "notes.pdf" not in result.stdout


def test_areas(cli) -> None:
    areas = _json(cli("blocks", "areas", "--json"))
    assert [a["slug"] for a in areas][:2] == ["economic-recovery", "social-cohesion"]  # type: ignore[index]
    assert "Resettlement and complementary pathways" in cli("blocks", "areas").stdout


def test_table_keeps_every_place_whole_and_json_keeps_field_order(cli) -> None:
    places = ["Ankara", "Adana", "Gaziantep", "Mersin", "Şanlıurfa"]
    cli("blocks", "add", "--title", "Göç hizmet merkezleri çevrim içi toplantıda buluştu",
        "--area", "economic-recovery", "--date", "2025-04-07", "--date-end", "2025-04-09",
        *[arg for place in places for arg in ("--place", place)])  # fmt: skip
    table = cli("blocks", "list").stdout
    assert "2025-04-07..09" in table
    words = table.split()
    assert all(f"{p}," in words or p in words for p in places), table
    shown = _json(cli("blocks", "show", "1", "--json"))
    assert list(shown)[:3] == ["id", "title", "body"]  # type: ignore[arg-type]


def test_import_report_dropped_guessed_and_confidence(cli) -> None:
    overview = FIXTURES / "blocks-overview.txt"
    result = cli("blocks", "import", "--report", "--dry-run", str(overview))
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "would create 4" in out
    assert "  dropped line 27 (logo caption): Funded by" in out
    assert "  dropped line 1 (page heading): PROGRAMME OVERVIEW: TÜRKİYE" in out
    assert (
        "event_date:  2020-12-14..2020-12-18  [low: year from the document's dates: "
        "“14 and 18 December”]" in out
    )
    assert "title:       Cross-Cutting: Protection and Gender  [medium: written in capitals" in out
    short = cli("blocks", "import", "--keep-case", str(overview)).stdout
    assert "CROSS-CUTTING: PROTECTION AND GENDER" in short
    assert "guessed: event_date (no event date: the document's date); area (keywords:" in short
    feature = FIXTURES / "blocks-feature.txt"
    data = _json(cli("blocks", "import", "--json", "--dry-run", str(feature)))
    (file,) = data["files"]  # type: ignore[index]
    assert file["dropped"] == [{"line": 1, "text": "Feature", "reason": "page heading"}]
    (created,) = file["created"]
    assert created["guessed"] == ["event_date", "area"] and created["author"] == "Zeynep Arslan"
    assert created["recognised"]["published"]["value"] == "2021-03-12"


def test_guesses_shown_until_confirmed(cli) -> None:
    cli("blocks", "import", str(FIXTURES / "blocks-bulletin-years.txt"))
    listed = {b["id"]: b for b in _json(cli("blocks", "list", "--json"))}  # type: ignore[union-attr]
    assert listed[1]["guessed"] == ["event_date"] and listed[2]["guessed"] == ["area"]
    table = cli("blocks", "list").stdout
    assert "2020-12-22..24?" in table and "? guessed by the importer" in table
    assert "guessed:      event_date (check, then: newsletter blocks edit 1 --confirm)" in cli(
        "blocks", "show", "1"
    ).stdout
    edited = cli("blocks", "edit", "1", "--date", "2020-12-22")
    assert edited.stdout.strip() == "block 1: no change (confirmed event_date)"
    assert cli("blocks", "edit", "2", "--confirm").stdout.strip() == "block 2: confirmed area"
    ready = cli("blocks", "ready", "3", "4")
    assert "block 3: confirmed guessed area" in ready.stdout
    by_id = {b["id"]: b["guessed"] for b in _json(cli("blocks", "list", "--json"))}  # type: ignore[union-attr]
    assert by_id == {1: [], 2: [], 3: [], 4: [], 5: []}
    assert "guessed" not in cli("blocks", "show", "1").stdout


def test_partners_commands(cli) -> None:
    listed = _json(cli("blocks", "partners", "list", "--json"))
    wfp = next(p for p in listed if p["acronym"] == "WFP")  # type: ignore[union-attr]
    assert (wfp["name"], wfp["name_tr"]) == ("World Food Programme", "Dünya Gıda Programı")
    added = _json(cli("blocks", "partners", "add", "--name", "Kilis Chamber of Commerce",
                      "--acronym", "KTO", "--name-tr", "Kilis Ticaret Odası", "--kind", "partner",
                      "--alias", "Kilis Chamber", "--json"))  # fmt: skip
    assert added["aliases"] == ["Kilis Chamber"]  # type: ignore[index]
    edited = cli("blocks", "partners", "edit", "KTO", "--acronym", "KİTO")
    assert edited.stdout.strip() == f"partner {added['id']} updated: acronym"  # type: ignore[index]
    assert "KİTO" in cli("blocks", "partners", "list").stdout
    taken = cli("blocks", "partners", "add", "--name", "Another", "--acronym", "WFP")
    assert taken.exit_code == 1
    assert taken.stderr.startswith("Error: 'WFP' already names World Food Programme (id ")
    nothing = cli("blocks", "partners", "edit", "KİTO")
    assert nothing.exit_code == 1 and "nothing to change" in nothing.stderr
    removed = cli("blocks", "partners", "remove", "kilis ticaret odası")
    assert removed.stdout.strip() == f"removed partner {added['id']}: Kilis Chamber of Commerce"  # type: ignore[index]
    missing = cli("blocks", "partners", "remove", "KİTO")
    assert missing.exit_code == 1 and "no partner 'KİTO'" in missing.stderr
