"""Read models: queue state, ticket status, counters; positions and wait estimates."""

from __future__ import annotations

import bisect
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache, partial
from typing import Any, Protocol, TypeVar

from sqlalchemy import (
    CompoundSelect,
    Select,
    and_,
    bindparam,
    func,
    literal,
    select,
    text,
    union_all,
)
from sqlalchemy.orm import Session

from queue_server.domain.calling import QueueEntry, Streak, newcomer_position, order_queue
from queue_server.domain.estimate import (
    MAX_RECENT_SAMPLES,
    RECENT_SAMPLES,
    OpenCounter,
    Overtaking,
    estimate_wait_minutes,
    expected_back_minutes,
    overtaking,
    pause_minutes,
    service_time_minutes,
)
from queue_server.domain.ids import (
    ServiceId,
    ServiceKind,
    StationType,
    TicketId,
    TicketStatus,
)
from queue_server.domain.model import CounterProfile
from queue_server.persistence.fast import run
from queue_server.persistence.models import (
    WAITING_SQL,
    AuditLogRow,
    BookingRow,
    CounterRow,
    QuotaUsageRow,
    TicketRow,
)
from queue_server.persistence.statements import (
    AT_COUNTER,
    OPEN_COUNTER_CODES,
    WAITING_BY_CLASS,
    queue_heads_statement,
    recent_durations_statement,
)
from queue_server.services.offices import OfficeSnapshot

RECENT_SERVICE_SAMPLES = MAX_RECENT_SAMPLES
_RECENT_DURATIONS = recent_durations_statement(RECENT_SERVICE_SAMPLES)
T = TypeVar("T")
#: Waiting tickets per station, then per (service, priority).
ByClass = dict[str, dict[tuple[str, bool], int]]


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
    return head_entries_later(session, office_id, counter, limit=limit, skip=skip)()


def head_entries_later(
    session: Session,
    office_id: str,
    counter: CounterProfile,
    *,
    limit: int,
    skip: Collection[int] = (),
) -> Callable[[], list[QueueEntry]]:
    """:func:`head_entries` sent now, read when called: in pipeline mode the query's
    answer comes with the next statement's that is read (one round trip for both)."""
    stations = [station.value for station in counter.stations]
    services = sorted(counter.services)
    skipped = sorted(skip)
    params: dict[str, object] = {"limit": limit, "office_id": office_id}
    params.update((f"station_{i}", value) for i, value in enumerate(stations))
    params.update((f"service_{i}", value) for i, value in enumerate(services))
    params.update((f"skip_{i}", value) for i, value in enumerate(skipped))
    statement = queue_heads_statement(len(stations), len(services), len(skipped))
    result = run(session, statement, params)
    return lambda: _entries(result)


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
    return recent_service(session, office_id, station).minutes


def _recent_at(station: Any) -> Select:  # type: ignore[type-arg]
    """The latest finished tickets at ``station`` with their counter
    (``ix_tickets_recent_done``)."""
    return (
        select(TicketRow.counter_pk, TicketRow.called_at, TicketRow.finished_at)
        .where(
            TicketRow.office_id == bindparam("office_id"),
            TicketRow.station == station,
            TicketRow.status == TicketStatus.DONE.value,
            TicketRow.called_at.is_not(None),
        )
        .order_by(TicketRow.finished_at.desc())
        .limit(RECENT_SERVICE_SAMPLES)
    )


RECENT_SERVICE = _recent_at(bindparam("station"))
#: A pause between a finish and the counter's next call longer than this was idle time.
LONGEST_PAUSE_MINUTES = 5.0


@dataclass(frozen=True)
class RecentService:
    """The latest service durations at a station (newest first) and the pauses between
    a counter's finish and its next call (minutes)."""

    minutes: list[float]
    pauses: list[float]


def recent_service(session: Session, office_id: str, station: StationType) -> RecentService:
    rows = run(session, RECENT_SERVICE, {"office_id": office_id, "station": station.value})
    return _recent_service(rows.all())


