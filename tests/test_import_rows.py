"""The database-free half of a CSV import: checks, normalisation, dedupe and hashing."""

from __future__ import annotations

from newsletter.csv_source import BadRow, Row
from newsletter.import_rows import prepare
from newsletter.suppression import hash_normalised

SECRET = "import-rows-test-secret-0123456789abcdef"


def _row(line: int, email: str, language: str = "") -> Row:
    return Row(line, email, "Ad Soyad", language, "", {})


def test_rows_are_checked_deduplicated_and_hashed_in_chunks() -> None:
    rows = [
        _row(2, "İPEK@örnek.com.tr"),
        _row(3, "i\u0307pek@örnek.com.tr"),  # the same address, İ written lower with its dot
        BadRow(4, "fazla@example.com", "4 cells but the header has 3"),
        _row(5, "bozuk"),
        _row(6, "dil@example.com", language="Türkçe"),
        _row(7, "ömer@example.com", language="tr"),
    ]
    chunks = list(prepare(SECRET, iter(rows), size=4))
    assert [c.rows for c in chunks] == [4, 2]
    prepared = [p for c in chunks for p in c.prepared]
    assert [(p.row.line, p.address.normalised) for p in prepared] == [
        (2, "i\u0307pek@örnek.com.tr"),
        (7, "ömer@example.com"),
    ]
    assert prepared[1].digest == hash_normalised(SECRET, "ömer@example.com")
    problems = [p for c in chunks for p in c.problems]
    assert [(line, kind) for line, _, kind, _ in problems] == [
        (3, "duplicate"), (4, "rejected"), (5, "rejected"), (6, "rejected"),
    ]  # fmt: skip
    assert problems[0][3] == "same address as line 2"
    assert "@-sign" in problems[2][3] and "'Türkçe' is not a language code" in problems[3][3]


def test_an_empty_file_gives_no_chunk() -> None:
    assert list(prepare(SECRET, iter([]))) == []
