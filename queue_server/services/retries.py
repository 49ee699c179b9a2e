"""Kiosk requests are idempotent by transaction: the first answer is kept and repeated.

The answer is written in the same transaction as the change it describes, so after a
crash either both exist (a retry gets the stored answer) or neither does (a retry does
the work). Refusals are not stored: they changed nothing, so answering afresh is safe.

Like an idempotency key, a transaction id belongs to one request: the answer is stored
with the sending device and a keyed hash of the request (its ``fingerprint``). The same
id from another device, or with other data, is refused and changes nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from queue_server.domain.errors import DomainError
from queue_server.persistence.fast import run, write
from queue_server.persistence.statements import INSERT_KIOSK_REQUEST, KIOSK_ANSWER
from queue_server.protocol.messages import ErrorCode
from queue_server.services.unit import Unit


@dataclass(frozen=True)
class RetryKey:
    """Identifies one request of one device; a retry carries the same key.

    ``fingerprint`` is the request's :func:`fingerprint` (None: not checked).
    """

    device: str
    transaction: str
    fingerprint: str | None = None


class TransactionTaken(DomainError):
    """The transaction id is another device's."""

    code = ErrorCode.TRANSACTION_TAKEN.value
    template = (
        "This transaction id was already used by another device. "
        "Send the request again with a new transaction id."
    )


class TransactionReused(DomainError):
    """The transaction id was first sent with other data."""

    code = ErrorCode.TRANSACTION_REUSED.value
    template = (
        "This transaction id was already used for a different request. "
        "Send the new request with a new transaction id."
    )


def fingerprint(key: bytes, action: str, data: dict[str, Any]) -> str:
    """A keyed hash of ``action`` and the canonical JSON of ``data`` (no personal data kept)."""
    canonical = json.dumps(
        {"action": action, "data": data}, sort_keys=True, separators=(",", ":"), default=str
    )
    return hmac.new(key, canonical.encode(), hashlib.sha256).hexdigest()


def earlier_answer(session: Session, retry_key: RetryKey) -> dict[str, Any] | None:
    """The stored answer to this request, or None when there is none yet.

    Raises:
        TransactionTaken: another device sent this transaction id.
        TransactionReused: this device sent it before with other data.
    """
    row = run(session, KIOSK_ANSWER, {"transaction": retry_key.transaction}).first()
    if row is None:
        return None
    if row.device != retry_key.device:
        raise TransactionTaken()
    if None not in (row.fingerprint, retry_key.fingerprint) and not hmac.compare_digest(
        row.fingerprint, str(retry_key.fingerprint)
    ):
        raise TransactionReused()
    answer: dict[str, Any] = row.response
    return answer


def remember(
    work: Unit, retry_key: RetryKey, *, office_id: str, action: str, response: dict[str, Any]
) -> None:
    """Store ``response`` as the answer to the request, in ``work``'s transaction."""
    write(
        work.session,
        INSERT_KIOSK_REQUEST,
        {
            "transaction": retry_key.transaction,
            "office_id": office_id,
            "device": retry_key.device,
            "action": action,
            "response": response,
            "fingerprint": retry_key.fingerprint,
            "created_at": work.now,
        },
    )