def recent_services(
    session: Session, office_id: str, stations: Collection[StationType]
) -> dict[StationType, RecentService]:
    """``recent_service`` of several stations in one statement (each part its own
    ``ix_tickets_recent_done`` range)."""
    if not stations:
        return {}
    order = sorted(stations, key=lambda station: station.value)
    params = {f"station_{index}": station.value for index, station in enumerate(order)}
    per_part: list[list[Any]] = [[] for _ in order]
    for part, counter, called, finished in run(
        session, _recent_of(len(order)), {"office_id": office_id, **params}
    ):
        if called is not None and finished is not None:
            per_part[part].append((counter, called, finished))
    return {  # newest first in each part, as one statement per station gives them
        station: _recent_service(sorted(rows, key=lambda row: row[2], reverse=True))
        for station, rows in zip(order, per_part, strict=True)
    }


@lru_cache(maxsize=64)
def _recent_of(count: int) -> CompoundSelect[Any]:
    """``RECENT_SERVICE`` of ``count`` stations (``:station_0``...) in one statement, each
    part numbered (built once per count: building a statement costs more than running it)."""
    parts = [
        select(literal(index).label("part"), *part.c).select_from(part)
        for index, part in enumerate(
            _recent_at(bindparam(f"station_{index}")).subquery() for index in range(count)
        )
    ]
    return union_all(*parts)


def _recent_service(found: list[Any]) -> RecentService:
    """Durations and pauses from (counter, called, finished), newest finish first."""
    rows = [
        (counter, called, finished)
        for counter, called, finished in found
        if called is not None and finished is not None
    ]
    minutes = [(finished - called).total_seconds() / 60 for _, called, finished in rows]
    pauses = []
    last_call: dict[int | None, datetime] = {}
    for counter, called, finished in rows:  # newest first: the next call is already seen
        following = last_call.get(counter)
        if following is not None and counter is not None:
            pause = (following - finished).total_seconds() / 60
            if 0 <= pause <= LONGEST_PAUSE_MINUTES:
                pauses.append(pause)
        last_call[counter] = called
    return RecentService(minutes, pauses)


#: Booked check-ins waiting whose slot comes after ``:cutoff``, per (station, service,
#: priority): they queue by their slot, so a newcomer joining at ``:cutoff`` is called
#: before them. Only those rows are read, through ``ix_tickets_queue_head`` (SQLite's
#: planner, without statistics, would read every waiting row of the office instead).
BOOKED_AFTER = (
    select(TicketRow.station, TicketRow.service_code, TicketRow.priority, func.count())
    .where(
        TicketRow.office_id == bindparam("office_id"),
        text(WAITING_SQL),  # as written in the partial index
        text("tickets.priority IN (false, true)"),  # written out: no expanding list
        TicketRow.appointment_at > bindparam("cutoff"),
    )
    .group_by(TicketRow.station, TicketRow.service_code, TicketRow.priority)
)
BOOKED_AFTER_SQLITE = text(
    "SELECT station, service_code, priority, count(*) FROM tickets "
    "INDEXED BY ix_tickets_queue_head "
    f"WHERE office_id = :office_id AND {WAITING_SQL} AND priority IN (0, 1) "
    "AND appointment_at > :cutoff GROUP BY station, service_code, priority"
).bindparams(bindparam("cutoff", type_=TicketRow.__table__.c.appointment_at.type))


def _booked_after_rows(session: Session, office_id: str, cutoff: datetime) -> Any:
    sqlite = session.get_bind().dialect.name == "sqlite"
    statement = BOOKED_AFTER_SQLITE if sqlite else BOOKED_AFTER
    return run(session, statement, {"office_id": office_id, "cutoff": cutoff})


def booked_after_later(
    session: Session, office_id: str, station: StationType, cutoff: datetime
) -> Callable[[], dict[tuple[str, bool], int]]:
    """Waiting booked check-ins at ``station`` queued after ``cutoff``, per (service,
    class): the query is sent now, its answer read when the returned call is made."""
    rows = _booked_after_rows(session, office_id, cutoff)
    return lambda: {
        (service, bool(priority)): int(count)
        for at, service, priority, count in rows
        if at == station.value
    }


