"""The last ``config/kiosk`` the kiosk accepted, kept in its local store.

A kiosk that starts without the network shows the office's services from this copy at
once; the broker's retained message replaces it whenever it comes.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from pydantic import ValidationError

from kiosk.link.store import LocalStore
from queue_server.protocol.states import KioskConfigMessage

log = logging.getLogger(__name__)
SCHEMA = """
CREATE TABLE IF NOT EXISTS kiosk_config (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    payload TEXT NOT NULL,
    saved_at TEXT NOT NULL
);
"""


class SavedConfig:
    """One row (table ``kiosk_config``): the last accepted ``config/kiosk`` payload."""

    def __init__(self, store: LocalStore) -> None:
        self._store = store
        store.schema(SCHEMA)

    def save(self, config: KioskConfigMessage) -> None:
        """Keep ``config`` in place of the one saved before (one transaction)."""
        with self._store.transaction() as connection:
            connection.execute(
                "INSERT INTO kiosk_config (id, payload, saved_at) VALUES (1, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET payload = excluded.payload, "
                "saved_at = excluded.saved_at",
                (config.model_dump_json(), datetime.now(UTC).isoformat()),
            )

    def load(self) -> KioskConfigMessage | None:
        """The saved payload; None when there is none or it no longer follows the contract."""
        rows = self._store.rows("SELECT payload FROM kiosk_config WHERE id = 1")
        if not rows:
            return None
        try:
            return KioskConfigMessage.model_validate_json(rows[0]["payload"])
        except ValidationError:
            log.warning("the saved config/kiosk no longer follows the contract: not used")
            return None
