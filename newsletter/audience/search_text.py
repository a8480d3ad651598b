"""The folded text that subscriber search matches: case, Turkish İ/ı and accents ignored.

SQL LIKE ignores case only for ASCII letters, so each subscriber keeps its address, name and
organisation folded once ("İpek Şahin" -> "ipek sahin"); a search folds its term the same way
and needs a single LIKE. ORM writes fill the column through the listeners below; bulk imports
call ``for_subscriber`` themselves.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import sqlalchemy as sa

from newsletter.core.models import Subscriber

# Turkish letters folded directly (the common case); anything else still non-ASCII goes
# through NFKD with its combining marks (accents, dots, Arabic vowel signs) removed.
_TURKISH = str.maketrans("İIıŞşĞğÇçÖöÜü", "iiissggccoouu", "\u0307")
_MARKS = re.compile("[\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")


def fold(text: str) -> str:
    """Lower case the Turkish way, without accents or dots: 'ŞAHİN', 'Şahin', 'sahin' agree."""
    folded = text.translate(_TURKISH).lower()
    if folded.isascii():
        return folded
    return _MARKS.sub("", unicodedata.normalize("NFKD", folded))


def for_subscriber(email: str, name: str, organisation: str) -> str:
    return fold(f"{email} {name} {organisation}")


def _fill(_mapper: Any, _connection: Any, target: Subscriber) -> None:
    target.search_text = for_subscriber(target.email, target.name or "", target.organisation or "")


sa.event.listen(Subscriber, "before_insert", _fill)
sa.event.listen(Subscriber, "before_update", _fill)
