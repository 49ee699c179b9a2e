"""Requests that must not be lost (offline tickets to sync, ratings, leases), in SQLite.

An item is written before it is sent and removed only in the transaction that applies its
answer, so a kiosk restart between the two resends it with its original transaction id,
and the server answers it as it did the first time.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from kiosk.link.answer import Answer
from kiosk.link.client import KioskLink
from kiosk.link.errors import LinkUnavailable
from kiosk.link.store import LocalStore
from queue_server.protocol.messages import request_data
from queue_server.protocol.topics import KioskAction

SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    txn TEXT NOT NULL UNIQUE,
    action TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at TEXT NOT NULL
);
"""
#: Applies an answer inside the transaction that removes its item.
ApplyAnswer = Callable[[sqlite3.Connection, Answer], None]


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """One request waiting for its answer; ``transaction`` never changes."""

    seq: int
    transaction: str
    action: KioskAction
    data: dict[str, Any]
    created_at: datetime


class Outbox:
    """The durable request queue of one kiosk (table ``outbox`` of the local store)."""

    def __init__(self, store: LocalStore, *, clock: Callable[[], datetime] | None = None) -> None:
        self._store = store
        self._clock = clock or (lambda: datetime.now(UTC))
        store.schema(SCHEMA)

    def add(self, action: KioskAction, data: Mapping[str, Any]) -> OutboxItem:
        """Write a request (with a new transaction id) before anything is sent."""
        with self._store.transaction() as connection:
            return self.insert(connection, action, data)

    def insert(
        self, connection: sqlite3.Connection, action: KioskAction, data: Mapping[str, Any]
    ) -> OutboxItem:
        """:meth:`add` inside the caller's transaction (with the change it belongs to)."""
        wire = request_data(action, data)  # checked by the contract's model before it waits
        transaction, now = str(uuid.uuid4()), self._clock()
        cursor = connection.execute(
            "INSERT INTO outbox (txn, action, data, created_at) VALUES (?, ?, ?, ?)",
            (transaction, action.value, json.dumps(wire), now.isoformat()),
        )
        assert cursor.lastrowid is not None
        return OutboxItem(cursor.lastrowid, transaction, action, wire, now)

    def pending(self, action: KioskAction | None = None) -> list[OutboxItem]:
        """Items not answered yet, oldest first (all actions, or one)."""
        sql = "SELECT seq, txn, action, data, created_at FROM outbox"
        rows = (
            self._store.rows(f"{sql} WHERE action = ? ORDER BY seq", (action.value,))
            if action is not None
            else self._store.rows(f"{sql} ORDER BY seq")
        )
        return [
            OutboxItem(
                seq=row["seq"],
                transaction=row["txn"],
                action=KioskAction(row["action"]),
                data=json.loads(row["data"]),
                created_at=datetime.fromisoformat(row["created_at"]),
            )
            for row in rows
        ]

    def size(self) -> int:
        """How many requests wait for their answer."""
        [row] = self._store.rows("SELECT COUNT(*) AS waiting FROM outbox")
        return int(row["waiting"])

    def waiting(self, *, besides: KioskAction) -> tuple[int, datetime | None]:
        """How many requests of other actions than ``besides`` wait, and the oldest's time."""
        [row] = self._store.rows(
            "SELECT COUNT(*) AS waiting, MIN(created_at) AS oldest FROM outbox WHERE action != ?",
            (besides.value,),
        )
        oldest = row["oldest"]
        return int(row["waiting"]), datetime.fromisoformat(oldest) if oldest else None

    def send(
        self, item: OutboxItem, link: KioskLink, timeout_s: float, apply: ApplyAnswer | None = None
    ) -> Answer:
        """Send ``item`` with its own transaction; on an answer (ok or error) ``apply`` it and
        remove the item in one transaction. Raises :class:`LinkUnavailable` (item kept)."""
        answer = link.request(item.action, item.data, timeout_s, transaction=item.transaction)
        with self._store.transaction() as connection:
            if apply is not None:
                apply(connection, answer)
            connection.execute("DELETE FROM outbox WHERE txn = ?", (item.transaction,))
        return answer

    def flush(
        self, link: KioskLink, *, actions: frozenset[KioskAction], timeout_s: float
    ) -> list[tuple[OutboxItem, Answer]]:
        """Send the pending items of ``actions`` in order; stops at the first unanswered one."""
        answered: list[tuple[OutboxItem, Answer]] = []
        for item in self.pending():
            if item.action not in actions:
                continue
            try:
                answered.append((item, self.send(item, link, timeout_s)))
            except LinkUnavailable:
                break
        return answered
