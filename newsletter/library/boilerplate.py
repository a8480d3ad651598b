"""What in a pasted document is not a story: page headings and the captions under donor logos.

A page heading is a short generic line above the first story ("Press releases", "Programme
bulletin", "Haberler"). Logo captions are the short lines at the very end of a page or an
overview, under the logos of donors and implementers: "Funded by", "the European Union",
"Soutenu par", "Germany", "IOM". They name partners, so read as part of the last story they
would give it partners it never had; they are dropped and the import report lists them.
"""

from __future__ import annotations

import re

from newsletter.core.textmatch import fold
from newsletter.library.shapes import Paragraph, headline_like, words

# Words of generic page headings, folded (lower case, Turkish letters as ASCII).
LABEL_WORDS = frozenset({
    "bulletin", "bulletins", "newsletter", "newsletters", "update", "updates", "news", "press",
    "release", "releases", "media", "overview", "highlights", "factsheet", "feature", "features",
    "story", "stories", "digest", "briefing", "brief", "snapshot", "sitrep", "monthly", "weekly",
    "quarterly", "bulten", "bultenler", "haber", "haberler", "basin", "duyuru", "duyurular",
    "guncelleme", "guncellemeler", "ozet", "hikaye", "hikayeler", "aylik", "communique",
    "communiques", "actualites",
})  # fmt: skip
# Phrases under logos, folded; a caption line is one of these, optionally followed by a name.
CAPTION_PHRASES = (
    "funded by", "co-funded by", "co funded by", "financed by", "supported by", "implemented by",
    "in partnership with", "in cooperation with", "with the support of", "with funding from",
    "an initiative of", "a project of", "powered by",
    "soutenu par", "finance par", "cofinance par", "co-finance par", "mis en oeuvre par",
    "en partenariat avec", "avec le soutien de", "finanziato da", "gefordert durch",
    "unterstutzt von", "tarafindan finanse edilmektedir", "tarafindan desteklenmektedir",
    "tarafindan finanse edilen", "ile isbirligi icinde", "destegiyle", "finansmaniyla",
    "isbirligiyle", "uygulayici", "uygulayan",
)  # fmt: skip
# Countries and institutions seen under donor logos, folded (English, Turkish, French).
LOGO_NAMES = frozenset(
    [
        "germany", "norway", "sweden", "denmark", "finland", "netherlands", "the netherlands",
        "japan", "united kingdom", "united states", "united states of america", "canada",
        "switzerland", "france", "italy", "spain", "belgium", "austria", "ireland", "luxembourg",
        "korea", "republic of korea", "australia", "turkey", "turkiye", "european union",
        "the european union", "almanya", "norvec", "isvec", "danimarka", "hollanda", "japonya",
        "birlesik krallik", "ingiltere", "abd", "kanada", "isvicre", "fransa", "italya",
        "avrupa birligi", "allemagne", "norvege", "suede", "pays-bas", "japon", "royaume-uni",
        "etats-unis", "suisse", "union europeenne", "l'union europeenne",
    ]
)  # fmt: skip
MAX_CAPTION_WORDS = 8


def is_label(text: str) -> bool:
    """A generic page heading: a few words, one of them a heading word ("Press releases")."""
    tokens = re.findall(r"\w+", fold(text))
    return 0 < len(tokens) <= 4 and any(t in LABEL_WORDS for t in tokens)


def is_caption(text: str, names: set[str]) -> bool:
    """A logo caption: "Funded by (the European Union)", or a donor's or partner's name alone."""
    key = " ".join(fold(text).strip(" .:").split())
    if any(key == p or key.startswith(p + " ") for p in CAPTION_PHRASES):
        return True
    return key in LOGO_NAMES or key in names


def caption_tail(paras: list[Paragraph], names: set[str]) -> int:
    """Where the logo captions at the end of the document start (len(paras) if there are none).

    The tail is the run of short lines after the last prose paragraph; captions start at its
    first caption, and every line from there on must be a caption or a short name.
    """
    start = len(paras)
    while start > 0 and _short(paras[start - 1]):
        start -= 1
    for i in range(start, len(paras)):
        if is_caption(paras[i].text, names):
            if all(_short(p) for p in paras[i:]):
                return i
            break
    return len(paras)


def _short(p: Paragraph) -> bool:
    return headline_like(p) and words(p.text) <= MAX_CAPTION_WORDS
