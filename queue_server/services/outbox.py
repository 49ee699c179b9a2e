"""Reading the outbox back: what the publisher still has to deliver, and its bookkeeping."""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import timedelta

from queue_server.persistence import outbox
from queue_server.persistence.outbox import OutboxEntry, UnknownOutboxRow
from queue_server.services.unit import UseCases

log = logging.getLogger(__name__)
#: Delivered rows are kept this long (to look into what was sent), then deleted.
KEEP_DELIVERED = timedelta(hours=1)
#: A row still pending after this long is dropped unpublished: its office day is over,
#: and a display must not announce a call that old.
DROP_PENDING_AFTER = timedelta(hours=12)
#: A row pending longer than this means no publisher drains the outbox (``/healthz``).
BEHIND_AFTER = timedelta(seconds=60)


@dataclass(frozen=True)
class OutboxBacklog:
    """What waits to be published: the pending rows and the age of the oldest one."""

    pending: int
    #: Seconds since the oldest pending row was written; None when nothing is pending.
    oldest_s: float | None

    def behind(self, limit: timedelta) -> bool:
        """True when a row has waited longer than ``limit``: no publisher is draining."""
        return self.oldest_s is not None and self.oldest_s > limit.total_seconds()


class OutboxService(UseCases):
    """The publisher's side of the outbox."""

    def pending(
        self, *, offices: Collection[str] | None, limit: int, skip: Collection[int] = ()
    ) -> list[OutboxEntry]:
        """Up to ``limit`` undelivered entries in id order, without the ids in ``skip``.

        A row this version cannot read is logged and marked delivered, so it never
        blocks the rows after it.
        """
        with self.read() as session:
            rows = outbox.pending(session, offices=offices, limit=limit + len(skip))
        entries: list[OutboxEntry] = []
        unreadable: list[int] = []
        for row_id, kind, data in rows:
            if row_id in skip:
                continue
            try:
                entries.append(OutboxEntry(row_id, outbox.event_of(kind, data)))
            except UnknownOutboxRow as error:
                log.error("dropping outbox row %d: %s", row_id, error)
                unreadable.append(row_id)
        if unreadable:
            self.delivered(unreadable, seq=0)
        return entries[:limit]

    def delivered(self, ids: Collection[int], *, seq: int) -> None:
        """Mark ``ids`` delivered, recording the publisher's sequence at that point."""
        with self.unit() as work:
            outbox.mark_delivered(work.session, ids, at=work.now, seq=seq)

    def backlog(self) -> OutboxBacklog:
        with self.read() as session:
            count, oldest = outbox.backlog(session)
        if oldest is None:
            return OutboxBacklog(pending=count, oldest_s=None)
        return OutboxBacklog(
            pending=count, oldest_s=max(0.0, (self.clock() - oldest).total_seconds())
        )

    def highest_seq(self) -> int:
        with self.read() as session:
            return outbox.highest_seq(session)

    def prune(self) -> int:
        """Delete old delivered rows and rows pending for too long; how many went."""
        with self.unit() as work:
            old, dropped = outbox.prune(
                work.session,
                delivered_before=work.now - KEEP_DELIVERED,
                created_before=work.now - DROP_PENDING_AFTER,
            )
        if dropped:
            log.warning("dropped %d changes never published within %s", dropped, DROP_PENDING_AFTER)
        return old + dropped
