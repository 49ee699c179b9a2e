"""The kiosk's local SQLite file (WAL): outbox, leased number blocks, offline tickets.

One connection shared by the link's users behind a lock; every change runs in one
``BEGIN IMMEDIATE`` transaction with ``synchronous=FULL``, so a power cut keeps a change
entirely or not at all. Queued requests may carry personal data (a phone number, a
booking code), so the file and its WAL files are readable by the kiosk's user only.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

PRIVATE_FILE = 0o600


class LocalStore:
    """The SQLite file shared by :class:`~kiosk.link.outbox.Outbox` and the offline issuer."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        _make_private(self.path)
        self._lock = threading.RLock()
        self._connection = sqlite3.connect(
            self.path, check_same_thread=False, isolation_level=None, timeout=10
        )
        self._connection.row_factory = sqlite3.Row
        self._connection.execute("PRAGMA journal_mode=WAL")
        self._connection.execute("PRAGMA synchronous=FULL")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic change: committed when the block ends, rolled back on an error."""
        with self._lock:
            self._connection.execute("BEGIN IMMEDIATE")
            try:
                yield self._connection
            except BaseException:
                self._connection.execute("ROLLBACK")
                raise
            self._connection.execute("COMMIT")

    def rows(self, sql: str, parameters: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return list(self._connection.execute(sql, parameters))

    def schema(self, script: str) -> None:
        with self._lock:
            self._connection.executescript(script)

    def close(self) -> None:
        with self._lock:
            self._connection.close()


def _make_private(database: Path) -> None:
    """Create ``database`` 0600 if missing; make it and SQLite's files beside it 0600.

    SQLite gives the ``-wal`` and ``-shm`` files it creates the database file's mode.
    """
    if not database.exists():
        database.touch(mode=PRIVATE_FILE)
    for suffix in ("", "-wal", "-shm", "-journal"):
        path = Path(f"{database}{suffix}")
        if path.exists():
            path.chmod(PRIVATE_FILE)
