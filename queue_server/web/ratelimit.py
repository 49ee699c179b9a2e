"""In-memory sliding-window rate limits (one process; each office runs one server)."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable

Monotonic = Callable[[], float]


class SlidingWindowLimiter:
    """At most ``limit`` hits per key within any ``window_s``.

    Memory is bounded: each key keeps at most ``limit`` timestamps, and at most
    ``max_keys`` keys are kept (idle keys are dropped first, then the least recently used).
    """

    def __init__(
        self,
        *,
        limit: int,
        window_s: float,
        max_keys: int = 10_000,
        clock: Monotonic = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window_s = window_s
        self._max_keys = max_keys
        self._clock = clock
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def retry_after(self, key: str) -> float | None:
        """Seconds until ``key`` may try again, or None if it may now (records nothing)."""
        now = self._clock()
        with self._lock:
            hits = self._hits.get(key)
            if hits is None:
                return None
            self._expire(hits, now)
            if len(hits) < self.limit:
                return None
            return self.window_s - (now - hits[0])

    def record(self, key: str) -> None:
        """Count one hit for ``key``."""
        now = self._clock()
        with self._lock:
            hits = self._hits.pop(key, None) or deque(maxlen=self.limit)
            self._expire(hits, now)
            hits.append(now)
            self._hits[key] = hits  # most recently used last
            if len(self._hits) > self._max_keys:
                self._shrink(now)

    def hit(self, key: str) -> float | None:
        """Check and count in one go: None if allowed (and counted), else the retry delay."""
        wait_s = self.retry_after(key)
        if wait_s is None:
            self.record(key)
        return wait_s

    def __len__(self) -> int:
        return len(self._hits)

    def _expire(self, hits: deque[float], now: float) -> None:
        while hits and now - hits[0] >= self.window_s:
            hits.popleft()

    def _shrink(self, now: float) -> None:
        idle = [key for key, hits in self._hits.items() if now - hits[-1] >= self.window_s]
        for key in idle:
            del self._hits[key]
        # Shrink below the cap so the scan above runs once per many inserts, not each one.
        while len(self._hits) > self._max_keys * 9 // 10:
            self._hits.popitem(last=False)