def booked_after_by_station(session: Session, office_id: str, cutoff: datetime) -> ByClass:
    """Waiting booked check-ins queued after ``cutoff``, per station and (service, class)."""
    found: ByClass = {}
    for at, service, priority, count in _booked_after_rows(session, office_id, cutoff):
        found.setdefault(at, {})[(service, bool(priority))] = int(count)
    return found


#: Every active counter of an office with the applicant at it (if any), by code: what
#: the counter states and the board are built from, in one statement (the partial index
#: ``uq_tickets_active_per_counter`` finds each counter's ticket).
COUNTERS_WITH_TICKETS = (
    select(
        CounterRow.pk,
        CounterRow.code,
        CounterRow.name,
        CounterRow.is_open,
        CounterRow.rating_ticket_id,
        CounterRow.rating_asked_at,
        CounterRow.rating_until,
        TicketRow.id.label("ticket_id"),
        TicketRow.label.label("ticket_label"),
        TicketRow.status.label("ticket_status"),
        TicketRow.called_at.label("ticket_called_at"),
    )
    .outerjoin(TicketRow, and_(TicketRow.counter_pk == CounterRow.pk, AT_COUNTER))
    .where(CounterRow.office_id == bindparam("office_id"), CounterRow.active)
    .order_by(CounterRow.code, TicketRow.id)
)


def counters_with_tickets(session: Session, office_id: str) -> list[Any]:
    """The office's active counters by code, each once (the first of its tickets should a
    counter ever hold two), with the ticket at it (``ticket_*`` None when free)."""
    rows = run(session, COUNTERS_WITH_TICKETS, {"office_id": office_id}).all()
    return [row for index, row in enumerate(rows) if index == 0 or rows[index - 1].pk != row.pk]


#: The applicant at each counter now: counter code, station and when it was called.
AT_COUNTERS = (
    select(CounterRow.code, TicketRow.station, TicketRow.called_at)
    .join(CounterRow, CounterRow.pk == TicketRow.counter_pk)
    .where(
        TicketRow.office_id == bindparam("office_id"),
        AT_COUNTER,  # as the partial index says it; no list to expand: runs on the driver
    )
)

#: Waiting tickets per station (index-only), for desks that serve several stations.
WAITING_PER_STATION = (
    select(TicketRow.station, func.count())
    .where(
        TicketRow.office_id == bindparam("office_id"),
        TicketRow.status == TicketStatus.WAITING.value,
    )
    .group_by(TicketRow.station)
)


#: Tickets that joined a station's queue since ``:since`` by class, booked first steps
#: (queued by their slot) left out: the arrival rate behind overtaking.
JOINS_SINCE = (
    select(TicketRow.station, TicketRow.priority, func.count(), func.min(TicketRow.queued_at))
    .where(
        TicketRow.office_id == bindparam("office_id"),
        TicketRow.office_day == bindparam("office_day"),
        TicketRow.station.in_(bindparam("stations", expanding=True)),
        TicketRow.queued_at >= bindparam("since"),
        TicketRow.appointment_at.is_(None),
    )
    .group_by(TicketRow.station, TicketRow.priority)
)
#: How far back the arrival rate looks.
JOINS_WINDOW = timedelta(minutes=30)
JOINS_MIN_WINDOW_MINUTES = 10.0


@dataclass(frozen=True, slots=True)
class Joins:
    """Arrivals per minute at a station lately, by class."""

    priority: float = 0.0
    regular: float = 0.0


def joins_per_minute(
    session: Session, office_id: str, station: StationType, now: datetime, office_day: date
) -> Joins:
    return joins_by_station(session, office_id, [station], now, office_day)[station]


