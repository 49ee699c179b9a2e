"""Warnings about what devices send, at most one a minute per device and kind of fault.

A device can send thousands of bad messages a second; the log keeps one line a minute
for it, with the count of the ones left out, so the log stays readable under a flood.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

WARN_EVERY_S = 60.0


class ThrottledWarnings:
    """``warn(key, message, *args)`` logs at once, then once per ``every_s`` per ``key``."""

    def __init__(
        self,
        log: logging.Logger,
        every_s: float = WARN_EVERY_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._log, self._every_s, self._clock = log, every_s, clock
        self._seen: dict[tuple[str, str], tuple[float, int]] = {}  # key -> (warned at, since)
        self._lock = threading.Lock()

    def warn(self, key: tuple[str, str], message: str, *args: object) -> None:
        """Log ``message % args`` unless ``key`` was warned about less than a period ago."""
        now = self._clock()
        with self._lock:
            warned_at, since = self._seen.get(key, (now - self._every_s, 0))
            if now - warned_at < self._every_s:
                self._seen[key] = (warned_at, since + 1)
                return
            if len(self._seen) > 10_000:  # ids come from topics: keep the table bounded
                self._seen.clear()
            self._seen[key] = (now, 0)
        self._log.warning(message + " (%d more since the previous warning)", *args, since)
