"""Core statements of the hot paths (issuing, calling), built once at import.

SQLAlchemy caches compiled SQL, but building a statement, coercing its arguments and
computing its cache key on every call cost more than running it (about 0.1-0.3 ms
each). These statements are built once with bind parameters; a statement object
memoises its own cache key, so each execution only binds values. Rows written here
are plain inserts: no ORM identity, no unit-of-work flush at commit.
"""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import (
    Insert,
    Integer,
    Table,
    bindparam,
    case,
    func,
    literal_column,
    select,
    text,
    union_all,
)
from sqlalchemy.orm import Session

from queue_server.domain.ids import TicketStatus
from queue_server.persistence.fast import reserved_id, run, write
from queue_server.persistence.models import (
    AT_COUNTER_SQL,
    DONE_SQL,
    WAITING_SQL,
    AuditLogRow,
    CounterRow,
    KioskRequestRow,
    OfficeRow,
    TicketEventRow,
    TicketRow,
    VisitRow,
)


def _table(row_class: type[Any]) -> Table:
    table: Table = row_class.__table__
    return table


VISITS = _table(VisitRow)
TICKETS = _table(TicketRow)
TICKET_EVENTS = _table(TicketEventRow)
AUDIT_LOG = _table(AuditLogRow)
KIOSK_REQUESTS = _table(KioskRequestRow)
COUNTERS = _table(CounterRow)
OFFICES = _table(OfficeRow)


def _insert_returning_id(table: Table) -> Insert:
    return table.insert().returning(table.c.id)


#: Statuses in the partial indexes' conditions are written out, not bound parameters:
#: the planners use a partial index only when the query repeats its condition.
WAITING = text(WAITING_SQL)
DONE = text(DONE_SQL)
#: Qualified, so that it also reads right in a join with ``visits`` (which has a status).
AT_COUNTER = text(f"tickets.{AT_COUNTER_SQL}")

INSERT_VISIT = _insert_returning_id(VISITS)
INSERT_TICKET = _insert_returning_id(TICKETS)
INSERT_TICKET_EVENT = TICKET_EVENTS.insert()
INSERT_AUDIT = AUDIT_LOG.insert()
INSERT_KIOSK_REQUEST = KIOSK_REQUESTS.insert()

CONFIG_VERSION = select(OFFICES.c.config_version).where(OFFICES.c.id == bindparam("office_id"))

KIOSK_ANSWER = select(
    KIOSK_REQUESTS.c.device, KIOSK_REQUESTS.c.response, KIOSK_REQUESTS.c.fingerprint
).where(KIOSK_REQUESTS.c.transaction == bindparam("transaction"))

#: Waiting tickets at one station of one office, counted per (service, priority).
WAITING_BY_CLASS = (
    select(TICKETS.c.service_code, TICKETS.c.priority, func.count())
    .where(
        TICKETS.c.office_id == bindparam("office_id"),
        WAITING,
        TICKETS.c.station == bindparam("station"),
    )
    .group_by(TICKETS.c.service_code, TICKETS.c.priority)
)

OPEN_COUNTER_CODES = select(COUNTERS.c.code).where(
    COUNTERS.c.office_id == bindparam("office_id"),
    COUNTERS.c.is_open,
    COUNTERS.c.active,
)


def recent_durations_statement(samples: int) -> Any:
    """Called and finished times of the latest ``samples`` finished tickets at a station."""
    return (
        select(TICKETS.c.called_at, TICKETS.c.finished_at)
        .where(
            TICKETS.c.office_id == bindparam("office_id"),
            TICKETS.c.station == bindparam("station"),
            DONE,
            TICKETS.c.called_at.is_not(None),
        )
        .order_by(TICKETS.c.finished_at.desc())
        .limit(samples)
    )


def insert_returning_id(session: Session, statement: Insert, values: dict[str, Any]) -> int:
    """Run an ``INSERT ... RETURNING id`` built above; the new row's id.

    With an id reserved for the table (:func:`~queue_server.persistence.fast.reserve_ids`)
    the row gets it and the insert's answer is not waited for.
    """
    table: Table = statement.table  # type: ignore[assignment]
    reserved = reserved_id(session, table)
    if reserved is None:
        return int(run(session, statement, values).scalar_one())
    write(session, statement, {**values, "id": reserved})
    return reserved


# -- officer actions -----------------------------------------------------------------

#: A ticket's columns that the officer actions read (see ``services.officer.TicketState``).
TICKET_STATE_COLUMNS = (
    TICKETS.c.id,
    TICKETS.c.visit_id,
    TICKETS.c.office_id,
    TICKETS.c.office_day,
    TICKETS.c.service_code,
    TICKETS.c.step_index,
    TICKETS.c.station,
    TICKETS.c.priority,
    TICKETS.c.label,
    TICKETS.c.status,
    TICKETS.c.counter_pk,
    TICKETS.c.recall_count,
    TICKETS.c.no_show_at,
)

LOCK_COUNTER = (
    select(
        COUNTERS.c.pk,
        COUNTERS.c.code,
        COUNTERS.c.is_open,
        COUNTERS.c.priority_streak,
        COUNTERS.c.regular_streak,
        COUNTERS.c.officer_id,
    )
    .where(
        COUNTERS.c.office_id == bindparam("office_id"),
        COUNTERS.c.code == bindparam("code"),
        COUNTERS.c.active,
    )
    .with_for_update()
)

