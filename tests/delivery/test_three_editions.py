"""One issue in Turkish, English and Arabic, rendered for real and sent to a real SMTP server:
every reader gets their own edition, a list's fallback language is honoured, "view online" opens
the same edition, and the report counts each edition apart."""

from __future__ import annotations

import email
import email.policy
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from newsletter.audience import lists, subscriptions
from newsletter.compose import editions, issues, period
from newsletter.core import db
from newsletter.core.config import load_config
from newsletter.core.models import Block
from newsletter.delivery import ledger
from newsletter.delivery.sender import run_send
from tests.conftest import SECRET, write_config
from tests.plugins.delivery import add_people

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

STORY = {
    "tr": ("Hatay’da yeni toplum merkezi açıldı", "Merkez her gün **120 kişiye** hizmet veriyor."),
    "en": ("New community centre opens in Hatay", "The centre serves **120 people** a day."),
    "ar": ("افتتاح مركز مجتمعي جديد في هاتاي", "يخدم المركز **120 شخصاً** كل يوم."),
}


def _world(tmp_path: Path, server) -> tuple:
    path = write_config(tmp_path, server.toml())
    path.write_text(path.read_text().replace("[sending]\n", '[sending]\ntransport = "smtp"\n'))
    config = load_config(path)
    engine = db.make_engine(config)
    db.upgrade(engine)
    with db.session_scope(engine) as s:
        for language, (title, body) in STORY.items():
            s.add(Block(title=title, body=body, status="ready", language=language,
                        area="social-cohesion", translation_group="hatay",
                        event_date=date(2026, 11, 12), created_at=NOW, updated_at=NOW))  # fmt: skip
        s.flush()
        issue = issues.create(
            s, config, title="Kasım bülteni", now=NOW, subject="Kasım: Hatay'dan haberler",
            preheader="Yeni bir toplum merkezi", language="tr",
        )  # fmt: skip
        period.compose(s, config, issue.id, date(2026, 11, 1), date(2026, 11, 30), "e", NOW)
        editions.translate(s, issue.id, "en", {"title": "November update",
                           "subject": "November: news from Hatay", "preheader": "A new centre"},
                           {1: "Social cohesion"}, "e", NOW)  # fmt: skip
        editions.translate(s, issue.id, "ar", {"title": "نشرة نوفمبر",
                           "subject": "نوفمبر: أخبار من هاتاي", "preheader": "مركز جديد"},
                           {1: "التماسك الاجتماعي"}, "e", NOW)  # fmt: skip
        issues.submit(s, issue.id, "e", NOW)
        issues.approve(s, config, issue.id, "approver", NOW)
        partners = lists.create(s, "partners", "Partners", NOW, opt_in="single")
        lists.edit(s, "partners", fallback_language="en")
        community = lists.create(s, "community", "Topluluk", NOW, opt_in="single")
        add_people(s, community.id, [("ayse@example.org", "Ayşe")], language="tr")
        add_people(s, community.id, [("layla@example.org", "ليلى")], language="ar")
        add_people(s, partners.id, [("anna@example.org", "Anna")], language="en")
        add_people(s, partners.id, [("marie@example.org", "Marie")], language="fr")
        send = ledger.start_send(s, issue.id, ["community", "partners"], NOW, config)
        issue_id, send_id = issue.id, send.id
    return config, engine, issue_id, send_id


def test_every_reader_gets_their_edition_and_the_report_counts_each(
    tmp_path: Path, smtp_factory
) -> None:
    server = smtp_factory()
    config, engine, issue_id, send_id = _world(tmp_path, server)
    assert run_send(engine, config, send_id, lambda: NOW).status == "done"
    got = {
        m.rcpt_tos[0]: email.message_from_bytes(m.data, policy=email.policy.default)
        for m in server.messages
    }
    assert sorted(got) == ["anna@example.org", "ayse@example.org", "layla@example.org",
                           "marie@example.org"]  # fmt: skip
    expected = {
        "ayse@example.org": ("tr", "Kasım: Hatay'dan haberler", "ltr"),
        "anna@example.org": ("en", "November: news from Hatay", "ltr"),
        "layla@example.org": ("ar", "نوفمبر: أخبار من هاتاي", "rtl"),
        "marie@example.org": ("en", "November: news from Hatay", "ltr"),  # the list's fallback
    }
    for to, (language, subject, direction) in expected.items():
        msg = got[to]
        assert msg["Subject"] == subject
        text, html = (p.get_content() for p in msg.get_payload())
        root = re.search(r"<html[^>]*>", html).group(0)
        assert f'lang="{language}"' in root and f'dir="{direction}"' in root
        assert STORY[language][0] in html and STORY[language][0] in text
        views = re.findall(rf"https://news\.example\.org/archive/{issue_id}\S*", text)
        assert views, "no view-online link"
        wanted = "" if language == "tr" else f"lang={language}"
        assert all((wanted in v) if wanted else ("lang=" not in v) for v in views)

    with db.session_scope(engine) as s:
        layla = subscriptions.find(s, "layla@example.org")
        subscriptions.unsubscribe(s, SECRET, layla.id, None, "web", NOW + timedelta(hours=1))
        report = ledger.report(s, issue_id)
    by_edition = report["editions"]
    assert {lang: c["sent"] for lang, c in by_edition.items()} == {"ar": 1, "en": 2, "tr": 1}
    assert {lang: c["unsubscribed"] for lang, c in by_edition.items()} == {
        "ar": 1, "en": 0, "tr": 0,
    }  # fmt: skip
