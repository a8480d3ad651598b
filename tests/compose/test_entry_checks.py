"""Subjects, titles and headings are refused at entry when they carry a line break, a NUL or a
bidi control: each would otherwise pass every check and break the send or mislead readers."""

from __future__ import annotations

import pytest

BAD = [
    ("a CR LF", "Our work\r\nBcc: everyone@example.org", "carriage return"),
    ("a bare LF", "Our work\nBcc: everyone@example.org", "line break"),
    ("a bare CR", "Our work\rX-Evil: 1", "carriage return"),
    ("a NUL", "Our work\x00 in November", "NUL"),
    ("a bidi override", "Our work \u202egnirts\u202c in November", "U+202E"),
    ("a bidi isolate", "Our work \u2067x\u2069", "U+2067"),
]


@pytest.mark.parametrize(("what", "value", "said"), BAD, ids=[b[0] for b in BAD])
def test_new_issue_refuses_the_subject(cli, what: str, value: str, said: str) -> None:
    result = cli("issues", "new", "November update", "--subject", value)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: subject") and said in result.stderr
    assert "Traceback" not in result.stderr
    assert cli("issues", "list", "--json").stdout.strip() == "[]"  # nothing half-written


@pytest.mark.parametrize("field", ["--subject", "--preheader"])
def test_editing_refuses_a_line_break_and_keeps_the_old_value(cli, field: str) -> None:
    assert cli("issues", "new", "November update", "--subject", "Kasım").exit_code == 0
    result = cli("issues", "edit", "1", field, "Kasım\nBcc: x@example.org")
    assert result.exit_code == 1 and field.strip("-") in result.stderr
    shown = cli("issues", "show", "1", "--json").stdout
    assert "Bcc" not in shown and "Kasım" in shown


def test_the_title_refuses_a_bidi_override(cli) -> None:
    result = cli("issues", "new", "Kasım \u202ebülteni")
    assert result.exit_code == 1 and "title" in result.stderr and "U+202E" in result.stderr


def test_an_edition_subject_and_heading_are_checked_too(cli) -> None:
    assert cli("issues", "new", "November update", "--subject", "Our work").exit_code == 0
    result = cli("issues", "translate", "1", "tr", "--subject", "Çalışmalarımız\r\nBcc: x")
    assert result.exit_code == 1 and "tr subject" in result.stderr
    heading = cli("issues", "translate", "1", "ar", "--title", "ok", "--heading", "1=a\u202eb")
    assert heading.exit_code == 1


def test_arabic_marks_that_text_needs_are_allowed(cli) -> None:
    # RLM (U+200F) and ALM (U+061C) are ordinary in Arabic subjects: not refused.
    result = cli("issues", "new", "Aylık bülten", "--subject", "نشرة \u200fنوفمبر\u061c 2026")
    assert result.exit_code == 0, result.stderr


def test_a_block_title_with_a_nul_is_refused_naming_the_field(cli) -> None:
    result = cli("blocks", "add", "--title", "Hatay\x00 centre", "--body", "Opened.")
    assert result.exit_code == 1 and "title" in result.stderr and "NUL" in result.stderr
    bidi = cli("blocks", "add", "--title", "Hatay \u202dcentre", "--body", "Opened.")
    assert bidi.exit_code == 1 and "U+202D" in bidi.stderr
    body = cli("blocks", "add", "--title", "Hatay centre", "--body", "Opened\x00.")
    assert body.exit_code == 1 and "body" in body.stderr
    assert cli("blocks", "list", "--json").stdout.strip() == "[]"