#: ``UPDATE counters SET <the given columns> WHERE pk = :counter``.
UPDATE_COUNTER = COUNTERS.update().where(COUNTERS.c.pk == bindparam("counter"))

#: The counter's called or serving ticket (the partial unique index on it), by the
#: counter's office and code: sent with the counter's lock (:data:`LOCK_COUNTER`) before
#: its answer is read, it runs once the lock is held.
TICKET_AT_NAMED_COUNTER = select(*TICKET_STATE_COLUMNS).where(
    TICKETS.c.counter_pk
    == select(COUNTERS.c.pk)
    .where(
        COUNTERS.c.office_id == bindparam("office_id"),
        COUNTERS.c.code == bindparam("code"),
        COUNTERS.c.active,
    )
    .scalar_subquery(),
    AT_COUNTER,
)

LOCK_TICKET = (
    select(*TICKET_STATE_COLUMNS)
    .where(TICKETS.c.id == bindparam("ticket"), TICKETS.c.office_id == bindparam("office_id"))
    .with_for_update()
)


@functools.lru_cache(maxsize=64)
def lock_first_waiting(count: int) -> Any:
    """Claim: of ``count`` tickets given in calling order (``ticket_0``, ``ticket_1``...),
    lock the first that still waits and that no other transaction holds (PostgreSQL locks
    the rows in that order and skips the held ones); no row when every one is taken or
    held. One round trip however many of them another server process is claiming."""
    ids = [bindparam(f"ticket_{i}", type_=Integer) for i in range(count)]
    order = case(
        *((TICKETS.c.id == ticket, literal_column(str(i))) for i, ticket in enumerate(ids))
    )
    # ``coalesce``: the waiting-tickets index cannot answer this test, so the planner looks
    # the tickets up by id (else it may scan every waiting ticket for the few given).
    waiting = func.coalesce(TICKETS.c.status, literal_column("''")) == literal_column(
        f"'{TicketStatus.WAITING.value}'"
    )
    return (
        select(*TICKET_STATE_COLUMNS)
        .where(TICKETS.c.id.in_(ids), waiting)
        .order_by(order)
        .limit(1)
        .with_for_update(skip_locked=True)
    )


#: ``UPDATE tickets SET <the given columns> WHERE id = :ticket``.
UPDATE_TICKET = TICKETS.update().where(TICKETS.c.id == bindparam("ticket"))

END_VISIT = (
    VISITS.update()
    .where(VISITS.c.id == bindparam("visit"))
    .values(ended_at=bindparam("ended_at", type_=VISITS.c.ended_at.type))
)


def _queue_head(*, priority: bool, booked: bool, stations: int, services: int, skip: int) -> Any:
    """One class's oldest waiting tickets, walk-ins or booked check-ins (``ix_tickets_queue_head``).

    A ticket's queue time is its appointment if it has one, else when it was queued;
    taking the two kinds apart lets each be read in index order instead of sorting
    every waiting ticket by ``coalesce(appointment_at, queued_at)``.
    """
    order: tuple[Any, ...]
    if booked:
        kind, order = TICKETS.c.appointment_at.is_not(None), (TICKETS.c.appointment_at,)
    else:
        # appointment_at is NULL in every row here; naming it keeps the index's column
        # order, so PostgreSQL reads in index order instead of sorting (IS NULL is not
        # an equality to its planner).
        kind = TICKETS.c.appointment_at.is_(None)
        order = (TICKETS.c.appointment_at, TICKETS.c.queued_at)
    conditions: list[Any] = [
        TICKETS.c.office_id == bindparam("office_id"),
        WAITING,
        TICKETS.c.priority == priority,
        kind,
        TICKETS.c.station.in_([bindparam(f"station_{i}") for i in range(stations)]),
    ]
    if services:
        codes: list[Any] = [bindparam(f"service_{i}") for i in range(services)]
        conditions.append(TICKETS.c.service_code.in_(codes))
    if skip:
        conditions.append(TICKETS.c.id.not_in([bindparam(f"skip_{i}") for i in range(skip)]))
    return (
        select(
            TICKETS.c.id,
            TICKETS.c.service_code,
            TICKETS.c.station,
            TICKETS.c.priority,
            TICKETS.c.queued_at,
            TICKETS.c.appointment_at,
        )
        .where(*conditions)
        .order_by(*order, TICKETS.c.id)
        .limit(bindparam("limit", type_=Integer))
    )


@functools.lru_cache(maxsize=256)
def queue_heads_statement(stations: int, services: int, skip: int) -> Any:
    """The oldest ``:limit`` waiting walk-ins and booked tickets of each class, in one query,
    for a counter serving ``stations`` stations and ``services`` services (0: every
    service), leaving ``skip`` tickets out.

    Together they hold each class's oldest ``:limit`` tickets in calling order. One
    parameter per value (``station_0``, ``service_0``, ``skip_0``...) instead of
    expanding lists, so the statement runs straight on the driver
    (:func:`queue_server.persistence.fast.run`); built once per shape (a counter's
    profile, the tickets skipped while claiming).
    """
    shape = {"stations": stations, "services": services, "skip": skip}
    heads = [
        _queue_head(priority=priority, booked=booked, **shape).subquery()
        for priority in (True, False)
        for booked in (False, True)
    ]
    return union_all(*(select(head) for head in heads))
