"""Sending rate limits shared by the sender threads: messages per second and per hour."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


class RateLimiter:
    """``reserve()`` books the next slot and says how long to wait for it (0 = go now).

    Per second: slots are spaced 1/rate apart. Per hour: at most ``per_hour`` slots in any
    3,600 seconds. Zero means no limit.
    """

    def __init__(
        self, per_second: float, per_hour: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.spacing = 1.0 / per_second if per_second > 0 else 0.0
        self.per_hour = per_hour
        self.clock = clock
        self._next = 0.0
        self._hour: deque[float] = deque()
        self._lock = threading.Lock()

    def seed(self, seconds_ago: list[float]) -> None:
        """Count messages already sent (by earlier runs) in the hour's window."""
        now = self.clock()
        with self._lock:
            for ago in sorted(seconds_ago, reverse=True)[-self.per_hour or None :]:
                if ago < 3600:
                    self._hour.append(now - ago)

    def reserve(self) -> float:
        if not self.spacing and not self.per_hour:
            return 0.0
        with self._lock:
            now = self.clock()
            slot = max(now, self._next)
            if self.per_hour:
                while self._hour and self._hour[0] <= slot - 3600:
                    self._hour.popleft()
                if len(self._hour) >= self.per_hour:
                    slot = max(slot, self._hour[0] + 3600)
                    self._hour.popleft()
                self._hour.append(slot)
            self._next = slot + self.spacing
            return slot - now
