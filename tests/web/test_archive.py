"""The public archive: issues sent to public lists, their web versions, and the Atom feed."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta

import httpx
import pytest

from newsletter.core.db import session_scope
from newsletter.core.models import Issue, IssueSnapshot, Send
from newsletter.rendering.personalise import archive_url, markers
from tests.plugins.web import START, text_of

M = markers()
ATOM = "{http://www.w3.org/2005/Atom}"


def _html(heading: str, lang: str) -> str:
    return (
        f'<!doctype html><html lang="{lang}"><head><style>p{{color:#333}}</style></head><body>'
        f'<p style="margin:0">{M["if_name"]}Sevgili {M["name"]},{M["end"]}'
        f"{M['if_no_name']}Merhaba,{M['end']}</p><h1>{heading}</h1>"
        f'<a href="{M["view_online_url"]}">Web sürümü</a>'
        f'{M["if_unsubscribe_url"]}<a href="{M["unsubscribe_url"]}">Abonelikten çık</a>{M["end"]}'
        "</body></html>"
    )


def _issue(session, title: str, lists: list[str], status: str = "done", days: int = 0,
           languages: tuple[str, ...] = ("tr",)) -> int:  # fmt: skip
    issue = Issue(title=title, subject=title, language=languages[0], status="sent")
    session.add(issue)
    session.flush()
    for lang in languages:
        subject = f"{title} ({lang})"
        session.add(IssueSnapshot(issue_id=issue.id, language=lang, subject=subject,
                                  preheader=f"Özet: {title}", html=_html(subject, lang),
                                  text=f"{subject}\n{M['view_online_url']}"))  # fmt: skip
    at = START + timedelta(days=days)
    session.add(Send(issue_id=issue.id, lists=lists, status=status, started_at=at,
                     finished_at=at + timedelta(minutes=3)))  # fmt: skip
    session.flush()
    return issue.id or 0


@pytest.fixture
def issues(engine, public_lists) -> dict[str, int]:
    with session_scope(engine) as session:
        return {
            "ekim": _issue(session, "Ekim Bülteni", ["aylik-bulten"], days=-30,
                           languages=("tr", "en", "ar")),
            "kasim": _issue(session, "Kasım Bülteni", ["aylik-bulten", "ortaklar"]),
            "gizli": _issue(session, "Ortaklara Not", ["ortaklar"], days=-10),
            "yarim": _issue(session, "Yarım Kalan", ["aylik-bulten"], status="running", days=-5),
            "iptal": _issue(session, "İptal Edilen", ["aylik-bulten"], status="cancelled"),
        }  # fmt: skip


def test_index_lists_issues_sent_to_public_lists_newest_first(web: httpx.Client, issues) -> None:
    page = web.get("/archive", headers={"Accept-Language": "tr"})
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Örnek Kuruluş bülten arşivi" in text
    assert text.index("Kasım Bülteni") < text.index("Ekim Bülteni")
    assert "Ortaklara Not" not in text and "Yarım Kalan" not in text
    assert "22 Kasım 2026" in text  # dates in the page's language
    assert 'type="application/atom+xml"' in page.text
    assert "set-cookie" not in page.headers
    assert page.headers["cache-control"] == "public, max-age=300"
    assert page.headers["vary"] == "Accept-Language"


def test_index_titles_follow_the_page_language(web: httpx.Client, issues) -> None:
    english = text_of(web.get("/archive?lang=en").text)
    assert "Ekim Bülteni (en)" in english and "Kasım Bülteni (tr)" in english


def test_empty_archive(web: httpx.Client, public_lists) -> None:
    assert "No issues have been published yet." in text_of(web.get("/archive").text)


def test_web_version_has_no_personal_links(web: httpx.Client, issues) -> None:
    response = web.get(f"/archive/{issues['kasim']}")
    assert response.status_code == 200
    html = response.text
    assert "Merhaba," in html and "Sevgili" not in html
    assert f'href="https://news.example.org/archive/{issues["kasim"]}"' in html
    assert "Abonelikten çık" not in html and "/unsubscribe/" not in html
    assert "\ue000" not in html
    csp = response.headers["content-security-policy"]
    assert "'unsafe-inline'" in csp and "frame-ancestors 'none'" in csp and "script" not in csp


def test_web_version_in_another_language(web: httpx.Client, issues) -> None:
    assert "Ekim Bülteni (en)" in web.get(f"/archive/{issues['ekim']}?lang=en").text
    assert "Ekim Bülteni (tr)" in web.get(f"/archive/{issues['ekim']}?lang=tr").text
    assert "Ekim Bülteni (tr)" in web.get(f"/archive/{issues['ekim']}").text  # its own
    # An edition the issue lacks: its own language, as its emails were.
    fallback = web.get(f"/archive/{issues['kasim']}?lang=ar")
    assert "Kasım Bülteni (tr)" in fallback.text
    assert fallback.headers["content-language"] == "tr"


def test_arabic_edition_and_its_view_online_link(web: httpx.Client, issues) -> None:
    ekim = issues["ekim"]
    response = web.get(f"/archive/{ekim}?lang=ar")
    assert response.status_code == 200
    assert "<h1>Ekim Bülteni (ar)</h1>" in response.text
    assert '<html lang="ar">' in response.text  # the snapshot as it was sent
    assert response.headers["content-language"] == "ar"
    # "View online" in the web version leads back to this edition, not the Turkish one.
    assert f'href="https://news.example.org/archive/{ekim}?lang=ar"' in response.text
    base = f"https://news.example.org/archive/{ekim}"
    assert response.headers["link"] == (
        f'<{base}?lang=en>; rel="alternate"; hreflang="en", '
        f'<{base}>; rel="alternate"; hreflang="tr"'
    )
    english = web.get(f"/archive/{ekim}?lang=en")
    assert f'href="https://news.example.org/archive/{ekim}?lang=en"' in english.text
    own = web.get(f"/archive/{ekim}")
    assert f'href="https://news.example.org/archive/{ekim}"' in own.text


def test_a_private_issues_other_editions_keep_the_key(web: httpx.Client, engine, issues) -> None:
    from newsletter.audience import tokens
    from tests.conftest import SECRET

    with session_scope(engine) as session:
        issue_id = _issue(session, "Gizli Ekim", ["ortaklar"], languages=("tr", "ar"))
    key = tokens.archive_key(SECRET, issue_id)
    response = web.get(f"/archive/{issue_id}?lang=ar&key={key}")
    assert "Gizli Ekim (ar)" in response.text
    assert response.headers["link"] == (
        f'<https://news.example.org/archive/{issue_id}?key={key}>; rel="alternate"; hreflang="tr"'
    )
    assert web.get(f"/archive/{issue_id}?lang=ar").status_code == 404  # no key: not public


def test_index_lists_each_issue_with_its_editions(web: httpx.Client, issues) -> None:
    ekim, kasim = issues["ekim"], issues["kasim"]
    page = web.get("/archive", headers={"Accept-Language": "ar"})
    html = page.text
    assert '<html lang="ar" dir="rtl">' in html
    text = text_of(html)
    assert "أرشيف نشرات Örnek Kuruluş" in text and "النسخ المتاحة:" in text
    assert "22 نوفمبر 2026" in text
    # The October issue by its Arabic title, then each edition named in its own language.
    assert (f'<a href="/archive/{ekim}?lang=ar" hreflang="ar" lang="ar" dir="rtl">'
            "Ekim Bülteni (ar)</a>") in html  # fmt: skip
    assert f'href="/archive/{ekim}?lang=en" hreflang="en" lang="en" dir="ltr">English</a>' in html
    assert f'href="/archive/{ekim}" hreflang="tr" lang="tr" dir="ltr">Türkçe</a>' in html
    assert (f'href="/archive/{ekim}?lang=ar" hreflang="ar" lang="ar" dir="rtl" '
            'aria-current="true">العربية</a>') in html  # fmt: skip
    # November has no Arabic edition: its own, marked as Turkish (left to right).
    assert (f'<a href="/archive/{kasim}" hreflang="tr" lang="tr" dir="ltr">'
            "Kasım Bülteni (tr)</a>") in html  # fmt: skip
    assert f"/archive/{kasim}?lang=" not in html
    # The page's feed is the Arabic one; the switcher offers the archive in the other languages.
    assert 'href="/archive/ar/feed.atom"' in html
    assert 'href="/archive?lang=en" hreflang="en" lang="en">English</a>' in html
    turkish = web.get("/archive?lang=tr").text
    assert (
        f'<a href="/archive/{ekim}" hreflang="tr" lang="tr" dir="ltr">Ekim Bülteni (tr)' in turkish
    )


def test_issue_still_going_out_is_viewable_but_not_listed(web: httpx.Client, issues) -> None:
    assert "Yarım Kalan" in web.get(f"/archive/{issues['yarim']}").text
    assert "Yarım Kalan" not in web.get("/archive").text


@pytest.mark.parametrize("which", ["gizli", "iptal"])
def test_unpublished_issues_are_404(web: httpx.Client, issues, which: str) -> None:
    assert web.get(f"/archive/{issues[which]}").status_code == 404


def test_a_private_issue_opens_with_the_key_from_its_email(web: httpx.Client, issues) -> None:
    from newsletter.audience import tokens
    from tests.conftest import SECRET

    issue_id = issues["gizli"]
    key = tokens.archive_key(SECRET, issue_id)
    response = web.get(f"/archive/{issue_id}?key={key}")
    assert response.status_code == 200
    assert "Ortaklara Not" in response.text
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["X-Robots-Tag"] == "noindex"
    assert "Ortaklara Not" not in web.get("/archive").text  # still not listed
    other = tokens.archive_key(SECRET, issues["kasim"])
    assert web.get(f"/archive/{issue_id}?key={other}").status_code == 404  # key of another issue
    assert web.get(f"/archive/{issue_id}?key={key[:-2]}xx").status_code == 404  # tampered
    cancelled = tokens.archive_key(SECRET, issues["iptal"])
    assert web.get(f"/archive/{issues['iptal']}?key={cancelled}").status_code == 404


@pytest.mark.parametrize("path", ["/archive/999", "/archive/abc", "/archive/-1", "/archive/1e3",
                                  "/archive/" + "9" * 30])  # fmt: skip
def test_unknown_issue_is_404(web: httpx.Client, issues, path: str) -> None:
    response = web.get(path)
    assert response.status_code == 404
    assert "Page not found" in text_of(response.text)


@pytest.mark.parametrize("digits", ["\u00b2", "\u0661", "\u0967", "\uff11", "1\u0661", "\u2460"])
def test_issue_ids_are_ascii_digits_only(web: httpx.Client, issues, digits: str) -> None:
    """Superscript two, Arabic-Indic one, Devanagari one, full-width one: not issue numbers."""
    assert issues["ekim"] == 1  # "\u0661" and "\uff11" read as 1 by int()
    response = web.get(f"/archive/{digits}")
    assert response.status_code == 404
    assert "Page not found" in text_of(response.text)
    assert "Ekim" not in response.text


def _titles(feed: ET.Element) -> list[str]:
    return [e.find(f"{ATOM}title").text for e in feed.findall(f"{ATOM}entry")]


def test_feed_per_language(web: httpx.Client, issues) -> None:
    ekim = issues["ekim"]
    response = web.get("/archive/ar/feed.atom", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    assert "vary" not in response.headers  # the same for everyone: the address says the language
    feed = ET.fromstring(response.content)
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "ar"
    assert feed.find(f"{ATOM}title").text == "أرشيف نشرات Örnek Kuruluş"
    assert feed.find(f"{ATOM}id").text == "https://news.example.org/archive/ar/feed.atom"
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links == {"self": "https://news.example.org/archive/ar/feed.atom",
                     "alternate": "https://news.example.org/archive?lang=ar"}  # fmt: skip
    assert _titles(feed) == ["Kasım Bülteni (tr)", "Ekim Bülteni (ar)"]
    october = feed.findall(f"{ATOM}entry")[1]
    assert october.find(f"{ATOM}id").text == f"https://news.example.org/archive/{ekim}?lang=ar"
    assert (
        october.find(f"{ATOM}link").get("href")
        == f"https://news.example.org/archive/{ekim}?lang=ar"
    )
    # The first feed address still works, in the language asked for or the browser's.
    assert _titles(ET.fromstring(web.get("/archive/feed.atom?lang=ar").content)) == _titles(feed)
    negotiated = web.get("/archive/feed.atom", headers={"Accept-Language": "ar"})
    assert _titles(ET.fromstring(negotiated.content)) == _titles(feed)
    turkish = ET.fromstring(web.get("/archive/tr/feed.atom").content)
    assert _titles(turkish) == ["Kasım Bülteni (tr)", "Ekim Bülteni (tr)"]


@pytest.mark.parametrize("lang", ["de", "AR", "xx", "ar-EG"])
def test_feed_of_a_language_without_pages_is_404(web: httpx.Client, issues, lang: str) -> None:
    assert web.get(f"/archive/{lang}/feed.atom").status_code == 404


@pytest.mark.parametrize(
    ("key", "lang", "expected"),
    [
        ("", "", "https://news.example.org/archive/7"),
        ("k.e-y_1", "", "https://news.example.org/archive/7?key=k.e-y_1"),
        ("", "ar", "https://news.example.org/archive/7?lang=ar"),
        ("k.e-y_1", "ar", "https://news.example.org/archive/7?lang=ar&key=k.e-y_1"),
    ],
)
def test_archive_url_carries_the_edition_and_the_key(key: str, lang: str, expected: str) -> None:
    assert archive_url("https://news.example.org/", 7, key, lang=lang) == expected


def test_atom_feed(web: httpx.Client, issues) -> None:
    response = web.get("/archive/feed.atom?lang=en")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    assert feed.find(f"{ATOM}title").text == "Örnek Kuruluş newsletter archive"
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == [
        "Kasım Bülteni (tr)",
        "Ekim Bülteni (en)",
    ]
    first = entries[0]
    assert first.find(f"{ATOM}id").text == f"https://news.example.org/archive/{issues['kasim']}"
    assert first.find(f"{ATOM}summary").text == "Özet: Kasım Bülteni"
    assert first.find(f"{ATOM}updated").text.startswith("2026-11-22T09:03:00")


def test_empty_feed_is_valid(web: httpx.Client, public_lists) -> None:
    feed = ET.fromstring(web.get("/archive/feed.atom").content)
    assert feed.findall(f"{ATOM}entry") == []
