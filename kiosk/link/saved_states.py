"""The last queue state of each service the kiosk received, kept in its local store.

A kiosk restarted while the server cannot be reached still knows what was open (a
pickup-only Saturday session and its closing time); the broker's retained states replace
them when the link comes up. Only a change of what is open is written (not every
waiting-count change).
"""

from __future__ import annotations

import logging

from pydantic import ValidationError

from kiosk.link.store import LocalStore
from queue_server.protocol.states import QueueStateMessage

log = logging.getLogger(__name__)
SCHEMA = """
CREATE TABLE IF NOT EXISTS kiosk_queue_states (
    service TEXT PRIMARY KEY,
    payload TEXT NOT NULL
);
"""


class SavedQueueStates:
    """One row per service (table ``kiosk_queue_states``): its last state that mattered."""

    def __init__(self, store: LocalStore) -> None:
        self._store = store
        store.schema(SCHEMA)

    def save(self, state: QueueStateMessage) -> None:
        with self._store.transaction() as connection:
            connection.execute(
                "INSERT INTO kiosk_queue_states (service, payload) VALUES (?, ?) "
                "ON CONFLICT (service) DO UPDATE SET payload = excluded.payload",
                (state.service, state.model_dump_json()),
            )

    def load(self) -> list[QueueStateMessage]:
        """The saved states (one that no longer follows the contract is left out)."""
        found = []
        for row in self._store.rows("SELECT payload FROM kiosk_queue_states ORDER BY service"):
            try:
                found.append(QueueStateMessage.model_validate_json(row["payload"]))
            except ValidationError:
                log.warning("a saved queue state no longer follows the contract: not used")
        return found
