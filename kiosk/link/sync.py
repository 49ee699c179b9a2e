"""The sync of offline tickets: ``sync_tickets`` in batches, through the outbox.

A batch is written to the outbox (with its transaction id) in the same SQLite transaction
that marks its tickets as sent in it, and removed in the one that records the server's
label and token per ticket. A batch left unanswered (link lost, kiosk restarted) is sent
again first, with the same transaction; the server accepts each ticket once and answers a
ticket sent again with the same label and token.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kiosk.link.answer import Answer
from kiosk.link.client import KioskLink
from kiosk.link.errors import LinkUnavailable
from kiosk.link.outbox import Outbox, OutboxItem
from kiosk.link.store import LocalStore
from queue_server.protocol.answers import SyncAccepted, SyncAnswer, SyncRefused
from queue_server.protocol.topics import KioskAction

log = logging.getLogger(__name__)
TICKETS_SCHEMA = """
CREATE TABLE IF NOT EXISTS offline_tickets (
    lease TEXT NOT NULL, number INTEGER NOT NULL, service TEXT NOT NULL, label TEXT NOT NULL,
    issued_at TEXT NOT NULL, priority_category TEXT, language TEXT NOT NULL,
    batch TEXT, status TEXT NOT NULL DEFAULT 'pending', server_label TEXT, token TEXT,
    error TEXT, replaces TEXT, PRIMARY KEY (lease, number)
);
"""


@dataclass(frozen=True, slots=True)
class SyncReport:
    """After a sync: tickets accepted and refused by this run, tickets still to send."""

    accepted: int = 0
    refused: int = 0
    pending: int = 0


class TicketSync:
    """Sends the offline tickets recorded in ``offline_tickets``; one sync at a time."""

    def __init__(
        self, *, store: LocalStore, outbox: Outbox, link: KioskLink, batch_size: int
    ) -> None:
        self._store, self._outbox, self._link = store, outbox, link
        self._batch_size = batch_size
        self._sync_lock = threading.Lock()
        store.schema(TICKETS_SCHEMA)

    def sync(self, timeout_s: float = 10.0) -> SyncReport:
        """Send every recorded ticket (earlier batches first, with their transactions).

        Stops quietly when the link is down; what is left goes with the next sync.
        """
        deadline = time.monotonic() + timeout_s
        if not self._sync_lock.acquire(timeout=timeout_s):
            return SyncReport(pending=self.pending_count())
        counts = [0, 0]
        try:
            while (item := self._next_batch()) is not None:
                left_s = deadline - time.monotonic()
                answer = self._outbox.send(item, self._link, left_s, self._sync_applier(item))
                _count(answer, counts)
        except LinkUnavailable:
            log.info("sync paused: the server cannot be reached")
        finally:
            self._sync_lock.release()
        return SyncReport(accepted=counts[0], refused=counts[1], pending=self.pending_count())

    def _next_batch(self) -> OutboxItem | None:
        """The oldest unanswered batch, or a new one of unsent tickets (by issue time)."""
        waiting = self._outbox.pending(KioskAction.SYNC_TICKETS)
        if waiting:
            return waiting[0]
        with self._store.transaction() as connection:
            rows = connection.execute(
                "SELECT * FROM offline_tickets WHERE status = 'pending' AND batch IS NULL"
                " ORDER BY issued_at, lease, number LIMIT ?",
                (self._batch_size,),
            ).fetchall()
            if not rows:
                return None
            item = self._outbox.insert(
                connection, KioskAction.SYNC_TICKETS, {"tickets": [_wire(row) for row in rows]}
            )
            connection.executemany(
                "UPDATE offline_tickets SET batch = ? WHERE lease = ? AND number = ?",
                [(item.transaction, row["lease"], row["number"]) for row in rows],
            )
            return item

    def _sync_applier(self, item: OutboxItem) -> Callable[[sqlite3.Connection, Answer], None]:
        def apply(connection: sqlite3.Connection, answer: Answer) -> None:
            if not answer.ok:  # the whole batch refused: it would be refused again
                error = json.dumps({"code": answer.code, "messages": answer.messages})
                connection.execute(
                    "UPDATE offline_tickets SET status = 'refused', error = ? WHERE batch = ?",
                    (error, item.transaction),
                )
                return
            for outcome in answer.data_or_raise(SyncAnswer).tickets:
                connection.execute(
                    "UPDATE offline_tickets SET status = ?, server_label = ?, token = ?,"
                    " error = ? WHERE lease = ? AND number = ?",
                    _outcome_row(outcome),
                )

        return apply

    def pending_count(self) -> int:
        [row] = self._store.rows(
            "SELECT COUNT(*) AS pending FROM offline_tickets WHERE status = 'pending'"
        )
        return int(row["pending"])

    def oldest_pending_at(self) -> datetime | None:
        """When the oldest ticket not yet accepted or refused was issued (None: none)."""
        [row] = self._store.rows(
            "SELECT MIN(issued_at) AS oldest FROM offline_tickets WHERE status = 'pending'"
        )
        return datetime.fromisoformat(row["oldest"]) if row["oldest"] else None

    def records(self) -> list[dict[str, Any]]:
        """Every offline ticket with its sync state (``pending``, ``accepted``, ``refused``)."""
        rows = self._store.rows("SELECT * FROM offline_tickets ORDER BY issued_at, lease, number")
        return [dict(row) for row in rows]


def _wire(row: sqlite3.Row) -> dict[str, Any]:
    """One ticket as ``sync_tickets`` carries it."""
    ticket = {
        "service": row["service"],
        "number": row["number"],
        "issued_at": row["issued_at"],
        "language": row["language"],
        "lease": row["lease"],
    }
    if row["priority_category"] is not None:
        ticket["priority_category"] = row["priority_category"]
    if row["replaces"] is not None:
        ticket["replaces"] = row["replaces"]
    return ticket


def _outcome_row(outcome: SyncAccepted | SyncRefused) -> tuple[Any, ...]:
    if isinstance(outcome, SyncAccepted):
        return ("accepted", outcome.label, outcome.token, None, outcome.lease, outcome.number)
    error = outcome.error.model_dump_json()
    return ("refused", None, None, error, outcome.lease, outcome.number)


def _count(answer: Answer, counts: list[int]) -> None:
    outcomes = answer.data.tickets if isinstance(answer.data, SyncAnswer) else []
    for outcome in outcomes:
        counts[0 if isinstance(outcome, SyncAccepted) else 1] += 1
