"""The outbox table: domain events stored with the change that caused them.

A use case writes one row per domain event inside its own transaction, so a committed
change always has its row and a rolled-back one never does. The serving process reads
the pending rows, publishes them and marks them delivered; old rows are pruned.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, delete, func, select, update
from sqlalchemy.orm import Session

from queue_server.domain.events import (
    CounterChanged,
    DomainEvent,
    LaneChanged,
    OfficeReloaded,
    TicketChanged,
)
from queue_server.domain.ids import (
    CounterId,
    OfficeId,
    ServiceId,
    StationType,
    TicketId,
    TicketStatus,
)
from queue_server.persistence.models import OutboxRow
from queue_server.persistence.statements import insert_returning_id

OUTBOX: Table = OutboxRow.__table__  # type: ignore[assignment]
INSERT_OUTBOX = OUTBOX.insert().returning(OUTBOX.c.id, sort_by_parameter_order=True)
PENDING = (
    select(OUTBOX.c.id, OUTBOX.c.kind, OUTBOX.c.data)
    .where(OUTBOX.c.delivered_at.is_(None))
    .order_by(OUTBOX.c.id)
    .limit(bindparam("limit"))
)
MARK_DELIVERED = (
    update(OUTBOX)
    .where(OUTBOX.c.id.in_(bindparam("ids", expanding=True)))
    .values(delivered_at=bindparam("at"), seq=bindparam("seq"))
)
HIGHEST_SEQ = select(func.max(OUTBOX.c.seq))
BACKLOG = select(func.count(), func.min(OUTBOX.c.created_at)).where(OUTBOX.c.delivered_at.is_(None))


class UnknownOutboxRow(ValueError):
    """A row this version cannot read (an unknown kind or missing fields)."""


@dataclass(frozen=True)
class OutboxEntry:
    """A pending row: its id (unique, never reused) and the domain event it holds."""

    id: int
    event: DomainEvent


def insert_events(session: Session, events: Iterable[DomainEvent], *, now: datetime) -> list[int]:
    """Write one row per event in the session's transaction; the rows' ids, in order."""
    rows = [_row(event, now) for event in events]
    if len(rows) == 1 or (rows and session.get_bind().dialect.name == "sqlite"):
        # Without the many-rows machinery: one statement is the common case, and SQLite
        # has no round trips to save (a finish and call next writes three rows).
        return [insert_returning_id(session, INSERT_OUTBOX, row) for row in rows]
    return [int(row_id) for row_id in session.scalars(INSERT_OUTBOX, rows)] if rows else []


def pending(
    session: Session, *, offices: Collection[str] | None, limit: int
) -> list[tuple[int, str, dict[str, Any]]]:
    """Undelivered rows (id, kind, data) in id order, of ``offices`` only when given."""
    statement = PENDING
    if offices is not None:
        statement = statement.where(OUTBOX.c.office_id.in_(list(offices)))
    return [(row.id, row.kind, row.data) for row in session.execute(statement, {"limit": limit})]


def mark_delivered(session: Session, ids: Collection[int], *, at: datetime, seq: int) -> None:
    if ids:
        session.execute(MARK_DELIVERED, {"ids": list(ids), "at": at, "seq": seq})


def highest_seq(session: Session) -> int:
    """The highest sequence recorded with a delivered row (0 if none)."""
    return int(session.scalar(HIGHEST_SEQ) or 0)


def backlog(session: Session) -> tuple[int, datetime | None]:
    """How many rows are pending, and when the oldest of them was written (None: none)."""
    count, oldest = session.execute(BACKLOG).one()
    return int(count), oldest


def prune(
    session: Session, *, delivered_before: datetime, created_before: datetime
) -> tuple[int, int]:
    """Delete rows delivered before ``delivered_before`` and rows still pending that were
    written before ``created_before`` (too old to announce); the row holding the highest
    sequence is kept so the next start continues above it. How many of each were deleted."""
    top = select(func.max(OUTBOX.c.seq)).scalar_subquery()
    delivered = delete(OUTBOX).where(OUTBOX.c.delivered_at < delivered_before, OUTBOX.c.seq < top)
    stale = delete(OUTBOX).where(
        OUTBOX.c.delivered_at.is_(None), OUTBOX.c.created_at < created_before
    )
    old = session.execute(delivered).rowcount  # type: ignore[attr-defined]
    dropped = session.execute(stale).rowcount  # type: ignore[attr-defined]
    return int(old or 0), int(dropped or 0)


def event_of(kind: str, data: dict[str, Any]) -> DomainEvent:
    """The domain event a row holds.

    Raises:
        UnknownOutboxRow: the row's kind or fields are not readable.
    """
    try:
        return _READERS[kind](data)
    except (KeyError, TypeError, ValueError) as error:
        raise UnknownOutboxRow(f"outbox row of kind {kind!r}: {error}") from error


def _row(event: DomainEvent, now: datetime) -> dict[str, Any]:
    kind, data = _data(event)
    return {
        "office_id": str(event.office),
        "kind": kind,
        "data": data,
        "created_at": now,
        "delivered_at": None,
        "seq": None,
    }


def _data(event: DomainEvent) -> tuple[str, dict[str, Any]]:
    at = event.at.isoformat()
    if isinstance(event, TicketChanged):
        return "ticket", {
            "office": event.office,
            "ticket": event.ticket,
            "label": event.label,
            "service": event.service,
            "station": event.station.value,
            "action": event.action,
            "status": event.status.value,
            "previous": None if event.previous is None else event.previous.value,
            "counter": event.counter,
            "at": at,
        }
    if isinstance(event, CounterChanged):
        return "counter", {
            "office": event.office,
            "counter": event.counter,
            "is_open": event.is_open,
            "at": at,
        }
    if isinstance(event, LaneChanged):
        return "lane", {"office": event.office, "lane": event.lane, "at": at}
    return "office", {"office": event.office, "version": event.version, "at": at}


def _ticket(data: dict[str, Any]) -> TicketChanged:
    previous = data["previous"]
    counter = data["counter"]
    return TicketChanged(
        office=OfficeId(data["office"]),
        ticket=TicketId(int(data["ticket"])),
        label=str(data["label"]),
        service=ServiceId(data["service"]),
        station=StationType(data["station"]),
        action=str(data["action"]),
        status=TicketStatus(data["status"]),
        previous=None if previous is None else TicketStatus(previous),
        counter=None if counter is None else CounterId(counter),
        at=datetime.fromisoformat(data["at"]),
    )


def _counter(data: dict[str, Any]) -> CounterChanged:
    return CounterChanged(
        office=OfficeId(data["office"]),
        counter=CounterId(data["counter"]),
        is_open=bool(data["is_open"]),
        at=datetime.fromisoformat(data["at"]),
    )


def _office(data: dict[str, Any]) -> OfficeReloaded:
    return OfficeReloaded(
        office=OfficeId(data["office"]),
        version=int(data["version"]),
        at=datetime.fromisoformat(data["at"]),
    )


def _lane(data: dict[str, Any]) -> LaneChanged:
    return LaneChanged(
        office=OfficeId(data["office"]),
        lane=str(data["lane"]),
        at=datetime.fromisoformat(data["at"]),
    )


_READERS: dict[str, Callable[[dict[str, Any]], DomainEvent]] = {
    "ticket": _ticket,
    "counter": _counter,
    "office": _office,
    "lane": _lane,
}
