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

    def forget(self, key: str) -> None:
        """Drop ``key``'s hits (it starts afresh)."""
        with self._lock:
            self._hits.pop(key, None)

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


class LoginLimiter:
    """Failed sign-ins, limited per address and user name and per address across names.

    The first limit stops guessing one account's password; the second stops one address
    from trying a few passwords on every user name. Only failures count, so an officer's
    own successful sign-ins never lock anyone out. A name tried from many addresses is
    locked in the database (:mod:`queue_server.services.sign_in_guards`).
    """

    def __init__(
        self,
        *,
        per_user: int,
        per_address: int,
        window_s: float = 60,
        clock: Monotonic = time.monotonic,
    ) -> None:
        self.per_user = SlidingWindowLimiter(limit=per_user, window_s=window_s, clock=clock)
        self.per_address = SlidingWindowLimiter(limit=per_address, window_s=window_s, clock=clock)

    def retry_after(self, address: str, username: str) -> float | None:
        """Seconds until this address may try this name again, or None if it may now."""
        waits = [
            wait
            for wait in (
                self.per_user.retry_after(_user_key(address, username)),
                self.per_address.retry_after(address),
            )
            if wait is not None
        ]
        return max(waits) if waits else None

    def record_failure(self, address: str, username: str) -> None:
        self.per_user.record(_user_key(address, username))
        self.per_address.record(address)


def _user_key(address: str, username: str) -> str:
    return f"{address}|{username}"
