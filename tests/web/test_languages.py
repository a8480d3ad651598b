"""Pages in the reader's language: Arabic right to left, the order the language is chosen in
(?lang=, the subscriber's, the browser's, the list's), the switcher, and list names in the
page's language."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlmodel import select

from newsletter.audience import lists, subscriptions, tokens
from newsletter.core.db import session_scope
from newsletter.core.models import ConsentRecord, Subscription
from tests.conftest import SECRET
from tests.plugins.web import START, csrf_from, html_tag, text_of

ARABIC = {"Accept-Language": "ar-EG,ar;q=0.9"}
RTL = '<html lang="ar" dir="rtl">'


@pytest.fixture
def translated(engine, public_lists) -> dict[str, int]:
    """The monthly list has an Arabic and an English name; the events list an Arabic one."""
    with session_scope(engine) as session:
        lists.translate(
            session,
            "aylik-bulten",
            "ar",
            name="النشرة الشهرية",
            description="أخبار من غازي عنتاب وشانلي أورفا، مرة في الشهر.",
        )
        lists.translate(
            session,
            "aylik-bulten",
            "en",
            name="Monthly bulletin",
            description="News from Gaziantep and Şanlıurfa, once a month.",
        )
        lists.translate(session, "etkinlikler", "ar", name="الفعاليات")
    return public_lists  # fmt: skip


@pytest.fixture
def leyla(engine, translated) -> int:
    """Leyla reads Arabic and receives the monthly list."""
    with session_scope(engine) as session:
        result = subscriptions.subscribe(
            session, SECRET, "leyla@example.org", "ليلى حداد", "ar", ["aylik-bulten"], "test",
            None, None, "consent", "v1", START,
        )  # fmt: skip
        for sub in session.exec(select(Subscription)):
            sub.status = "confirmed"
    return result.subscriber_id or 0


def _heading(html: str) -> str:
    found = re.search(r"<h1>(.*?)</h1>", html, flags=re.S)
    assert found, "the page has no heading"
    return text_of(found.group(1))


def _preferences(person: int) -> str:
    return f"/preferences/{tokens.make(SECRET, 'preferences', person, now=START)}"


def _unsubscribe(person: int, list_id: int) -> str:
    return f"/unsubscribe/{tokens.make(SECRET, 'unsubscribe', person, list_id, now=START)}"


def test_arabic_browser_gets_the_arabic_subscribe_page(web: httpx.Client, translated) -> None:
    page = web.get("/subscribe", headers=ARABIC)
    assert html_tag(page.text) == RTL
    assert page.headers["content-language"] == "ar"
    text = text_of(page.text)
    assert "عنوان البريد الإلكتروني" in text and "لغة النشرة" in text and "أوافق" in text
    assert "Email address" not in text
    assert "التركية" in text and "الإنجليزية" in text  # edition languages named in Arabic
    # The lists by their Arabic names and descriptions.
    assert "النشرة الشهرية" in text and "أخبار من غازي عنتاب" in text and "الفعاليات" in text
    assert "Aylık Bülten" not in text


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/subscribe/aylik-bulten", "الاشتراك في النشرة الشهرية"),
        ("/archive", "أرشيف نشرات Örnek Kuruluş"),
        ("/confirm/not-a-token", "تعذّر تأكيد اشتراكك"),
        ("/unsubscribe/not-a-token", "الرابط غير صالح"),
        ("/no-such-page", "الصفحة غير موجودة"),
    ],
)
def test_every_public_page_speaks_arabic(
    web: httpx.Client, translated, path: str, heading: str
) -> None:
    page = web.get(path, headers=ARABIC)
    assert html_tag(page.text) == RTL
    assert _heading(page.text) == heading
    assert "رابط" in text_of(page.text) or "النشرات" in text_of(page.text)


def test_query_parameter_beats_the_browser(web: httpx.Client, translated) -> None:
    english = web.get("/subscribe?lang=en", headers=ARABIC)
    assert html_tag(english.text) == '<html lang="en" dir="ltr">'
    assert "Email address" in text_of(english.text)
    assert "Monthly bulletin" in text_of(english.text)  # the list's English name
    arabic = web.get("/subscribe?lang=ar", headers={"Accept-Language": "tr"})
    assert html_tag(arabic.text) == RTL


def test_personal_pages_follow_the_subscribers_language(
    web: httpx.Client, leyla, translated
) -> None:
    english_browser = {"Accept-Language": "en-GB,en;q=0.9"}
    page = web.get(_preferences(leyla), headers=english_browser)
    assert html_tag(page.text) == RTL
    text = text_of(page.text)
    assert "تفضيلات النشرات الخاصة بك" in text and "هذه هي إعدادات leyla@example.org." in text
    assert "النشرة الشهرية" in text and "الفعاليات" in text
    # The address keeps its own direction inside the Arabic sentence.
    assert "\u2068leyla@example.org\u2069" in page.text
    page = web.get(_unsubscribe(leyla, translated["aylik-bulten"]), headers=english_browser)
    assert html_tag(page.text) == RTL
    assert "لإيقاف إرسال نشرة «النشرة الشهرية» إلى leyla@example.org" in text_of(page.text)
    # ?lang= still wins, and the Turkish page names the list in Turkish (its own name).
    page = web.get(_unsubscribe(leyla, translated["aylik-bulten"]) + "?lang=tr")
    assert html_tag(page.text) == '<html lang="tr" dir="ltr">'
    assert "“Aylık Bülten”" in text_of(page.text)


def test_one_click_answer_is_in_the_subscribers_language(
    web: httpx.Client, leyla, translated
) -> None:
    response = web.post(
        _unsubscribe(leyla, translated["aylik-bulten"]), data={"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200
    assert html_tag(response.text) == RTL
    assert "لن تُرسَل نشرة «النشرة الشهرية» إلى leyla@example.org" in text_of(response.text)


def test_the_lists_default_language_comes_after_the_browser(
    web: httpx.Client, public_lists
) -> None:
    # "etkinlikler" is a Turkish list: its page is Turkish for a browser that states nothing…
    assert html_tag(web.get("/subscribe/etkinlikler").text) == '<html lang="tr" dir="ltr">'
    # …but the browser's language, where the pages speak it, comes first.
    english = web.get("/subscribe/etkinlikler", headers={"Accept-Language": "en"})
    assert html_tag(english.text) == '<html lang="en" dir="ltr">'
    german = web.get("/subscribe/etkinlikler", headers={"Accept-Language": "de"})
    assert html_tag(german.text) == '<html lang="tr" dir="ltr">'
    # The monthly list's default is English; so is the page of all lists, whose lists differ.
    assert html_tag(web.get("/subscribe/aylik-bulten").text) == '<html lang="en" dir="ltr">'
    assert html_tag(web.get("/subscribe").text) == '<html lang="en" dir="ltr">'


def test_switcher_links_to_this_page_in_every_language(web: httpx.Client, translated) -> None:
    page = web.get("/subscribe/aylik-bulten?lang=ar").text
    assert 'href="/subscribe/aylik-bulten?lang=en" hreflang="en" lang="en">English</a>' in page
    assert 'href="/subscribe/aylik-bulten?lang=tr" hreflang="tr" lang="tr">Türkçe</a>' in page
    # The current language is marked, not linked.
    assert '<span aria-current="true" lang="ar" dir="rtl">العربية</span>' in page
    assert "?lang=ar" not in page.split("<main")[0]
    turkish = web.get("/subscribe?lang=tr").text
    assert 'href="/subscribe?lang=ar" hreflang="ar" lang="ar" dir="rtl">العربية</a>' in turkish
    # The footer's links keep the language too.
    assert 'href="/archive?lang=ar"' in page and 'href="/subscribe?lang=ar"' in page


def test_switcher_on_a_personal_page_keeps_the_link(web: httpx.Client, leyla) -> None:
    url = _preferences(leyla)
    page = web.get(url).text
    assert f'href="{url}?lang=en" hreflang="en"' in page
    assert f'href="{url}?lang=tr" hreflang="tr"' in page
    english = web.get(f"{url}?lang=en")
    assert html_tag(english.text) == '<html lang="en" dir="ltr">'
    assert "Monthly bulletin" in text_of(english.text)


def test_subscribing_in_arabic(web: httpx.Client, engine, translated, config) -> None:
    page = web.get("/subscribe?lang=ar")
    arabic_consent = config.web.consent_text_for("ar")
    assert arabic_consent != config.web.consent_text
    assert arabic_consent in text_of(page.text)
    fields = {"csrf_token": csrf_from(page.text), "email": "samir@example.org", "name": "سمير",
              "language": "ar", "lists": "aylik-bulten", "consent": "yes"}  # fmt: skip
    thanks = web.post("/subscribe?lang=ar", data=fields)
    assert thanks.status_code == 200
    assert html_tag(thanks.text) == RTL
    text = text_of(thanks.text)
    assert "يُرجى التحقق من صندوق الوارد في samir@example.org." in text
    assert "يُرجى فتحه خلال 7 أيام للتأكيد." in text  # seven: the plural form of 3 to 10
    with session_scope(engine) as session:
        person = subscriptions.find(session, "samir@example.org")
        assert person is not None and person.language == "ar"
        (record,) = session.exec(select(ConsentRecord)).all()
        assert record.consent_text == arabic_consent  # what he read, word for word
        mlist = lists.get(session, "aylik-bulten")
        token = tokens.make(SECRET, "confirm", person.id or 0, mlist.id, now=START)
    confirmed = web.get(f"/confirm/{token}", headers={"Accept-Language": "en"})
    assert html_tag(confirmed.text) == RTL  # his language now, not the browser's
    text = text_of(confirmed.text)
    assert "تم تأكيد اشتراكك" in text
    assert "شكراً: ستصل نشرة «النشرة الشهرية» إلى samir@example.org" in text
    assert 'href="/archive?lang=ar"' in confirmed.text


def test_form_errors_in_arabic_count_in_arabic(web: httpx.Client, translated) -> None:
    page = web.get("/subscribe?lang=ar")
    fields = {"csrf_token": csrf_from(page.text), "email": "yanlış", "name": "س" * 201,
              "language": "ar"}  # fmt: skip
    response = web.post("/subscribe?lang=ar", data=fields)
    assert response.status_code == 422
    text = text_of(response.text)
    assert "يُرجى مراجعة النموذج" in text
    assert "يُرجى إدخال عنوان بريد إلكتروني صالح، مثل name@example.org." in text
    assert "يُرجى ألّا يتجاوز الاسم 200 حرف." in text  # 200: the form of hundreds
    assert "يُرجى اختيار نشرة واحدة على الأقل." in text
