"""Kiosk requests are idempotent by transaction: the first answer is kept and repeated.

The answer is written in the same transaction as the change it describes, so after a
crash either both exist (a retry gets the stored answer) or neither does (a retry does
the work). Refusals are not stored: they changed nothing, so answering afresh is safe.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from queue_server.persistence.statements import INSERT_KIOSK_REQUEST, KIOSK_ANSWER
from queue_server.services.unit import Unit


@dataclass(frozen=True)
class RetryKey:
    """Identifies one request of one device; a retry carries the same key."""

    device: str
    transaction: str


def earlier_answer(session: Session, retry_key: RetryKey) -> dict[str, Any] | None:
    """The stored answer to this request, or None (also when another device sent it)."""
    row = session.execute(KIOSK_ANSWER, {"transaction": retry_key.transaction}).first()
    if row is None or row.device != retry_key.device:
        return None
    answer: dict[str, Any] = row.response
    return answer


def remember(
    work: Unit, retry_key: RetryKey, *, office_id: str, action: str, response: dict[str, Any]
) -> None:
    """Store ``response`` as the answer to the request, in ``work``'s transaction."""
    work.session.execute(
        INSERT_KIOSK_REQUEST,
        {
            "transaction": retry_key.transaction,
            "office_id": office_id,
            "device": retry_key.device,
            "action": action,
            "response": response,
            "created_at": work.now,
        },
    )
