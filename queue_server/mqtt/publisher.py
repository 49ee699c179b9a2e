"""Publish committed domain events to displays: ``event/called`` and retained states.

The publisher is one subscriber of the in-process event bus. It only queues what happened;
its own thread reads the new state and publishes, so the officer's HTTP request never
waits on the broker. Every snapshot carries a ``seq`` that only grows (microseconds since
the epoch, bumped when two fall in the same microsecond), also across server restarts, so a
display drops a stale message that arrives after a newer one.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from queue_server.domain.events import CounterChanged, DomainEvent, OfficeReloaded, TicketChanged
from queue_server.protocol import topics
from queue_server.protocol.base import dump
from queue_server.protocol.states import (
    Board,
    CalledEvent,
    CounterStateMessage,
    DisplayConfig,
    DisplayConfigMessage,
    KioskConfigMessage,
    QueueStateMessage,
)
from queue_server.services.device_config import KINDS, DeviceConfigService
from queue_server.services.views import ViewService

log = logging.getLogger(__name__)
Publish = Callable[[str, bytes, bool], None]  # topic, payload, retain
#: Events handled together at most; a burst of calls refreshes the states once.
MAX_BATCH = 200


@dataclass(frozen=True)
class FullRefresh:
    office: str


class Sequence:
    def __init__(self) -> None:
        self._last = 0
        self._lock = threading.Lock()

    def next(self) -> int:
        with self._lock:
            self._last = max(self._last + 1, time.time_ns() // 1000)
            return self._last


class StatePublisher:
    def __init__(
        self,
        *,
        views: ViewService,
        publish: Publish,
        configs: DeviceConfigService | None = None,
    ) -> None:
        self._views, self._publish, self._configs = views, publish, configs
        self._seq = Sequence()
        self._inbox: queue.Queue[DomainEvent | FullRefresh | None] = queue.Queue()
        self._worker = threading.Thread(target=self._work, name="mqtt-publisher", daemon=True)

    def start(self) -> None:
        self._worker.start()

    def stop(self) -> None:
        self._inbox.put(None)
        self._worker.join(timeout=10)

    def refresh(self, office: str) -> None:
        """Queue a re-publication of every retained state of ``office`` (after a reconnect)."""
        self._inbox.put(FullRefresh(office))

    def __call__(self, event: DomainEvent) -> None:
        """The event-bus subscriber: queue only, never block the caller."""
        self._inbox.put(event)

    def _work(self) -> None:
        while True:
            batch = [self._inbox.get()]
            while len(batch) < MAX_BATCH:  # coalesce a burst: states once per batch
                try:
                    batch.append(self._inbox.get_nowait())
                except queue.Empty:
                    break
            events = [event for event in batch if event is not None]
            try:
                self._publish_batch(events)
            except Exception:  # the next event re-publishes full states
                log.exception("could not publish %d events", len(events))
            if len(events) < len(batch):
                return

    def _publish_batch(self, events: list[DomainEvent | FullRefresh]) -> None:
        """Calls first and in order (displays announce them), then each changed state once."""
        full: set[str] = set()
        counters: set[str] = set()
        queues: set[tuple[str, str]] = set()
        for event in events:
            if isinstance(event, FullRefresh | OfficeReloaded):
                full.add(event.office)
            elif isinstance(event, TicketChanged):
                if event.is_call and event.counter is not None:
                    self._publish_call(event)
                counters.add(event.office)
                queues.add((event.office, event.service))
            elif isinstance(event, CounterChanged):
                counters.add(event.office)
        for office in sorted(full):
            self.publish_configs(office)
            for state in self._views.services_overview(office):
                queues.add((office, state.service))
        for office in sorted(counters | full):
            self.publish_counters(office)
        for office, service in sorted(queues):
            self.publish_queue(office, service)

    def _publish_call(self, event: TicketChanged) -> None:
        seq = self._seq.next()
        payload = CalledEvent(
            id=seq,  # unique per call: seq never repeats
            seq=seq,
            ticket=event.label,
            station=event.station.value,
            counter=str(event.counter),
            counter_name=self._views.counter_name(event.office, str(event.counter)),
            service=event.service,
            recall=event.action == "recall",
            ts=event.at,
        )
        self._publish(topics.event_called(event.office), dump(payload), False)

    def publish_counters(self, office: str) -> None:
        """Retained state of every counter, and the lobby board built from them."""
        states = self._views.counters(office)
        for state in states:
            message = CounterStateMessage(**dict(state), seq=self._seq.next())
            self._publish(topics.counter_state(office, state.code), dump(message), True)
        board = Board(
            seq=self._seq.next(),
            counters=states,
            serving=[state for state in states if state.ticket_label],
        )
        self._publish(topics.board(office), dump(board), True)

    def publish_configs(self, office: str) -> None:
        """Retained ``config/{kind}`` for kiosks and displays (services, names, counters)."""
        if self._configs is None:
            return
        for kind in KINDS:
            config = self._configs.config(office, kind)
            message: DisplayConfigMessage | KioskConfigMessage = (
                DisplayConfigMessage(**dict(config), seq=self._seq.next())
                if isinstance(config, DisplayConfig)
                else KioskConfigMessage(**dict(config), seq=self._seq.next())
            )
            self._publish(topics.config(office, kind), dump(message), True)

    def publish_queue(self, office: str, service: str) -> None:
        state = self._views.queue_state(office, service)
        message = QueueStateMessage(**dict(state), seq=self._seq.next())
        self._publish(topics.queue_state(office, service), dump(message), True)
