"""A chore repeated on one daemon thread until stopped: the server's background loops."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Self


class Periodic:
    """Call ``work`` every ``interval_s`` on a daemon thread named ``name`` until :meth:`stop`.

    ``work`` handles its own errors: an exception it lets out ends the loop. With
    ``at_start`` the first call comes at once instead of after one interval. A chore
    subclasses this and passes its own round as ``work``.
    """

    def __init__(
        self,
        work: Callable[[], object],
        *,
        interval_s: float,
        name: str,
        at_start: bool = False,
        stop_timeout_s: float = 30.0,
    ) -> None:
        self._work, self._interval_s, self._at_start = work, interval_s, at_start
        self._stop_timeout_s = stop_timeout_s
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Ask the loop to end and wait for the round in progress (up to the timeout)."""
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join(timeout=self._stop_timeout_s)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def pause(self, seconds: float) -> bool:
        """Wait ``seconds`` inside a round; True when :meth:`stop` was asked meanwhile."""
        return self._stopping.wait(seconds)

    def _run(self) -> None:
        delay_s = 0.0 if self._at_start else self._interval_s
        while not self._stopping.wait(delay_s):
            delay_s = self._interval_s
            self._work()
