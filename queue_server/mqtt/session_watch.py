"""Re-publish the retained states when a session opens or closes (a minute tick).

``queue/{service}/state`` says ``open_now`` and which session; nothing else changes it
when the clock passes an opening or a closing time (a Saturday pickup session at 08:00
and 12:00, the regular hours). Every :data:`TICK_S` the watcher reads which services are
open in which session for each office served and, where that changed since the last
look, asks the publisher for a full refresh of that office (configs, counters, queues).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Collection

from queue_server.periodic import Periodic
from queue_server.services.views import ViewService

log = logging.getLogger(__name__)
#: How often the open sessions are looked at: a kiosk learns of a change within this.
TICK_S = 30.0


class SessionWatch(Periodic):
    """Calls ``refresh(office)`` when the open sessions of ``office`` changed."""

    def __init__(
        self,
        views: ViewService,
        refresh: Callable[[str], None],
        *,
        offices: Collection[str] | None = None,
        interval_s: float = TICK_S,
    ) -> None:
        super().__init__(self.look, interval_s=interval_s, name="session-watch", at_start=True)
        self._views, self._refresh = views, refresh
        self._offices = None if offices is None else list(offices)
        self._seen: dict[str, frozenset[tuple[str, str]]] = {}
        self._lock = threading.Lock()  # one round at a time (the tick, or a caller's)

    def look(self) -> list[str]:
        """One round: the offices refreshed (the first look only remembers); never raises."""
        with self._lock:
            return self._look()

    def _look(self) -> list[str]:
        changed: list[str] = []
        try:
            offices = self._offices or [known["id"] for known in self._views.offices()]
            for office in offices:
                now_open = self._views.open_sessions(office)
                before = self._seen.get(office)
                self._seen[office] = now_open
                if before is not None and before != now_open:
                    changed.append(office)
                    self._refresh(office)
        except Exception:  # the database is away: the next round looks again
            log.exception("could not check the open sessions")
        if changed:
            log.info("sessions opened or closed: states re-published for %s", ", ".join(changed))
        return changed
