"""The kiosk publishes its health (components and outbox) on ``device/{id}/health``.

A background thread asks a :class:`~devices.health.HealthReporter` every ``every_s``
seconds and publishes, retained, what it returns: a payload when a component or the outbox
changed, a full one each time the link comes up (the server may have missed the last) and
one every ``heartbeat_s`` (so the server's "last seen" stays fresh). Nothing is published
while the link is down: the next connect publishes the state of that moment.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from kiosk.link.client import KioskLink

log = logging.getLogger(__name__)
#: ``poll(force)``: the payload to publish, or None when nothing changed and not forced.
Poll = Callable[[bool], bytes | None]


class HealthPublisher:
    """Publishes a kiosk's health on change, on (re)connect and as a heartbeat."""

    def __init__(
        self,
        link: KioskLink,
        poll: Poll,
        *,
        every_s: float = 10.0,
        heartbeat_s: float = 300.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._link, self._poll = link, poll
        self._every_s, self._heartbeat_s, self._monotonic = every_s, heartbeat_s, monotonic
        self._last_sent: float | None = None
        self._force = threading.Event()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._worker = threading.Thread(target=self._loop, name="kiosk-health", daemon=True)
        link.on_up(self._link_up)

    def _link_up(self) -> None:
        self._force.set()
        self._wake.set()

    def start(self) -> HealthPublisher:
        if self._link.ready.is_set():
            self._force.set()
        self._worker.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        if self._worker.is_alive():
            self._worker.join(timeout=15)

    def wake(self) -> None:
        """Look now (e.g. after a ticket was issued offline) instead of at the next tick."""
        self._wake.set()

    def publish_once(self) -> bool:
        """Ask the reporter and publish its payload; True when one was published."""
        if not self._link.ready.is_set():
            return False
        due = self._last_sent is None or self._monotonic() - self._last_sent >= self._heartbeat_s
        force = self._force.is_set() or due
        self._force.clear()
        payload = self._poll(force)
        if payload is None:
            return False
        self._link.publish_health(payload)
        self._last_sent = self._monotonic()
        return True

    def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                self.publish_once()
            except Exception:  # a device that fails to answer must not end the reports
                log.exception("the kiosk's health could not be reported")
            self._wake.wait(self._every_s)
            self._wake.clear()
