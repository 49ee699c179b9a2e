"""In-process event bus: subscribers run after commit, in the caller's thread.

Plain subscribers get each domain event; "stored" subscribers get it with the id of its
outbox row (``OutboxEntry``), for events the transaction also wrote to the outbox.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from queue_server.domain.events import DomainEvent
from queue_server.persistence.outbox import OutboxEntry

log = logging.getLogger(__name__)
_T = TypeVar("_T")

Subscriber = Callable[[DomainEvent], None]
StoredSubscriber = Callable[[OutboxEntry], None]
BatchSubscriber = Callable[[Sequence[DomainEvent]], None]


class EventBus:
    """Fan-out of committed domain events. A failing subscriber never fails the use case."""

    def __init__(self) -> None:
        self._subscribers: list[Subscriber] = []
        self._stored: list[StoredSubscriber] = []
        self._batches: list[BatchSubscriber] = []

    def subscribe(self, subscriber: Subscriber) -> None:
        self._subscribers.append(subscriber)

    def subscribe_stored(self, subscriber: StoredSubscriber) -> None:
        """Also get each event stored in the outbox, with its row id."""
        self._stored.append(subscriber)

    def subscribe_batch(self, subscriber: BatchSubscriber) -> None:
        """Get each published batch at once (a group commit's events in commit order),
        after the other subscribers: for work that reads the database once per batch."""
        self._batches.append(subscriber)

    def publish(self, events: Iterable[DomainEvent], *, stored: Sequence[int] = ()) -> None:
        """Hand ``events`` to the subscribers; ``stored``: their outbox row ids, in order."""
        events = list(events)
        for domain_event in events:
            for subscriber in self._subscribers:
                self._call(subscriber, domain_event, domain_event)
        if stored:
            for row_id, domain_event in zip(stored, events, strict=True):
                for stored_subscriber in self._stored:
                    self._call(stored_subscriber, OutboxEntry(row_id, domain_event), domain_event)
        if events:
            for batch_subscriber in self._batches:
                self._call(batch_subscriber, events, events[0])

    def publish_batches(self, batches: list[tuple[list[DomainEvent], Sequence[int]]]) -> None:
        """Several transactions' (events, outbox ids) as one batch, in commit order."""
        events = [event for batch, _ids in batches for event in batch]
        stored = [row_id for _batch, ids in batches for row_id in ids]
        self.publish(events, stored=stored if len(stored) == len(events) else ())

    @staticmethod
    def _call(subscriber: Callable[[_T], None], item: _T, domain_event: DomainEvent) -> None:
        try:
            subscriber(item)
        except Exception:
            log.exception(
                "event subscriber %r failed on %s", subscriber, type(domain_event).__name__
            )
