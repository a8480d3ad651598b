"""Test sends (proofs): the issue as it would go out now, marked [TEST], outside the ledger.

The snapshot comes from ``compose.preview.current_snapshot``, the same builder previews use, so
what an officer previews is what a proof shows and what the ledger will send. A proof has no
personal links (its unsubscribe and preferences links point at TEST) and no List-Unsubscribe
header, so forwarding it can unsubscribe nobody.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from newsletter.audience.addresses import normalise
from newsletter.compose.preview import current_snapshot
from newsletter.core.config import Config
from newsletter.delivery.composer import Composer, Recipient
from newsletter.delivery.send_settings import MessageSettings
from newsletter.delivery.transport import Outcome, Transport


@dataclass(frozen=True)
class ProofResult:
    address: str  # normalised
    outcome: Outcome


def proof_composer(
    session: Session,
    config: Config,
    settings: MessageSettings,
    issue_id: int,
    language: str | None,
) -> Composer:
    """A composer of proofs for the issue as it looks now, in ``language`` (None: its own).
    The config renders the issue when it has no frozen snapshot yet."""
    snapshot = current_snapshot(session, config, issue_id, language)
    return Composer(settings, issue_id, [snapshot], snapshot.language, test=True)


def send_proofs(
    composer: Composer, transport: Transport, addresses: list[str], now: datetime
) -> list[ProofResult]:
    """Send one proof to each address, in order, stopping at the first that is not sent (the
    rest would most likely fail the same way). Addresses are checked before anything goes."""
    people = [normalise(a) for a in addresses]
    results = []
    for person in people:
        r = Recipient(0, None, None, person.normalised, person.envelope, "", composer.default)
        message = composer.compose(r, now)
        outcome = transport.send(message.envelope_from, message.recipient, message.data)
        results.append(ProofResult(person.normalised, outcome))
        if not outcome.ok:
            break
    return results
