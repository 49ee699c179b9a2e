"""Announce each call once: remember the ids of the calls already seen.

The server delivers ``event/called`` at least once: after a crash or a lost
acknowledgement the same call can arrive again, with the same ``id``. A display or
announcer keeps the last ids it handled and drops a repeat::

    seen = SeenCalls()
    if seen.first_time(payload["id"]):
        announce(payload)
"""

from __future__ import annotations

import threading
from collections import OrderedDict

#: Ids remembered by default: far more calls than a lobby hears between two restarts of
#: the server, so a redelivery is always recognised.
DEFAULT_CAPACITY = 4096


class SeenCalls:
    """A bounded memory of call ids: the least recently seen is forgotten first."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self._capacity = capacity
        self._ids: OrderedDict[int, None] = OrderedDict()
        self._lock = threading.Lock()

    def first_time(self, call_id: int) -> bool:
        """True the first time ``call_id`` is seen (remember it); False for a repeat."""
        with self._lock:
            if call_id in self._ids:
                self._ids.move_to_end(call_id)
                return False
            self._ids[call_id] = None
            if len(self._ids) > self._capacity:
                self._ids.popitem(last=False)
            return True

    def __contains__(self, call_id: object) -> bool:
        return call_id in self._ids

    def __len__(self) -> int:
        return len(self._ids)
