"""The durable queue: a row per message, claimed by a worker, settled as sent or failed.

A row goes ``pending`` -> ``sending`` (claimed, with a lease) -> ``sent`` or back to
``pending`` (a temporary failure, due again after a back-off) or ``failed`` (permanent, or
out of attempts). A claim is a conditional UPDATE, so two workers never claim one row;
a row left ``sending`` after its lease lapsed (the worker died mid-send) is claimed again
and resent under the same idempotency key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.orm import Session

from queue_server.notify.messages import Message, Template, masked_phone, phone_hash
from queue_server.persistence.models import NotificationOptOutRow, NotificationRow

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
STATUSES = (PENDING, SENDING, SENT, FAILED)


@dataclass(frozen=True)
class Queued:
    """What :func:`enqueue` did: the row's id and whether it was new."""

    id: int
    created: bool


@dataclass(frozen=True)
class Claimed:
    id: int
    idempotency_key: str
    attempts: int
    message: Message


def enqueue(
    session: Session, message: Message, *, idempotency_key: str, hash_key: bytes, now: datetime
) -> Queued:
    """Queue ``message`` once: a second call with the same key returns the first row.

    A number on the opt-out list is queued as ``failed`` (``opted out``), so the caller
    sees what happened and nothing is ever sent to it.
    """
    message = message.checked()
    if not idempotency_key or len(idempotency_key) > 100:
        raise ValueError("the idempotency key must have 1-100 characters")
    existing = session.scalar(
        select(NotificationRow.id).where(NotificationRow.idempotency_key == idempotency_key)
    )
    if existing is not None:
        return Queued(existing, created=False)
    hashed = phone_hash(message.phone, hash_key)
    opted_out = session.get(NotificationOptOutRow, hashed) is not None
    row = NotificationRow(
        idempotency_key=idempotency_key,
        status=FAILED if opted_out else PENDING,
        template=str(message.template),
        language=message.language,
        recipient=None if opted_out else message.phone,
        recipient_hash=hashed,
        params=dict(message.params),
        attempts=0,
        next_attempt_at=now,
        last_error="opted out" if opted_out else None,
        created_at=now,
        settled_at=now if opted_out else None,
    )
    session.add(row)
    session.flush()
    return Queued(row.id, created=True)


def opt_out(session: Session, phone: str, *, hash_key: bytes, now: datetime) -> None:
    """Send nothing more to ``phone``: its hash joins the list, its queued messages fail."""
    hashed = phone_hash(phone, hash_key)
    if session.get(NotificationOptOutRow, hashed) is None:
        session.add(
            NotificationOptOutRow(recipient_hash=hashed, created_at=now, masked=masked_phone(phone))
        )
    session.execute(
        update(NotificationRow)
        .where(NotificationRow.recipient_hash == hashed, NotificationRow.status == PENDING)
        .values(status=FAILED, last_error="opted out", recipient=None, settled_at=now)
    )


def opt_in(session: Session, phone: str, *, hash_key: bytes) -> None:
    session.execute(
        delete(NotificationOptOutRow).where(
            NotificationOptOutRow.recipient_hash == phone_hash(phone, hash_key)
        )
    )


def is_opted_out(session: Session, recipient_hash: str) -> bool:
    return session.get(NotificationOptOutRow, recipient_hash) is not None


def due_ids(session: Session, *, now: datetime, limit: int) -> list[int]:
    """Rows a worker may claim now: pending and due, or sending with a lapsed lease."""
    return list(
        session.scalars(
            select(NotificationRow.id)
            .where(_claimable(now))
            .order_by(NotificationRow.next_attempt_at, NotificationRow.id)
            .limit(limit)
        )
    )


def _claimable(now: datetime) -> Any:
    return or_(
        and_(NotificationRow.status == PENDING, NotificationRow.next_attempt_at <= now),
        and_(NotificationRow.status == SENDING, NotificationRow.lease_until <= now),
    )


def claim(session: Session, row_id: int, *, now: datetime, lease: timedelta) -> Claimed | None:
    """Take the row for one attempt, or None when another worker has it (or it is settled).

    A row whose number opted out after it was queued (a retry, or a lapsed lease) is
    failed here instead of sent.
    """
    result = session.execute(
        update(NotificationRow)
        .where(NotificationRow.id == row_id, _claimable(now))
        .values(
            status=SENDING,
            lease_until=now + lease,
            attempts=NotificationRow.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None
    row = session.execute(
        select(
            NotificationRow.idempotency_key,
            NotificationRow.attempts,
            NotificationRow.template,
            NotificationRow.language,
            NotificationRow.recipient,
            NotificationRow.recipient_hash,
            NotificationRow.params,
        ).where(NotificationRow.id == row_id)
    ).one()
    if is_opted_out(session, row.recipient_hash):  # opted out while the row was in flight
        mark_failed(session, row_id, attempt=row.attempts, reason="opted out", now=now)
        return None
    assert row.recipient is not None  # only settled rows lose their number
    message = Message(row.recipient, Template(row.template), row.language, dict(row.params))
    return Claimed(row_id, row.idempotency_key, row.attempts, message)


def mark_sent(session: Session, row_id: int, *, provider_id: str, now: datetime) -> None:
    """The provider accepted the message (even if a later claim is still trying: it is sent)."""
    session.execute(
        update(NotificationRow)
        .where(NotificationRow.id == row_id, NotificationRow.status.in_((PENDING, SENDING)))
        .values(
            status=SENT,
            provider_message_id=provider_id or None,
            lease_until=None,
            last_error=None,
            recipient=None,
            settled_at=now,
        )
    )


def mark_retry(session: Session, row_id: int, *, attempt: int, reason: str, at: datetime) -> None:
    """Due again at ``at`` unless another worker claimed the row since this ``attempt``."""
    session.execute(
        update(NotificationRow)
        .where(
            NotificationRow.id == row_id,
            NotificationRow.status == SENDING,
            NotificationRow.attempts == attempt,
        )
        .values(status=PENDING, next_attempt_at=at, lease_until=None, last_error=reason[:200])
    )


def mark_failed(session: Session, row_id: int, *, attempt: int, reason: str, now: datetime) -> None:
    session.execute(
        update(NotificationRow)
        .where(
            NotificationRow.id == row_id,
            NotificationRow.status == SENDING,
            NotificationRow.attempts == attempt,
        )
        .values(
            status=FAILED, lease_until=None, last_error=reason[:200], recipient=None, settled_at=now
        )
    )


def prune(session: Session, *, settled_before: datetime) -> int:
    """Delete sent and failed rows settled before ``settled_before``; how many went."""
    result = session.execute(
        delete(NotificationRow).where(
            NotificationRow.status.in_((SENT, FAILED)),
            NotificationRow.settled_at < settled_before,
        )
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
