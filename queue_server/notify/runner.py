"""The notification worker as ``antre serve`` runs it: a thread started when a provider is
configured (``ANTRE_NOTIFY_*``), stopped cleanly with the server; settled rows pruned by
the daily purge whether or not a provider is configured now.

Log lines name the provider kind only: never its URL (it may carry a key), a token or a
phone number.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from queue_server.notify import queue
from queue_server.notify.gateways import Gateway
from queue_server.notify.settings import gateway_from_environment
from queue_server.notify.worker import NotificationWorker
from queue_server.persistence.db import Database

log = logging.getLogger("antre.notify")
#: How long the worker waits when nothing was due before it looks again.
IDLE_S = 5.0
STOP_WAIT_S = 30.0


class NotificationRunner:
    """One worker thread over ``gateway``; :meth:`stop` lets its current send finish."""

    def __init__(
        self,
        database: Database,
        gateway: Gateway,
        *,
        clock: Callable[[], datetime],
        idle_s: float = IDLE_S,
    ) -> None:
        self.worker = NotificationWorker(database, gateway, clock=clock)
        self._stop = threading.Event()
        self._idle_s = idle_s
        self._thread = threading.Thread(
            target=self.worker.run,
            args=(self._stop,),
            kwargs={"idle_s": idle_s},
            name="notifications",
            daemon=True,
        )

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def start(self) -> None:
        self._thread.start()
        name = self.worker.gateway.name
        log.info("notifications: the worker sends through the %s provider", name)

    def stop(self, timeout_s: float = STOP_WAIT_S) -> bool:
        """Ask the loop to end and wait for it; True when it ended in time."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout_s)
        if self._thread.is_alive():
            log.warning("notifications: the worker did not stop within %.0f s", timeout_s)
            return False
        log.info("notifications: the worker stopped")
        return True


def configured_gateway(env: Mapping[str, str] | None = None) -> Gateway | None:
    """The provider of ``ANTRE_NOTIFY_*`` (None: notifications off); raises
    :class:`~queue_server.notify.settings.NotifySettingsError` naming a bad variable."""
    return gateway_from_environment(env)


def start_notifications(
    database: Database,
    gateway: Gateway | None,
    *,
    clock: Callable[[], datetime],
    idle_s: float = IDLE_S,
) -> NotificationRunner | None:
    """The started runner over ``gateway``, or None (logged) when there is none."""
    if gateway is None:
        log.info(
            "notifications are off: no provider is configured (ANTRE_NOTIFY_PROVIDER); "
            "messages stay queued"
        )
        return None
    runner = NotificationRunner(database, gateway, clock=clock, idle_s=idle_s)
    runner.start()
    return runner


def prune_settled(database: Database, *, now: datetime, days: int) -> int:
    """Delete sent and failed notifications settled more than ``days`` ago; how many."""
    with database.write_guard, database.writer() as session, session.begin():
        return queue.prune(session, settled_before=now - timedelta(days=days))
