"""When to try a delivery again: exponential backoff with jitter, within attempt and age limits.

Pure: the outcome, the attempt count and the times are passed in.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from newsletter.delivery.transport import Outcome

if TYPE_CHECKING:
    from newsletter.core.config import SendingConfig


def backoff(attempts: int, base: float, rand: random.Random | None = None) -> timedelta:
    """Exponential backoff with jitter: base·2^(attempts-1), scaled by 0.5-1.5."""
    factor = (rand or random).uniform(0.5, 1.5)
    return timedelta(seconds=base * 2 ** max(0, attempts - 1) * factor)


@dataclass(frozen=True)
class Step:
    status: str
    next_attempt_at: datetime | None
    text: str


def next_step(
    outcome: Outcome, attempts: int, started: datetime | None, now: datetime, cfg: SendingConfig
) -> Step:
    """Where a row goes after an attempt: sent, failed, retried later, or left 'sending'."""
    text = outcome.text
    if outcome.status == "sent":
        return Step("sent", None, text)
    if outcome.status == "unknown":
        return Step("sending", None, text)
    if outcome.status == "permanent":
        return Step("failed", None, text)
    too_old = started is not None and now - started > timedelta(hours=cfg.retry_max_age_hours)
    if attempts >= cfg.max_attempts or too_old:
        why = f"{attempts} attempts" if not too_old else f"{cfg.retry_max_age_hours} hours"
        return Step("failed", None, f"gave up after {why}: {outcome.describe()}")
    return Step("queued", now + backoff(attempts, cfg.retry_base_seconds), text)
