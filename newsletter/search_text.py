"""The folded text that subscriber search matches: case, Turkish İ/ı and accents ignored.

SQL LIKE ignores case only for ASCII letters, so each subscriber keeps its address, name and
organisation folded once ("İpek Şahin" -> "ipek sahin"); a search folds its term the same way
and needs a single LIKE. ORM writes fill the column through the listeners below; bulk imports
call ``for_subscriber`` themselves.
"""

from __future__ import annotations

import unicodedata
from typing import Any

import sqlalchemy as sa

from newsletter.models import Subscriber


def fold(text: str) -> str:
    """Lower case the Turkish way, without accents or dots: 'ŞAHİN', 'Şahin', 'sahin' agree."""
    lowered = text.replace("İ", "i").replace("I", "i").lower()
    decomposed = unicodedata.normalize("NFKD", lowered)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("ı", "i")


def for_subscriber(email: str, name: str, organisation: str) -> str:
    return fold(f"{email} {name} {organisation}")


def _fill(_mapper: Any, _connection: Any, target: Subscriber) -> None:
    target.search_text = for_subscriber(target.email, target.name or "", target.organisation or "")


sa.event.listen(Subscriber, "before_insert", _fill)
sa.event.listen(Subscriber, "before_update", _fill)