def joins_by_station(
    session: Session,
    office_id: str,
    stations: Collection[StationType],
    now: datetime,
    office_day: date,
) -> dict[StationType, Joins]:
    """``joins_per_minute`` of several stations in one statement."""
    params = {
        "office_id": office_id,
        "office_day": office_day,
        "stations": sorted(station.value for station in stations),
        "since": now - JOINS_WINDOW,
    }
    counts: dict[str, dict[bool, int]] = {}
    earliest: dict[str, datetime] = {}
    for station, priority, count, first in session.execute(JOINS_SINCE, params):
        counts.setdefault(station, {})[bool(priority)] = int(count)
        earliest[station] = min(earliest.get(station, now), first)
    found = {}
    for station in stations:
        # Early in the day the window is what has passed since the first arrival.
        window = (now - earliest.get(station.value, now)).total_seconds() / 60
        window = min(max(window, JOINS_MIN_WINDOW_MINUTES), JOINS_WINDOW.total_seconds() / 60)
        at = counts.get(station.value, {})
        found[station] = Joins(at.get(True, 0) / window, at.get(False, 0) / window)
    return found


TODAYS_BOOKINGS = select(
    BookingRow.service_code, BookingRow.slot_at, BookingRow.visit_id.is_not(None)
).where(
    BookingRow.office_id == bindparam("office_id"),
    BookingRow.office_day == bindparam("office_day"),
)
#: The show rate of bookings before the day has any: counts as this many bookings.
SHOW_RATE_PRIOR, SHOW_RATE_WEIGHT = 0.9, 10
#: Of the bookings whose slot has passed unclaimed, the share still expected to come.
LATE_SHOW_SHARE = 0.5


@dataclass(frozen=True)
class ExpectedBookings:
    """Today's bookings not checked in yet: slots per service (POSIX seconds, sorted)
    and the share of today's bookings that came."""

    slots: dict[str, list[float]]
    show_rate: float

    def between(self, service: str, start: datetime, end: datetime) -> float:
        """Booked applicants of ``service`` expected with a slot in [start, end)."""
        slots = self.slots.get(service)
        if not slots or end <= start:
            return 0.0
        found = bisect.bisect_left(slots, end.timestamp()) - bisect.bisect_left(
            slots, start.timestamp()
        )
        return found * self.show_rate


def expected_bookings(
    session: Session, office_id: str, office_day: date, now: datetime, late_minutes: float
) -> ExpectedBookings:
    """One pass over today's bookings of the office (a few hundred rows at most)."""
    cutoff = now - timedelta(minutes=late_minutes)
    slots: dict[str, list[float]] = {}
    passed = came = 0
    params = {"office_id": office_id, "office_day": office_day}
    for service, slot_at, claimed in run(session, TODAYS_BOOKINGS, params):
        if slot_at < cutoff:
            passed += 1
            came += bool(claimed)
        elif not claimed:
            slots.setdefault(service, []).append(slot_at.timestamp())
    for values in slots.values():
        values.sort()
    show_rate = (came + SHOW_RATE_PRIOR * SHOW_RATE_WEIGHT) / (passed + SHOW_RATE_WEIGHT)
    return ExpectedBookings(slots, show_rate)


#: Counters opened and closed lately (the audit log keeps every open and close).
COUNTER_HISTORY = (
    select(AuditLogRow.target, AuditLogRow.action, AuditLogRow.at)
    .where(
        AuditLogRow.office_id == bindparam("office_id"),
        AuditLogRow.action.in_(["open", "close"]),
        AuditLogRow.at >= bindparam("since"),
    )
    .order_by(AuditLogRow.at, AuditLogRow.id)
)
#: How far back the counters' history is read (longer than an office day).
HISTORY_WINDOW = timedelta(hours=14)
#: A closed spell longer than this was not a break (the night, a day off).
LONGEST_BREAK = timedelta(hours=3)


@dataclass(frozen=True)
class CounterBreaks:
    """Counters closed now after being open lately (when they closed), and the lengths of
    the breaks taken lately (minutes)."""

    closed_at: dict[str, datetime]
    breaks_minutes: list[float]

    def back_in(self, now: datetime) -> dict[str, float]:
        away = {
            code: max((now - closed).total_seconds() / 60, 0.0)
            for code, closed in self.closed_at.items()
        }
        return expected_back_minutes(away, self.breaks_minutes)


