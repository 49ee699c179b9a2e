"""Read models: queue state, ticket status, counters; positions and wait estimates."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from queue_server.domain.calling import QueueEntry, Streak, newcomer_position, order_queue
from queue_server.domain.estimate import estimate_wait_minutes, service_time_minutes
from queue_server.domain.ids import (
    AT_COUNTER_STATUSES,
    ServiceId,
    StationType,
    TicketId,
    TicketStatus,
)
from queue_server.domain.model import CounterProfile
from queue_server.persistence.fast import run
from queue_server.persistence.models import QuotaUsageRow, TicketRow
from queue_server.persistence.statements import (
    OPEN_COUNTER_CODES,
    WAITING_BY_CLASS,
    queue_heads_statement,
    recent_durations_statement,
)
from queue_server.services.offices import OfficeSnapshot

RECENT_SERVICE_SAMPLES = 20
_RECENT_DURATIONS = recent_durations_statement(RECENT_SERVICE_SAMPLES)
_QUEUE_HEADS = queue_heads_statement()


def entry_of(row: TicketRow) -> QueueEntry:
    return QueueEntry(
        ticket_id=TicketId(row.id),
        service=ServiceId(row.service_code),
        station=StationType(row.station),
        priority=row.priority,
        queued_at=row.queued_at,
        appointment_at=row.appointment_at,
    )


ENTRY_COLUMNS = (
    TicketRow.id,
    TicketRow.service_code,
    TicketRow.station,
    TicketRow.priority,
    TicketRow.queued_at,
    TicketRow.appointment_at,
)


def _entries(rows: Iterable[Any]) -> list[QueueEntry]:
    return [
        QueueEntry(
            ticket_id=TicketId(ticket_id),
            service=ServiceId(service),
            station=StationType(station),
            priority=priority,
            queued_at=queued_at,
            appointment_at=appointment_at,
        )
        for ticket_id, service, station, priority, queued_at, appointment_at in rows
    ]


def _waiting_at(office_id: str, stations: Iterable[StationType]) -> Select:  # type: ignore[type-arg]
    return select(*ENTRY_COLUMNS).where(
        TicketRow.office_id == office_id,
        TicketRow.status == TicketStatus.WAITING.value,
        TicketRow.station.in_([station.value for station in stations]),
    )


def waiting_entries(
    session: Session, office_id: str, stations: Iterable[StationType]
) -> list[QueueEntry]:
    """Every waiting ticket at ``stations``, as the calling policy sees them."""
    return _entries(session.execute(_waiting_at(office_id, stations)))


def head_entries(
    session: Session,
    office_id: str,
    counter: CounterProfile,
    *,
    limit: int,
    skip: Collection[int] = (),
) -> list[QueueEntry]:
    """The oldest ``limit`` waiting walk-ins and booked tickets of each class ``counter`` serves.

    Enough for :func:`~queue_server.domain.calling.choose_next`, which only looks at the
    head of each class; ``skip`` leaves out tickets another counter is claiming.
    """
    params = {
        "limit": limit,
        "office_id": office_id,
        "stations": [station.value for station in counter.stations],
        "all_services": not counter.services,
        "services": sorted(counter.services),
        "skip": list(skip),
    }
    return _entries(session.execute(_QUEUE_HEADS, params))


def waiting_by_class(
    session: Session, office_id: str, station: StationType
) -> dict[tuple[str, bool], int]:
    """Waiting tickets at ``station`` counted per (service, priority)."""
    rows = run(session, WAITING_BY_CLASS, {"office_id": office_id, "station": station.value})
    return {(service, bool(priority)): int(count) for service, priority, count in rows}


def open_counter_codes(session: Session, office_id: str) -> set[str]:
    return set(run(session, OPEN_COUNTER_CODES, {"office_id": office_id}).scalars())


def counters_serving(
    snapshot: OfficeSnapshot, open_codes: set[str], station: StationType, service: ServiceId
) -> int:
    return sum(
        1
        for code, counter in snapshot.counters.items()
        if code in open_codes and counter.serves(station, service)
    )


def recent_service_minutes(session: Session, office_id: str, station: StationType) -> list[float]:
    """Durations (called to finished) of the latest finished tickets at ``station``."""
    rows = session.execute(_RECENT_DURATIONS, {"office_id": office_id, "station": station.value})
    return [
        (finished - called).total_seconds() / 60
        for called, finished in rows
        if called is not None and finished is not None
    ]


class StatsSource(Protocol):
    """Open counters and recent service minutes, possibly cached (see station_stats)."""

    def open_counters(self, session: Session, office_id: str) -> set[str]: ...

    def recent_minutes(
        self, session: Session, office_id: str, station: StationType
    ) -> list[float]: ...


@dataclass(frozen=True)
class Outlook:
    """Where a ticket (or a newcomer) stands in its queue."""

    people_ahead: int
    open_counters: int
    minutes_per_ticket: float
    estimated_wait_minutes: float | None


def outlook(
    session: Session,
    snapshot: OfficeSnapshot,
    *,
    service: ServiceId,
    station: StationType,
    standard_minutes: float,
    ticket_id: TicketId | None = None,
    priority: bool = False,
    stats: StatsSource | None = None,
) -> Outlook:
    """People ahead and estimated wait for the waiting ticket ``ticket_id``, or for a
    newcomer of the given class when ``ticket_id`` is None (counted, not listed).

    ``stats`` may supply the open counters and recent service times from a short cache.
    """
    office_id = snapshot.office.id
    if ticket_id is None:
        ahead = _newcomer_ahead(session, snapshot, service, station, priority)
    else:
        ahead = _ticket_ahead(session, snapshot, service, station, ticket_id)
    if stats is None:
        open_codes = open_counter_codes(session, office_id)
        recent = recent_service_minutes(session, office_id, station)
    else:
        open_codes = stats.open_counters(session, office_id)
        recent = stats.recent_minutes(session, office_id, station)
    open_count = counters_serving(snapshot, open_codes, station, service)
    per_ticket = service_time_minutes(recent, standard_minutes)
    return Outlook(
        ahead, open_count, per_ticket, estimate_wait_minutes(ahead, open_count, per_ticket)
    )


def _newcomer_ahead(
    session: Session,
    snapshot: OfficeSnapshot,
    service: ServiceId,
    station: StationType,
    priority: bool,
) -> int:
    counts = {True: 0, False: 0}
    for (other, is_priority), count in waiting_by_class(
        session, snapshot.office.id, station
    ).items():
        if _share_counters(snapshot, station, ServiceId(other), service):
            counts[is_priority] += count
    return newcomer_position(
        priority_waiting=counts[True],
        regular_waiting=counts[False],
        priority=priority,
        policy=snapshot.office.priority,
    )


def people_ahead(
    session: Session,
    snapshot: OfficeSnapshot,
    service: ServiceId,
    station: StationType,
    ticket_id: TicketId,
) -> int:
    """How many waiting tickets come before the waiting ticket ``ticket_id``."""
    return _ticket_ahead(session, snapshot, service, station, ticket_id)


def _ticket_ahead(
    session: Session,
    snapshot: OfficeSnapshot,
    service: ServiceId,
    station: StationType,
    ticket_id: TicketId,
) -> int:
    entries = [
        entry
        for entry in waiting_entries(session, snapshot.office.id, [station])
        if _share_counters(snapshot, station, entry.service, service)
    ]
    ordered = [
        entry.ticket_id
        for entry in order_queue(entries, streak=Streak(), policy=snapshot.office.priority)
    ]
    return ordered.index(ticket_id) if ticket_id in ordered else len(ordered)


def _share_counters(
    snapshot: OfficeSnapshot, station: StationType, other: ServiceId, service: ServiceId
) -> bool:
    """Whether some counter serves both services' tickets at ``station``."""
    return any(
        counter.serves(station, other) and counter.serves(station, service)
        for counter in snapshot.counters.values()
    )


