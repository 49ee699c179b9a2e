"""Recently verified bearer tokens, so a busy console is not looked up on every request.

An officer console or kiosk sends the same token with every request; looking it up
costs a database round trip and a third of an officer call's CPU. A verified token is
trusted for ``ttl_s`` seconds. Revoking a token (or deactivating its creator) in this
process calls :meth:`TokenCache.clear` before the revocation returns, so the token stops
working here at once; another process (a second server on the same database, or a
revocation from the command line) keeps accepting it for at most ``ttl_s`` seconds.
Unknown tokens are never cached.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable

from queue_server.services.unit import Actor
from queue_server.web.ratelimit import Monotonic

#: How long a verified token is trusted before it is looked up again.
TOKEN_TTL_S = 2.0
MAX_CACHED_TOKENS = 1_000


class TokenCache:
    def __init__(
        self,
        *,
        ttl_s: float = TOKEN_TTL_S,
        max_entries: int = MAX_CACHED_TOKENS,
        clock: Monotonic = time.monotonic,
    ) -> None:
        self._ttl_s = ttl_s
        self._max_entries = max_entries
        self._clock = clock
        self._lock = threading.Lock()
        self._verified: dict[str, tuple[float, Actor]] = {}
        #: Bumped by :meth:`clear`; a look-up that started before a clear is not cached.
        self._generation = 0

    def actor(self, token: str, lookup: Callable[[str], Actor | None]) -> Actor | None:
        """The token's actor from the cache while fresh, else from ``lookup`` (then cached)."""
        # Keyed by a digest: the process does not keep plain tokens around.
        key = hashlib.sha256(token.encode()).hexdigest()
        now = self._clock()
        with self._lock:
            cached = self._verified.get(key)
            generation = self._generation
        if cached is not None and now - cached[0] < self._ttl_s:
            return cached[1]
        found = lookup(token)
        with self._lock:
            if found is None:
                self._verified.pop(key, None)
                return None
            if generation != self._generation:
                return found  # a revocation ran meanwhile: do not trust this answer later
            if len(self._verified) >= self._max_entries:
                self._verified.clear()  # rare: more consoles than entries; start afresh
            self._verified[key] = (now, found)
        return found

    def clear(self) -> None:
        """Forget every verified token (after a revocation): the next use looks it up."""
        with self._lock:
            self._verified.clear()
            self._generation += 1
