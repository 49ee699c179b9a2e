"""In-process event bus: subscribers run after commit, in the caller's thread."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from queue_server.domain.events import DomainEvent

log = logging.getLogger(__name__)

Subscriber = Callable[[DomainEvent], None]


class EventBus:
    """Fan-out of committed domain events. A failing subscriber never fails the use case."""

    def __init__(self) -> None:
        self._subscribers: list[Subscriber] = []

    def subscribe(self, subscriber: Subscriber) -> None:
        self._subscribers.append(subscriber)

    def publish(self, events: Iterable[DomainEvent]) -> None:
        for domain_event in events:
            for subscriber in self._subscribers:
                try:
                    subscriber(domain_event)
                except Exception:
                    log.exception(
                        "event subscriber %r failed on %s", subscriber, type(domain_event).__name__
                    )
