"""Background chores of ``antre serve``: the daily purge of personal data, quiet logs.

:class:`DailyPurge` runs the retention purge once at start and then every day on one
daemon thread; a failure is logged and tried again the next round. :class:`AtMostEvery`
lets a repetitive log message through once per interval (waitress warns about its task
queue on every queued request under load).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from queue_server.periodic import Periodic

log = logging.getLogger(__name__)
DAY_S = 24 * 3600.0
QUEUE_WARNING_INTERVAL_S = 60.0
WAITRESS_QUEUE_LOGGER = "waitress.queue"


class DailyPurge(Periodic):
    """Call ``purge`` now and then every ``interval_s`` until :meth:`stop`."""

    def __init__(self, purge: Callable[[], object], *, interval_s: float = DAY_S) -> None:
        super().__init__(self._round, interval_s=interval_s, name="retention-purge", at_start=True)
        self._purge = purge
        self.runs = 0

    def _round(self) -> None:
        try:
            self._purge()
        except Exception:  # the database may be away; the next round tries again
            log.exception("the personal-data purge failed; next try in %.0f s", self._interval_s)
        self.runs += 1


class AtMostEvery(logging.Filter):
    """Pass one record per ``interval_s``; the next one passed says how many were dropped."""

    def __init__(self, interval_s: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self._interval_s, self._clock = interval_s, clock
        self._last: float | None = None
        self._dropped = 0
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        now = self._clock()
        with self._lock:
            if self._last is not None and now - self._last < self._interval_s:
                self._dropped += 1
                return False
            self._last, dropped, self._dropped = now, self._dropped, 0
        if dropped:
            record.msg = f"{record.msg} ({dropped} like it in the last {self._interval_s:.0f} s)"
        return True


def limit_queue_warnings(interval_s: float = QUEUE_WARNING_INTERVAL_S) -> None:
    """Let waitress's "Task queue depth" warning through at most once per ``interval_s``."""
    logger = logging.getLogger(WAITRESS_QUEUE_LOGGER)
    if not any(isinstance(known, AtMostEvery) for known in logger.filters):
        logger.addFilter(AtMostEvery(interval_s))
