"""Fair service of device messages: per-device queues taken round-robin, and a rate limit.

One kiosk flooding the server must not delay the others. :class:`FairQueue` keeps one
bounded FIFO per device and hands the workers one message per device in turn, so a new
request waits behind at most one message of every other busy device, never behind a whole
backlog. A device is handled by one worker at a time, so its messages keep their order
(e.g. ``online`` before ``offline``). :class:`RateLimiter` is a token bucket per device:
requests beyond its rate are answered at once, without reaching the database.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

Item = TypeVar("Item")
Monotonic = Callable[[], float]


class FairQueue(Generic[Item]):
    """Per-device FIFO queues served round-robin; thread-safe.

    ``put`` refuses (returns False) when the device already has ``backlog`` messages
    waiting. ``take`` blocks for the next message; the worker calls ``done`` when it has
    handled it, which puts the device back in the rotation if more are waiting.
    """

    def __init__(self, backlog: int) -> None:
        self._backlog = max(1, backlog)
        self._waiting: dict[str, deque[Item]] = {}
        self._turns: deque[str] = deque()  # devices with messages and no worker on them
        self._in_hand: set[str] = set()
        self._changed = threading.Condition()
        self._closed = False

    def put(self, device: str, item: Item) -> bool:
        """Queue ``item`` for ``device``; False when that device's backlog is full."""
        with self._changed:
            waiting = self._waiting.setdefault(device, deque())
            if len(waiting) >= self._backlog:
                return False
            waiting.append(item)
            if len(waiting) == 1 and device not in self._in_hand:
                self._turns.append(device)
                self._changed.notify()
            return True

    def take(self) -> tuple[str, Item] | None:
        """The next device's oldest message; None once closed and nothing is left to take."""
        with self._changed:
            while not self._turns and not self._closed:
                self._changed.wait()
            if not self._turns:
                return None
            device = self._turns.popleft()
            item = self._waiting[device].popleft()
            self._in_hand.add(device)
            return device, item

    def done(self, device: str) -> None:
        """The worker finished ``device``'s message: its next one goes to the end of the line."""
        with self._changed:
            self._in_hand.discard(device)
            if self._waiting.get(device):
                self._turns.append(device)
                self._changed.notify()
            else:
                self._waiting.pop(device, None)

    def waiting(self, device: str) -> int:
        """How many of ``device``'s messages wait (not counting one being handled)."""
        with self._changed:
            return len(self._waiting.get(device, ()))

    def close(self) -> None:
        """Let the workers finish what is queued, then make ``take`` return None."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()


@dataclass(frozen=True)
class RateLimit:
    """``per_s`` requests a second on average, at most ``burst`` at once."""

    per_s: float = 10.0
    burst: int = 30


class RateLimiter:
    """A token bucket per device; thread-safe."""

    def __init__(self, limit: RateLimit, *, clock: Monotonic = time.monotonic) -> None:
        self._limit, self._clock = limit, clock
        self._buckets: dict[str, tuple[float, float]] = {}  # device -> (tokens, at)
        self._lock = threading.Lock()

    def allow(self, device: str) -> bool:
        """Take one token of ``device``'s bucket; False when it is empty."""
        now = self._clock()
        with self._lock:
            tokens, at = self._buckets.get(device, (float(self._limit.burst), now))
            tokens = min(float(self._limit.burst), tokens + (now - at) * self._limit.per_s)
            allowed = tokens >= 1.0
            self._buckets[device] = (tokens - 1.0 if allowed else tokens, now)
            return allowed