def quota_used(session: Session, office_id: str, scope: str, office_day: date) -> int:
    used = session.scalar(
        select(QuotaUsageRow.used).where(
            QuotaUsageRow.office_id == office_id,
            QuotaUsageRow.scope == scope,
            QuotaUsageRow.office_day == office_day,
        )
    )
    return int(used or 0)


def ticket_at_counter(session: Session, counter_pk: int) -> TicketRow | None:
    return session.scalar(
        select(TicketRow).where(
            TicketRow.counter_pk == counter_pk,
            TicketRow.status.in_([status.value for status in AT_COUNTER_STATUSES]),
        )
    )


def tickets_at_counters(session: Session, counter_pks: list[int]) -> dict[int, TicketRow]:
    """The ticket at each of ``counter_pks`` that has one, in one query (the first by id
    should a counter ever hold two)."""
    if not counter_pks:
        return {}
    found: dict[int, TicketRow] = {}
    for ticket in session.scalars(
        select(TicketRow)
        .where(
            TicketRow.counter_pk.in_(counter_pks),
            TicketRow.status.in_([status.value for status in AT_COUNTER_STATUSES]),
        )
        .order_by(TicketRow.id)
    ):
        if ticket.counter_pk is not None:
            found.setdefault(ticket.counter_pk, ticket)
    return found


def waiting_counts(session: Session, office_id: str) -> dict[str, int]:
    """Waiting tickets per service code."""
    rows = session.execute(
        select(TicketRow.service_code, func.count())
        .where(TicketRow.office_id == office_id, TicketRow.status == TicketStatus.WAITING.value)
        .group_by(TicketRow.service_code)
    )
    return {service: int(count) for service, count in rows}
