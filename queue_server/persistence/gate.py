"""A first-come, first-served gate limiting how many threads run a section at once.

``threading.Lock`` and ``Semaphore`` let a newly arriving thread overtake threads that
are already waiting; under a steady load some waiters then starve for minutes (seen in
the R1 benchmark). This gate hands a freed permit straight to the longest waiter.
"""

from __future__ import annotations

import threading
from collections import deque
from types import TracebackType


class FairGate:
    def __init__(self, permits: int) -> None:
        if permits < 1:
            raise ValueError("a gate needs at least one permit")
        self._free = permits
        self._mutex = threading.Lock()
        self._waiters: deque[threading.Event] = deque()

    @property
    def waiting(self) -> int:
        """How many threads wait for a permit now."""
        with self._mutex:
            return len(self._waiters)

    def __enter__(self) -> FairGate:
        with self._mutex:
            if self._free > 0 and not self._waiters:
                self._free -= 1
                return self
            turn = threading.Event()
            self._waiters.append(turn)
        turn.wait()  # the permit is handed over by __exit__
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        with self._mutex:
            if self._waiters:
                self._waiters.popleft().set()
            else:
                self._free += 1