def counter_breaks(session: Session, office_id: str, now: datetime) -> CounterBreaks:
    closed_at: dict[str, datetime] = {}
    breaks: list[float] = []
    params = {"office_id": office_id, "since": now - HISTORY_WINDOW}
    for code, action, at in session.execute(COUNTER_HISTORY, params):
        if code is None:
            continue
        if action == "close":
            closed_at[code] = at
        elif code in closed_at:
            gap = at - closed_at.pop(code)
            if gap <= LONGEST_BREAK:
                breaks.append(gap.total_seconds() / 60)
    return CounterBreaks(closed_at, breaks)


@dataclass(frozen=True, slots=True)
class AtCounter:
    """The applicant a counter is serving (or has called)."""

    counter: str
    station: str
    called_at: datetime | None


def at_counters(session: Session, office_id: str) -> dict[str, AtCounter]:
    """Counter code -> its current applicant, for every busy counter of the office."""
    rows = run(session, AT_COUNTERS, {"office_id": office_id})
    return {code: AtCounter(code, station, called_at) for code, station, called_at in rows}


def waiting_per_station(session: Session, office_id: str) -> dict[str, int]:
    rows = run(session, WAITING_PER_STATION, {"office_id": office_id})
    return {station: int(count) for station, count in rows}


class StatsSource(Protocol):
    """Open counters, busy counters and recent service minutes, possibly cached
    (see station_stats)."""

    def open_counters(self, session: Session, office_id: str) -> set[str]: ...

    def recent_minutes(
        self, session: Session, office_id: str, station: StationType
    ) -> list[float]: ...

    def recent_service(
        self, session: Session, office_id: str, station: StationType
    ) -> RecentService: ...

    def at_counters(self, session: Session, office_id: str) -> dict[str, AtCounter]: ...

    def waiting_per_station(self, session: Session, office_id: str) -> dict[str, int]: ...

    def joins(
        self,
        session: Session,
        office_id: str,
        station: StationType,
        now: datetime,
        office_day: date,
    ) -> Joins: ...

    def bookings(
        self,
        session: Session,
        office_id: str,
        office_day: date,
        now: datetime,
        late_minutes: float,
    ) -> ExpectedBookings: ...

    def breaks(self, session: Session, office_id: str, now: datetime) -> CounterBreaks: ...


class FreshStats:
    """Every estimate input read now (no cache)."""

    def open_counters(self, session: Session, office_id: str) -> set[str]:
        return open_counter_codes(session, office_id)

    def recent_minutes(self, session: Session, office_id: str, station: StationType) -> list[float]:
        return recent_service_minutes(session, office_id, station)

    def recent_service(
        self, session: Session, office_id: str, station: StationType
    ) -> RecentService:
        return recent_service(session, office_id, station)

    def at_counters(self, session: Session, office_id: str) -> dict[str, AtCounter]:
        return at_counters(session, office_id)

    def waiting_per_station(self, session: Session, office_id: str) -> dict[str, int]:
        return waiting_per_station(session, office_id)

    def joins(
        self,
        session: Session,
        office_id: str,
        station: StationType,
        now: datetime,
        office_day: date,
    ) -> Joins:
        return joins_per_minute(session, office_id, station, now, office_day)

    def bookings(
        self,
        session: Session,
        office_id: str,
        office_day: date,
        now: datetime,
        late_minutes: float,
    ) -> ExpectedBookings:
        return expected_bookings(session, office_id, office_day, now, late_minutes)

    def breaks(self, session: Session, office_id: str, now: datetime) -> CounterBreaks:
        return counter_breaks(session, office_id, now)


@dataclass(frozen=True)
class Outlook:
    """Where a ticket (or a newcomer) stands in its queue."""

    people_ahead: int
    open_counters: int
    minutes_per_ticket: float
    estimated_wait_minutes: float | None


