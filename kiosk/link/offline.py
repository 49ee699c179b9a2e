"""Offline issuing from number blocks leased in advance, and the sync that reports them.

While online the issuer keeps, per service, a block of numbers leased for this kiosk and
this office day (``lease_numbers``), leasing another when fewer than ``refill_below``
remain. When the link is down, :meth:`OfflineIssuer.issue` takes the next number of a block
and records the ticket in the same SQLite transaction, so a number is never printed twice,
even across a power cut. :meth:`OfflineIssuer.sync` sends the recorded tickets in batches
with ``sync_tickets`` through the outbox; the server accepts each ticket once and places
it by its issue time.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from kiosk.link.answer import Answer
from kiosk.link.client import Clock, KioskLink
from kiosk.link.errors import NO_NUMBERS_LEFT, LinkUnavailable, OfflineRefused
from kiosk.link.outbox import Outbox, OutboxItem
from kiosk.link.store import LocalStore
from kiosk.link.sync import SyncReport, TicketSync
from queue_server.i18n import both
from queue_server.protocol.answers import LeaseAnswer
from queue_server.protocol.labels import format_number
from queue_server.protocol.topics import KioskAction

log = logging.getLogger(__name__)
PERMANENT_REFUSAL = "offline_not_available"
SCHEMA = """
CREATE TABLE IF NOT EXISTS leases (
    lease TEXT PRIMARY KEY, service TEXT NOT NULL, prefix TEXT NOT NULL,
    office_day TEXT NOT NULL, first_number INTEGER NOT NULL, last_number INTEGER NOT NULL,
    next_number INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS lease_refusals (
    service TEXT PRIMARY KEY, office_day TEXT NOT NULL, code TEXT NOT NULL, messages TEXT NOT NULL
);
"""


@dataclass(frozen=True, slots=True)
class LocalTicket:
    """A ticket issued offline: what the kiosk prints, and what it reports when back."""

    label: str
    service: str
    issued_at: datetime
    lease: str
    number: int
    language: str = "id"
    priority_category: str | None = None
    #: The online request this ticket replaces (sent, but unanswered in time).
    replaces: str | None = None


class OfflineIssuer:
    """Leased blocks and the tickets issued from them, in the kiosk's local store."""

    def __init__(
        self,
        *,
        store: LocalStore,
        outbox: Outbox,
        link: KioskLink,
        clock: Clock,
        timezone: str,
        block_size: int = 50,
        refill_below: int = 10,
        batch_size: int = 100,
    ) -> None:
        self._store, self._outbox, self._link, self._clock = store, outbox, link, clock
        self._zone = ZoneInfo(timezone)
        self._block_size, self._refill_below = block_size, refill_below
        self._sync = TicketSync(store=store, outbox=outbox, link=link, batch_size=batch_size)
        store.schema(SCHEMA)

    def office_day(self) -> date:
        return self._clock().astimezone(self._zone).date()

    def remaining(self, service: str) -> int:
        """Numbers left for ``service`` in today's blocks."""
        [row] = self._store.rows(
            "SELECT COALESCE(SUM(last_number - next_number + 1), 0) AS left FROM leases"
            " WHERE service = ? AND office_day = ?",
            (service, self.office_day().isoformat()),
        )
        return int(row["left"])

    def refill(self, services: Iterable[str], timeout_s: float = 3.0) -> None:
        """Lease a block for each service below ``refill_below`` numbers (online only).

        A lease request goes through the outbox: when its answer is lost, the next refill
        asks again with the same transaction and gets the same block.
        """
        self._drop_stale()
        try:
            for item in self._outbox.pending(KioskAction.LEASE_NUMBERS):
                self._outbox.send(item, self._link, timeout_s, self._lease_applier(item))
            for service in services:
                if self.remaining(service) < self._refill_below and not self._refused(service):
                    data = {"service": service, "count": self._block_size}
                    item = self._outbox.add(KioskAction.LEASE_NUMBERS, data)
                    self._outbox.send(item, self._link, timeout_s, self._lease_applier(item))
        except LinkUnavailable:
            log.info("no lease now: the server cannot be reached")

    def _refused(self, service: str) -> bool:
        """Whether the server said today that ``service`` is never issued offline; other
        refusals (closed before opening time, quota) are asked again at the next refill."""
        return bool(
            self._store.rows(
                "SELECT 1 FROM lease_refusals WHERE service = ? AND office_day = ? AND code = ?",
                (service, self.office_day().isoformat(), PERMANENT_REFUSAL),
            )
        )

    def _lease_applier(self, item: OutboxItem) -> Callable[[sqlite3.Connection, Answer], None]:
        service = str(item.data["service"])

        def apply(connection: sqlite3.Connection, answer: Answer) -> None:
            if answer.ok:
                lease = answer.data_or_raise(LeaseAnswer)
                connection.execute(
                    "INSERT OR IGNORE INTO leases VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        lease.lease,
                        lease.service,
                        lease.prefix,
                        lease.office_day.isoformat(),
                        lease.first_number,
                        lease.last_number,
                        lease.first_number,
                    ),
                )
                connection.execute("DELETE FROM lease_refusals WHERE service = ?", (service,))
                return
            connection.execute(
                "INSERT OR REPLACE INTO lease_refusals VALUES (?, ?, ?, ?)",
                (service, self.office_day().isoformat(), answer.code, json.dumps(answer.messages)),
            )

        return apply

    def _drop_stale(self) -> None:
        """Blocks of an earlier office day are worthless: the server refuses their tickets."""
        with self._store.transaction() as connection:
            today = self.office_day().isoformat()
            connection.execute("DELETE FROM leases WHERE office_day < ?", (today,))
            connection.execute("DELETE FROM lease_refusals WHERE office_day < ?", (today,))

    def issue(
        self,
        service: str,
        *,
        language: str = "id",
        priority_category: str | None = None,
        service_name: str | dict[str, str] | None = None,
        replaces: str | None = None,
    ) -> LocalTicket:
        """Take the next leased number of ``service`` and record the ticket for the sync.

        Raises :class:`OfflineRefused` with the server's reason (e.g. a booking service) or,
        when the blocks are used up, a bilingual "no offline numbers left".
        """
        now, today = self._clock(), self.office_day().isoformat()
        with self._store.transaction() as connection:
            lease = connection.execute(
                "SELECT lease, prefix, next_number FROM leases WHERE service = ?"
                " AND office_day = ? AND next_number <= last_number ORDER BY first_number LIMIT 1",
                (service, today),
            ).fetchone()
            if lease is not None:
                ticket = LocalTicket(
                    label=format_number(lease["prefix"], lease["next_number"]),
                    service=service,
                    issued_at=now,
                    lease=lease["lease"],
                    number=lease["next_number"],
                    language=language,
                    priority_category=priority_category,
                    replaces=replaces,
                )
                _record(connection, ticket)
                return ticket
        raise self._refusal(service, today, service_name or service)

    def _refusal(self, service: str, today: str, name: str | dict[str, str]) -> OfflineRefused:
        refusals = self._store.rows(
            "SELECT code, messages FROM lease_refusals WHERE service = ? AND office_day = ?",
            (service, today),
        )
        if refusals:
            return OfflineRefused(json.loads(refusals[0]["messages"]), code=refusals[0]["code"])
        return OfflineRefused(both(NO_NUMBERS_LEFT, service=name), code="no_numbers_left")

    def sync(self, timeout_s: float = 10.0) -> SyncReport:
        """Send the offline tickets to the server (see :class:`~kiosk.link.sync.TicketSync`)."""
        return self._sync.sync(timeout_s)

    def pending_count(self) -> int:
        return self._sync.pending_count()

    def oldest_pending_at(self) -> datetime | None:
        """When the oldest ticket still to sync was issued (None: none waits)."""
        return self._sync.oldest_pending_at()

    def records(self) -> list[dict[str, Any]]:
        """Every offline ticket with its sync state (``pending``, ``accepted``, ``refused``)."""
        return self._sync.records()


def _record(connection: sqlite3.Connection, ticket: LocalTicket) -> None:
    connection.execute(
        "UPDATE leases SET next_number = next_number + 1 WHERE lease = ?", (ticket.lease,)
    )
    connection.execute(
        "INSERT INTO offline_tickets (lease, number, service, label, issued_at,"
        " priority_category, language, replaces) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            ticket.lease,
            ticket.number,
            ticket.service,
            ticket.label,
            ticket.issued_at.astimezone(UTC).isoformat(),
            ticket.priority_category,
            ticket.language,
            ticket.replaces,
        ),
    )
