"""Language editions checked honestly: a missing translation is an error unless the issue allows
fallback blocks for that edition, and what a translation lost against its source is named."""

from __future__ import annotations

from datetime import date

import pytest

from newsletter.compose import edition_gaps, editions, issue_checks, issues, period
from newsletter.core.errors import StateError, UserError
from newsletter.rendering.view import BlockView
from tests.plugins.compose import NOW

FULL = {"title": "Haziran", "subject": "Haziran haberleri", "preheader": "Haziranda neler oldu"}


@pytest.fixture
def issue(session, config, make_block):
    """An English issue of two stories: one translated into Turkish (without its photo and one
    of its links), one not translated at all."""
    issue = issues.create(session, config, title="June", now=NOW, subject="June news",
                          preheader="What happened in June")  # fmt: skip
    make_block(
        title="Tailoring course ends", area="economic-recovery", translation_group="tailoring",
        summary="Forty women graduated. [Photos](https://example.org/photos) and "
        "[the report](https://example.org/report.pdf).",
        image_url="https://images.example.org/tailoring.png", image_alt="Trainees",
        link_url="https://example.org/tailoring", link_label="Read more",
        places=["Gaziantep"],
    )  # fmt: skip
    make_block(
        title="Terzilik kursu bitti", language="tr", area="economic-recovery",
        translation_group="tailoring",
        summary="Kırk kadın mezun oldu. [Fotoğraflar](https://example.org/photos).",
        link_url="https://example.org/tr/terzilik",
    )  # fmt: skip
    make_block(title="Clinic opens", area="migration-health", event_date=date(2021, 6, 20))
    period.compose(session, config, issue.id, date(2021, 6, 1), date(2021, 6, 30), "e", NOW)
    editions.translate(session, issue.id, "tr", FULL, {1: "Ekonomi", 2: "Sağlık"}, "e", NOW)
    return issue


def _found(session, config, issue) -> dict[str, tuple[str, str]]:
    return {f.id: (f.severity, f.message) for f in issue_checks.check_issue(session, config,
                                                                             issue.id)}  # fmt: skip


def test_an_untranslated_block_is_an_error_by_default(session, config, issue) -> None:
    found = _found(session, config, issue)
    severity, message = found["block-untranslated"]
    assert severity == "error"
    assert message == (
        '[tr] block 3 "Clinic opens" is in en: no ready tr translation to show; add one, or let '
        "this edition show blocks untranslated (issues translate ISSUE tr --allow-fallback)"
    )
    issues.submit(session, issue.id, "e", NOW)
    with pytest.raises(StateError, match='cannot be approved: 1 check error.*block 3 "Clinic'):
        issues.approve(session, config, issue.id, "e", NOW)


def test_allowing_fallback_makes_it_a_warning(session, config, issue) -> None:
    editions.translate(session, issue.id, "tr", {"allow_fallback": True}, {}, "e", NOW)
    assert issue.translations["tr"]["allow_fallback"] is True
    severity, message = _found(session, config, issue)["block-untranslated"]
    assert severity == "warning"
    assert message == '[tr] block 3 "Clinic opens" is in en: no ready tr translation to show'
    issues.submit(session, issue.id, "e", NOW)
    assert issues.approve(session, config, issue.id, "e", NOW).status == "approved"


def test_missing_edition_texts_follow_the_same_rule(session, config, issue) -> None:
    editions.translate(session, issue.id, "tr", {"preheader": ""}, {}, "e", NOW)
    assert _found(session, config, issue)["translation-incomplete"] == ("error", (
        "[tr] the edition has no preheader: the en text is shown; translate it, or let this "
        "edition show it (issues translate ISSUE tr --allow-fallback)"
    ))  # fmt: skip
    editions.translate(session, issue.id, "tr", {"allow_fallback": True}, {}, "e", NOW)
    assert _found(session, config, issue)["translation-incomplete"] == (
        "warning", "[tr] the edition has no preheader: the en text is shown"
    )  # fmt: skip


def test_what_a_translation_lost_is_a_warning(session, config, issue) -> None:
    assert _found(session, config, issue)["translation-lost"] == ("warning", (
        '[tr] block 1 "Tailoring course ends": its tr translation (block 2) has no image, '
        "link label, places, link https://example.org/report.pdf"
    ))  # fmt: skip


def test_allow_fallback_must_be_true_or_false(session, issue) -> None:
    with pytest.raises(UserError, match="allow_fallback: expected true or false, got 'yes'"):
        editions.translate(session, issue.id, "tr", {"allow_fallback": "yes"}, {}, "e", NOW)


def test_the_editions_report(session, issue) -> None:
    [tr] = edition_gaps.report(session, issue.id)["editions"]
    assert (tr["language"], tr["allow_fallback"], tr["missing_texts"]) == ("tr", False, [])
    assert (tr["translated"], tr["untranslated"]) == (1, 1)
    assert tr["blocks"] == [
        {"section": 1, "block_id": 1, "title": "Tailoring course ends", "translated": True,
         "shown_block_id": 2, "shown_title": "Terzilik kursu bitti", "shown_status": "ready",
         "lost": ["image", "link label", "places", "link https://example.org/report.pdf"]},
        {"section": 2, "block_id": 3, "title": "Clinic opens", "translated": False,
         "shown_block_id": 3, "shown_title": "Clinic opens", "shown_status": "ready",
         "lost": []},
    ]  # fmt: skip


def _view(**fields) -> BlockView:
    return BlockView(**{"block_id": 1, "kind": "story", "title": "T", "text": "", **fields})


@pytest.mark.parametrize(
    ("source", "shown", "lost"),
    [
        ({"image_url": "https://i.example/a.png", "image_alt": "A", "image_credit": "C"}, {},
         ["image"]),  # the alt text and credit went with it: not named again
        ({"image_url": "https://i.example/a.png", "image_alt": "A"},
         {"image_url": "https://i.example/a.png"}, ["image alt text"]),
        ({"link_url": "https://e.example/x"}, {"link_url": "https://e.example/tr/x"}, []),
        ({"event_date": date(2021, 6, 1), "event_date_end": date(2021, 6, 2)},
         {"event_date": date(2021, 6, 1)}, ["end date"]),
        ({"text": "![map](https://i.example/map.png) <https://e.example/a>."},
         {"text": "Harita."}, ["image https://i.example/map.png", "link https://e.example/a"]),
        ({"text": 'See <a href="https://e.example/b">this</a>, mailto:info@e.example.'},
         {"text": "mailto:info@e.example"}, ["link https://e.example/b"]),
    ],
)  # fmt: skip
def test_what_counts_as_lost(source: dict, shown: dict, lost: list[str]) -> None:
    assert edition_gaps.lost(_view(**source), _view(**shown)) == lost