@dataclass
class SharedOutlooks:
    """What the newcomers' outlooks of several services of one office share in one
    snapshot (the queue states built together): the waiting tickets per station and class
    (read once for the office), the booked check-ins queued after a moment (one query for
    every station), and what follows from the reads and the office definition alone
    (minutes per ticket, which services share a counter, a desk's share of its stations,
    when closed counters are back), each worked out once instead of once per service. One
    per snapshot, used with one ``StatsSource``."""

    waiting_by_class: ByClass
    _booked: dict[datetime, ByClass] = field(default_factory=dict)
    _derived: dict[tuple[object, ...], object] = field(default_factory=dict)

    def booked_after(
        self, session: Session, office_id: str, station: StationType, cutoff: datetime
    ) -> dict[tuple[str, bool], int]:
        found = self._booked.get(cutoff)
        if found is None:
            found = self._booked[cutoff] = booked_after_by_station(session, office_id, cutoff)
        return found.get(station.value, {})

    def once(self, key: tuple[object, ...], make: Callable[[], T]) -> T:
        if key not in self._derived:
            self._derived[key] = make()
        return self._derived[key]  # type: ignore[return-value]


def _once(shared: SharedOutlooks | None, key: tuple[object, ...], make: Callable[[], T]) -> T:
    """``make()``, worked out once per ``shared`` (every time without)."""
    return make() if shared is None else shared.once(key, make)


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
    now: datetime | None = None,
    appointment_at: datetime | None = None,
    shared: SharedOutlooks | None = None,
) -> Outlook:
    """People ahead and estimated wait for the waiting ticket ``ticket_id``, or for a
    newcomer of the given class when ``ticket_id`` is None (counted, not listed).

    ``stats`` may supply the counters and recent service times from a short cache;
    ``now`` lets the estimate count the time the applicants at the counters have already
    spent there; ``appointment_at`` is a booked newcomer's slot (it queues by it);
    ``shared``: what the outlooks of one snapshot share (newcomers only).
    The model is :mod:`queue_server.domain.estimate`.
    """
    office_id = snapshot.office.id
    source: StatsSource = FreshStats() if stats is None else stats
    queue_time = appointment_at if appointment_at is not None else now
    if ticket_id is None:
        ahead = _newcomer_ahead(session, snapshot, service, station, priority, queue_time, shared)
    else:
        shared = None  # its place is read for itself
        ahead, queue_time = _ticket_place(session, snapshot, service, station, ticket_id)
    open_codes = source.open_counters(session, office_id)
    recent = source.recent_service(session, office_id, station)
    serving = counters_serving(snapshot, open_codes, station, service)
    # The durations of the latest 8 tickets per open counter; the pauses of the latest 20.
    per_ticket = _once(
        shared,
        ("per_ticket", station, standard_minutes, serving),
        lambda: (
            service_time_minutes(recent.minutes, standard_minutes, serving)
            + pause_minutes(recent.pauses[:RECENT_SAMPLES])
        ),
    )
    counters = _open_counters(
        session, snapshot, source, open_codes, station, service, now, per_ticket, shared
    )
    wait = estimate_wait_minutes(
        ahead,
        counters,
        per_ticket,
        overtaking=_overtaking(
            session,
            snapshot,
            source,
            counters,
            per_ticket,
            station,
            service,
            priority,
            now,
            queue_time,
            shared,
        ),
    )
    open_now = sum(1 for counter in counters if counter.back_in_minutes is None)
    return Outlook(ahead, open_now, per_ticket, wait)


def _overtaking(
    session: Session,
    snapshot: OfficeSnapshot,
    source: StatsSource,
    counters: list[OpenCounter],
    per_ticket: float,
    station: StationType,
    service: ServiceId,
    priority: bool,
    now: datetime | None,
    queue_time: datetime | None,
    shared: SharedOutlooks | None = None,
) -> list[Overtaking]:
    """The later arrivals expected to be called before the ticket (see the domain model)."""
    if now is None or not counters:
        return []
    office, office_id = snapshot.office, snapshot.office.id
    day = office.office_day(now)
    joins = source.joins(session, office_id, station, now, day)
    slot = queue_time if queue_time is not None and queue_time > now else now
    late = float(office.booking.late_minutes)
    before_slot = late_now = 0.0
    booked = _booked_services(snapshot, station, service, shared)
    if booked:
        expected = source.bookings(session, office_id, day, now, late)
        before_slot = sum(expected.between(code, now, slot) for code in booked)
        passed = sum(expected.between(code, now - timedelta(minutes=late), now) for code in booked)
        late_now = passed * LATE_SHOW_SHARE
    return overtaking(
        priority=priority,
        priority_joins_per_minute=joins.priority,
        regular_joins_per_minute=joins.regular,
        minutes_until_slot=(slot - now).total_seconds() / 60,
        priority_run=office.priority.priority_run,
        regular_run=office.priority.regular_run,
        calls_per_minute=sum(counter.share for counter in counters) / per_ticket,
        bookings_before_slot=before_slot,
        late_bookings=late_now,
        late_minutes=late,
    )


