"""Pasted text cleaned: odd spaces made plain, invisible marks gone, every letter kept."""

from __future__ import annotations

import unicodedata

from newsletter.library.textclean import clean_line, clean_text, odd_characters


def test_odd_spaces_and_invisible_characters() -> None:
    pasted = "12\u00a0Aralık\u202f2020 –\u2009İŞKUR\u200b’un\u00adla \u2066Kilis\u2069\ufeff"
    assert clean_line(pasted) == "12 Aralık 2020 – İŞKUR’unla Kilis"
    assert odd_characters(pasted) == 8


def test_letters_quotes_and_arabic_marks_are_kept() -> None:
    text = "“Çocuklarımız” ‘okulda’ — ĞğİıŞşÇçÖöÜüÂâ مرحبا\u200f\u200c"
    assert clean_text(text) == text


def test_decomposed_turkish_letters_become_one_character() -> None:
    decomposed = unicodedata.normalize("NFD", "Şanlıurfa İzmir Gökçen")
    assert len(decomposed) > len("Şanlıurfa İzmir Gökçen")
    assert clean_text(decomposed) == "Şanlıurfa İzmir Gökçen"


def test_line_ends_and_runs_of_spaces() -> None:
    assert clean_text("a\r\nb\rc\u2028d\u2029e") == "a\nb\nc\nd\n\ne"
    assert clean_line("  two   spaces\t here  ") == "two spaces here"
    assert clean_text("hard break  \nkept") == "hard break  \nkept"  # Markdown's two spaces
