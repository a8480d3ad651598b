"""Our messages as a spam filter sees them: Debian's SpamAssassin, local rules only (no DNS).

A realistic issue (the June blocks in English and in Arabic) is rendered by the real templates
and made into one subscriber's message by the composer, as a send makes it; SpamAssassin then
scores it. The score must stay at 0: each rule it hits is something a template, a header or the
encoding does that spam does too (scripts/test.sh installs ``spamassassin`` so CI runs this).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsletter.core.config import load_config
from newsletter.core.models import IssueSnapshot, MailingList
from newsletter.delivery.composer import Composer, Recipient
from newsletter.delivery.send_settings import message_settings
from newsletter.rendering import email_render
from tests.conftest import write_config
from tests.plugins.compose import arabic_view, june_view

SPAMASSASSIN = shutil.which("spamassassin")
NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
# Informational rules (0 points) every message we make hits outside a real relay.
INFORMATIONAL = {"NO_RECEIVED", "NO_RELAYS", "HTML_MESSAGE"}

pytestmark = pytest.mark.skipif(
    SPAMASSASSIN is None, reason="spamassassin is not installed (scripts/test.sh installs it)"
)


def a_message(tmp_path: Path, language: str) -> bytes:
    config = load_config(write_config(tmp_path))
    view = arabic_view() if language == "ar" else june_view(language)
    rendered = email_render.render_issue(view, config)
    snapshot = IssueSnapshot(
        issue_id=3,
        language=language,
        subject=rendered.subject,
        preheader=rendered.preheader,
        html=rendered.html,
        text=rendered.text,
    )
    monthly = MailingList(id=1, slug="monthly", name="Monthly update")
    composer = Composer(message_settings(config), 3, [snapshot], language, lists=[monthly])
    name = "فاطمة الزهراء" if language == "ar" else "Ayşe Yılmaz"
    person = Recipient(41, 12, 1, "ayse@example.org", "ayse@example.org", name, language)
    return composer.compose(person, NOW).data


def score(tmp_path: Path, data: bytes) -> tuple[float, set[str]]:
    """(score, rules hit) from ``spamassassin --local --test-mode``, with empty user prefs."""
    prefs = tmp_path / "user_prefs"
    prefs.write_text("")
    done = subprocess.run(
        [str(SPAMASSASSIN), "--local", "--test-mode", "--prefspath", str(prefs)],
        input=data,
        capture_output=True,
        check=True,
        timeout=120,
    )
    head = done.stdout.partition(b"\n\n")[0].decode("ascii", "replace")
    status = re.search(r"^X-Spam-Status: (.*(?:\n[ \t].*)*)", head, re.M)
    assert status is not None, done.stdout[:2000]
    value = " ".join(status.group(1).split())
    points = float(re.search(r"score=(-?[\d.]+)", value).group(1))  # type: ignore[union-attr]
    tests = re.search(r"tests=(\S*)", value)
    rules = set(tests.group(1).split(",")) - {"none", ""} if tests else set()
    return points, rules


@pytest.mark.parametrize("language", ["en", "ar"])
def test_an_issue_scores_zero(tmp_path: Path, language: str) -> None:
    points, rules = score(tmp_path, a_message(tmp_path, language))
    assert rules - INFORMATIONAL == set() and points <= 0.0, (points, sorted(rules))


def test_the_filter_does_score_what_spam_does(tmp_path: Path) -> None:
    # The test above could pass with a filter that scores nothing: this one shows it scores.
    data = a_message(tmp_path, "en")
    head, _, body = data.partition(b"\r\n\r\n")
    spammy = re.sub(
        rb"Subject:.*?\r\n(?! )",
        b"Subject: FREE MONEY!!! ACT NOW!!!\r\n",
        head,
        count=1,
        flags=re.S,
    )
    points, rules = score(tmp_path, spammy.replace(b"Date:", b"X-Old-Date:") + b"\r\n\r\n" + body)
    assert points > 0.5, (points, sorted(rules))