def _booked_services(
    snapshot: OfficeSnapshot,
    station: StationType,
    service: ServiceId,
    shared: SharedOutlooks | None = None,
) -> list[str]:
    """Booked services whose tickets start at ``station`` and share a counter with ``service``."""
    return _once(
        shared,
        ("booked", station, service),
        lambda: [
            other.id
            for other in snapshot.services.values()
            if other.kind is ServiceKind.BOOKING_REQUIRED
            and other.station_for(0, priority=False) is station
            and _share_counters(snapshot, station, ServiceId(other.id), service, shared)
        ],
    )


def _open_counters(
    session: Session,
    snapshot: OfficeSnapshot,
    source: StatsSource,
    open_codes: set[str],
    station: StationType,
    service: ServiceId,
    now: datetime | None,
    per_ticket: float,
    shared: SharedOutlooks | None = None,
) -> list[OpenCounter]:
    """The open counters that may call the ticket, with their share and current applicant."""
    candidates = snapshot.serving(station, service)
    serving = [counter for counter in candidates if counter.id in open_codes]
    if not serving:
        return []
    busy = source.at_counters(session, snapshot.office.id)
    back_in: dict[str, float] = {}
    planned: dict[str, tuple[tuple[float, float], ...]] = {}
    if now is not None:
        planned = _once(shared, ("planned", now), partial(_planned_breaks, snapshot, now))
        back_in = _once(
            shared,
            ("back_in", now),
            partial(_back_in, session, snapshot, source, open_codes, planned, now),
        )
    returning = [
        counter for counter in candidates if counter.id not in open_codes and counter.id in back_in
    ]
    result = []
    for counter in serving + returning:
        breaks = planned.get(counter.id, ())
        share = 1.0
        if len(counter.stations) > 1:
            share = _once(
                shared,
                ("share", station, counter.stations),
                partial(_station_share, session, snapshot, source, station, counter.stations),
            )
        if counter.id in back_in:
            back = back_in[counter.id]
            later = tuple(item for item in breaks if item[1] > back)
            result.append(OpenCounter(share, back_in_minutes=back, planned_breaks=later))
            continue
        current = busy.get(counter.id)
        busy_minutes = None
        if current is not None:
            if now is None or current.called_at is None:
                busy_minutes = per_ticket / 2
            else:
                busy_minutes = max((now - current.called_at).total_seconds() / 60, 0.0)
        # A break already begun counts only for the applicant called before it (the desk
        # closes after it); an officer who calls during the break is working through it.
        since = -1.0 if busy_minutes is None else -busy_minutes
        breaks = tuple(item for item in breaks if item[0] > since)
        result.append(OpenCounter(share, busy_minutes, planned_breaks=breaks))
    return result


def _station_share(
    session: Session,
    snapshot: OfficeSnapshot,
    source: StatsSource,
    station: StationType,
    stations: Collection[StationType],
) -> float:
    """The share of a desk serving ``stations`` that goes to ``station``: by their queues."""
    waiting = source.waiting_per_station(session, snapshot.office.id)
    here = waiting.get(station.value, 0) + 1  # the ticket itself waits here
    total = sum(waiting.get(other.value, 0) for other in stations) + 1
    return here / total


