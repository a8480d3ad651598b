"""Proofs as a service: the issue as it looks now, marked [TEST], each address checked first."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

import pytest
from sqlmodel import Session, select

from newsletter.core.clock import utcnow
from newsletter.core.config import Config
from newsletter.core.errors import UserError
from newsletter.core.models import Delivery
from newsletter.delivery import proofs
from newsletter.delivery.outbox_transport import OutboxTransport
from newsletter.delivery.send_settings import message_settings
from newsletter.delivery.transport import Outcome
from tests.plugins.delivery import make_issue


class Refusing(OutboxTransport):
    """The outbox, refusing one address as a server would."""

    def send(self, envelope_from: str, recipient: str, message_bytes: bytes) -> Outcome:
        if recipient == "red@example.org":
            return Outcome("permanent", 550, "5.1.1 no such user")
        return super().send(envelope_from, recipient, message_bytes)


def test_proofs_go_in_order_and_stop_at_the_first_refusal(
    session: Session, config: Config, tmp_path: Path
) -> None:
    issue = make_issue(session)
    composer = proofs.proof_composer(session, config, message_settings(config), issue.id, "en")
    outbox = Refusing(tmp_path / "proofs")
    addresses = ["Editor@Example.org", "red@example.org", "late@example.org"]
    results = proofs.send_proofs(composer, outbox, addresses, utcnow())
    assert [(r.address, r.outcome.status) for r in results] == [
        ("editor@example.org", "sent"),
        ("red@example.org", "permanent"),
    ]
    (written,) = (tmp_path / "proofs").glob("*.eml")
    msg = email.message_from_bytes(written.read_bytes(), policy=email.policy.default)
    assert msg["Subject"] == "[TEST] November news" and msg["List-Unsubscribe"] is None
    assert "/unsubscribe/TEST" in msg.get_payload()[0].get_content()
    assert session.exec(select(Delivery)).all() == []


def test_a_bad_address_stops_the_proofs_before_any_goes(
    session: Session, config: Config, tmp_path: Path
) -> None:
    issue = make_issue(session)
    composer = proofs.proof_composer(session, config, message_settings(config), issue.id, None)
    with pytest.raises(UserError, match="invalid email address"):
        proofs.send_proofs(composer, OutboxTransport(tmp_path / "p"), ["a@example.org", "x"],
                           utcnow())  # fmt: skip
    assert list((tmp_path / "p").iterdir()) == []