def _back_in(
    session: Session,
    snapshot: OfficeSnapshot,
    source: StatsSource,
    open_codes: set[str],
    planned: dict[str, tuple[tuple[float, float], ...]],
    now: datetime,
) -> dict[str, float]:
    """Counters closed now (open earlier today) and the minutes until each is back."""
    history = source.breaks(session, snapshot.office.id, now)
    back_in = history.back_in(now)
    for code in history.closed_at.keys() - open_codes:
        # Closed during its planned break (open earlier today): back when it ends.
        ends = next((end for begins, end in planned.get(code, ()) if begins <= 0), None)
        if ends is not None:
            back_in[code] = ends
    return back_in


def _planned_breaks(
    snapshot: OfficeSnapshot, now: datetime
) -> dict[str, tuple[tuple[float, float], ...]]:
    """Counter code -> its planned breaks today not over yet, in minutes from ``now``."""
    office = snapshot.office
    day = office.office_day(now)
    planned: dict[str, tuple[tuple[float, float], ...]] = {}
    for code, counter in snapshot.counters.items():
        windows = tuple(
            (
                (datetime.combine(day, begins, office.zone) - now).total_seconds() / 60,
                (datetime.combine(day, ends, office.zone) - now).total_seconds() / 60,
            )
            for begins, ends in counter.breaks
        )
        windows = tuple(window for window in windows if window[1] > 0)
        if windows:
            planned[code] = windows
    return planned


def _newcomer_ahead(
    session: Session,
    snapshot: OfficeSnapshot,
    service: ServiceId,
    station: StationType,
    priority: bool,
    queue_time: datetime | None,
    shared: SharedOutlooks | None = None,
) -> int:
    """People called before a newcomer joining at ``queue_time`` (now, or its booked slot)."""
    counts = {True: 0, False: 0}
    office_id = snapshot.office.id
    behind_later: Callable[[], dict[tuple[str, bool], int]] | None = None
    if queue_time is not None and _booked_services(snapshot, station, service, shared):
        if shared is None:
            behind_later = booked_after_later(session, office_id, station, queue_time)
        else:
            found = shared.booked_after(session, office_id, station, queue_time)
            behind_later = lambda: found  # noqa: E731
    # Both queries are sent before either answer is read (one round trip in pipeline mode).
    classes = (
        waiting_by_class(session, office_id, station)
        if shared is None
        else shared.waiting_by_class.get(station.value, {})
    )
    behind = {} if behind_later is None else behind_later()
    for (other, is_priority), count in classes.items():
        if _share_counters(snapshot, station, ServiceId(other), service, shared):
            counts[is_priority] += count - behind.get((other, is_priority), 0)
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
    return _ticket_place(session, snapshot, service, station, ticket_id)[0]


def _ticket_place(
    session: Session,
    snapshot: OfficeSnapshot,
    service: ServiceId,
    station: StationType,
    ticket_id: TicketId,
) -> tuple[int, datetime | None]:
    """People ahead of a waiting ticket, and its queue time (its slot when booked)."""
    entries = [
        entry
        for entry in waiting_entries(session, snapshot.office.id, [station])
        if _share_counters(snapshot, station, entry.service, service)
    ]
    ordered = order_queue(entries, streak=Streak(), policy=snapshot.office.priority)
    for index, entry in enumerate(ordered):
        if entry.ticket_id == ticket_id:
            return index, entry.queue_time
    return len(ordered), None


def _share_counters(
    snapshot: OfficeSnapshot,
    station: StationType,
    other: ServiceId,
    service: ServiceId,
    shared: SharedOutlooks | None = None,
) -> bool:
    """Whether some counter serves both services' tickets at ``station``."""
    return _once(
        shared,
        ("share", station, other, service),
        lambda: any(
            counter.serves(station, other) and counter.serves(station, service)
            for counter in snapshot.counters.values()
        ),
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
    return session.scalar(select(TicketRow).where(TicketRow.counter_pk == counter_pk, AT_COUNTER))


def waiting_counts(session: Session, office_id: str) -> dict[str, int]:
    """Waiting tickets per service code."""
    rows = session.execute(
        select(TicketRow.service_code, func.count())
        .where(TicketRow.office_id == office_id, TicketRow.status == TicketStatus.WAITING.value)
        .group_by(TicketRow.service_code)
    )
    return {service: int(count) for service, count in rows}
