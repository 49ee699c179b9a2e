"""Read-only views for the API: queue state, public ticket status, counters, audit log.

They run on the reader session and never hold personal data.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from queue_server.domain.calendar import ActiveSession
from queue_server.domain.calling import Streak, order_queue
from queue_server.domain.errors import CounterNotFound, TicketNotFound
from queue_server.domain.ids import (
    AT_COUNTER_STATUSES,
    CounterId,
    ServiceId,
    StationType,
    TicketId,
    TicketStatus,
)
from queue_server.persistence.models import (
    AuditLogRow,
    CounterRow,
    QuotaUsageRow,
    TicketRow,
    VisitRow,
)
from queue_server.protocol.answers import PublicTicket
from queue_server.protocol.base import (
    AtCounterWord,
    Bilingual,
    ServiceKindWord,
    TicketStatusWord,
)
from queue_server.protocol.states import (
    CounterState,
    JourneyStep,
    LaneState,
    QueueState,
    Quota,
    RatingPrompt,
)
from queue_server.services import queries, rating_prompts
from queue_server.services.audit_query import NO_FILTER, AuditFilter
from queue_server.services.drive_thru import waiting_at_lane
from queue_server.services.offices import OfficeSnapshot
from queue_server.services.station_stats import StationStats
from queue_server.services.unit import UseCases

#: Longest waiting list an officer's console gets in one answer.
MAX_LISTED = 200


class ViewService(UseCases):
    """Read models for the API; each method runs in one read-only snapshot."""

    def offices(self) -> list[dict[str, Any]]:
        with self.read() as session:
            result = []
            for office_id in self.catalog.office_ids(session):
                snapshot = self.catalog.get(session, office_id)
                office = snapshot.office
                result.append(
                    {
                        "id": office.id,
                        "name": office.name,
                        "timezone": office.timezone,
                        "demo": snapshot.definition.demo,
                    }
                )
            return result

    def services_overview(self, office: str) -> list[QueueState]:
        """Every active service of ``office`` with its queue state."""
        with self.read() as session:
            snapshot = self.catalog.get(session, office)
            now = self.clock()
            shared = _prefetch(session, snapshot.office.id, snapshot.office.office_day(now))
            return [
                self._queue_state(session, snapshot, service.id, shared=shared, now=now)
                for service in snapshot.services.values()
                if service.active
            ]

    def queue_state(self, office: str, service: str) -> QueueState:
        """Waiting, open counters, estimated wait for a newcomer, quota and opening hours."""
        with self.read() as session:
            snapshot = self.catalog.get(session, office)
            return self._queue_state(session, snapshot, snapshot.service(service).id)

    def queue_states(
        self,
        office: str,
        services: Collection[str] | None,
        *,
        stations: Collection[str] = (),
        skip: Collection[str] = (),
    ) -> list[QueueState]:
        """In one snapshot, the queue states of ``services`` and of every active service
        whose first station is in ``stations`` (a change there moves its estimate), but not
        of those in ``skip``; ``services`` None: every active service. Sorted by service."""
        with self.snapshot(office) as view:
            return view.queue_states(services, stations=stations, skip=skip)

    @contextmanager
    def snapshot(self, office: str) -> Iterator[OfficeView]:
        """``office`` in one read snapshot: one transaction and one check of the office
        version for every state built from it (a publish batch), all at one moment."""
        with self.read() as session:
            yield OfficeView(self, session, self.catalog.get(session, office), self.clock())

    def cached_office(self, office: str) -> OfficeSnapshot | None:
        """The office definition this process holds, without reading anything (None: none
        yet); it may be older than the stored one (see ``OfficeCatalog.cached``)."""
        return self.catalog.cached(office)

    def _queue_state(
        self,
        session: Session,
        snapshot: OfficeSnapshot,
        code: str,
        *,
        shared: Prefetched | None = None,
        now: datetime | None = None,
    ) -> QueueState:
        service = snapshot.service(code)
        if shared is None:
            shared = _prefetch(session, snapshot.office.id, None)
        if now is None:
            now = self.clock()
        first = service.station_for(0, priority=False)
        outlook = queries.outlook(
            session,
            snapshot,
            service=ServiceId(code),
            station=first,
            standard_minutes=service.journey[0].standard_minutes,
            now=now,
            stats=shared.stats,
            shared=shared.outlooks,
        )
        active = snapshot.calendar.session_at(now, ServiceId(code))
        opening = None if active else snapshot.calendar.next_opening(now, ServiceId(code))
        day = snapshot.office.office_day(now)
        scope, limit = (
            (f"session:{active.code}", active.quota)
            if active is not None and active.special
            else (f"service:{code}", service.daily_quota)
        )
        used = (
            queries.quota_used(session, snapshot.office.id, scope, day)
            if shared.quota_day != day
            else shared.quota_used.get(scope, 0)
        )
        return QueueState(
            service=code,
            prefix=service.prefix,
            name=Bilingual(id=service.name_id, en=service.name_en),
            kind=ServiceKindWord(service.kind.value),
            waiting=sum(shared.per_station.get(code, {}).values()),
            waiting_per_station=shared.per_station.get(code, {}),
            people_ahead_of_newcomer=outlook.people_ahead,
            open_counters=outlook.open_counters,
            minutes_per_ticket=round(outlook.minutes_per_ticket, 1),
            estimated_wait_minutes=outlook.estimated_wait_minutes,
            open_now=active is not None,
            session=active.code if active else None,
            next_opening=opening,
            quota=Quota(
                limit=limit, used=used, left=None if limit is None else max(0, limit - used)
            ),
            journey=[
                JourneyStep(
                    station=step.station.value,
                    standard_minutes=step.standard_minutes,
                    after_working_days=step.after_working_days,
                    after_days=step.after_days,
                )
                for step in service.journey
            ],
            **_special_session(active),
        )

    def open_sessions(self, office: str) -> frozenset[tuple[str, str]]:
        """(service, session code) of every active service open now: what changes when a
        session opens or closes (the publisher's minute tick compares it)."""
        with self.read() as session:
            snapshot = self.catalog.get(session, office)
            now = self.clock()
            found = set()
            for service in snapshot.services.values():
                active = snapshot.calendar.session_at(now, ServiceId(service.id))
                if service.active and active is not None:
                    found.add((service.id, active.code))
            return frozenset(found)

    def ticket_status(self, token: str) -> PublicTicket:
        """What an applicant sees on the phone: no personal data."""
        with self.read() as session:
            visit = session.scalar(select(VisitRow).where(VisitRow.token == token))
            if visit is None:
                raise TicketNotFound()
            snapshot = self.catalog.get(session, visit.office_id)
            ticket = session.scalars(
                select(TicketRow)
                .where(TicketRow.visit_id == visit.id)
                .order_by(TicketRow.id.desc())
            ).first()
            if ticket is None:
                raise TicketNotFound()
            service = snapshot.services.get(ServiceId(ticket.service_code))
            names = (
                Bilingual(id=service.name_id, en=service.name_en)
                if service is not None  # a reloaded office file may have dropped it
                else Bilingual(id=ticket.service_code, en=ticket.service_code)
            )
            people_ahead = wait = counter_name = None
            if ticket.status == TicketStatus.WAITING.value and service is not None:
                step = service.journey[min(ticket.step_index, len(service.journey) - 1)]
                outlook = queries.outlook(
                    session,
                    snapshot,
                    service=service.id,
                    station=StationType(ticket.station),
                    standard_minutes=step.standard_minutes,
                    ticket_id=TicketId(ticket.id),
                    now=self.clock(),
                )
                people_ahead, wait = outlook.people_ahead, outlook.estimated_wait_minutes
            elif (
                ticket.status in {status.value for status in AT_COUNTER_STATUSES}
                and ticket.counter_pk
            ):
                counter_name = session.get_one(CounterRow, ticket.counter_pk).name
            return PublicTicket(
                label=ticket.label,
                office=snapshot.public_name,
                service=names,
                station=ticket.station,
                status=TicketStatusWord(ticket.status),
                issued_at=visit.created_at,
                people_ahead=people_ahead,
                estimated_wait_minutes=wait,
                counter=counter_name,
                demo=snapshot.definition.demo,
            )

    def ticket_scope(self, token: str) -> tuple[str, str]:
        """The office and service of the ticket behind ``token`` (which changes concern it)."""
        with self.read() as session:
            row = session.execute(
                select(VisitRow.office_id, TicketRow.service_code)
                .join(TicketRow, TicketRow.visit_id == VisitRow.id)
                .where(VisitRow.token == token)
                .order_by(TicketRow.id.desc())
                .limit(1)
            ).first()
        if row is None:
            raise TicketNotFound()
        return str(row[0]), str(row[1])

    def counter_name(self, office: str, counter: str) -> str:
        """The display name of a counter (from the cached office definition)."""
        with self.read() as session:
            return counter_name(self.catalog.get(session, office), counter)

    def counters(self, office: str, *, rated: Collection[str] | None = None) -> list[CounterState]:
        """Every active counter (see ``OfficeView.counters``), in one snapshot."""
        with self.snapshot(office) as view:
            return view.counters(rated)

    def lane_states(self, office: str, lanes: Collection[str] | None = None) -> list[LaneState]:
        """The office's drive-thru lanes (see ``OfficeView.lane_states``), in one snapshot."""
        with self.snapshot(office) as view:
            return view.lane_states(lanes)

    def waiting_list(
        self, office: str, counter: str, *, limit: int = MAX_LISTED
    ) -> list[dict[str, Any]]:
        """The first ``limit`` tickets of the counter's queue, in the order it would call them."""
        with self.read() as session:
            snapshot = self.catalog.get(session, office)
            return ordered_waiting(session, snapshot, counter, now=self.clock(), limit=limit)

    def audit_log(
        self,
        *,
        limit: int,
        offset: int,
        offices: Collection[str] | None = None,
        matching: AuditFilter = NO_FILTER,
        oldest_first: bool = False,
    ) -> list[dict[str, Any]]:
        """Audit entries, newest first; with ``offices``, only the entries of those offices;
        only those ``matching`` the filter."""
        order = AuditLogRow.id.asc() if oldest_first else AuditLogRow.id.desc()
        query = select(AuditLogRow).where(*matching.conditions()).order_by(order)
        query = query.limit(limit).offset(offset)
        if offices is not None:
            query = query.where(AuditLogRow.office_id.in_(sorted(offices)))
        with self.read() as session:
            rows = session.scalars(query)
            return [
                {
                    "at": row.at.isoformat(),
                    "actor": row.actor,
                    "action": row.action,
                    "office": row.office_id,
                    "target": row.target,
                    "details": row.details,
                    "remote_addr": row.remote_addr,
                }
                for row in rows
            ]


class OfficeView:
    """One office in one read snapshot (``ViewService.snapshot``): the states a publish
    batch builds, read in one transaction with one office-version check and one ``now``.
    What they share is read once: the counters' rows give the open counters the queue
    states' estimates need, and queue states built together share their prefetch."""

    def __init__(
        self, views: ViewService, session: Session, office: OfficeSnapshot, now: datetime
    ) -> None:
        self._views, self.session, self.office, self.now = views, session, office, now
        self._shared: Prefetched | None = None
        self._open: set[str] | None = None  # the open counters, once the counters were read

    def counter_name(self, counter: str) -> str:
        return counter_name(self.office, counter)

    def counters(self, rated: Collection[str] | None = None) -> list[CounterState]:
        """Every active counter: open or not, the stations it serves, its current ticket;
        the rating question only for the counters in ``rated`` (None: all of them; the
        others get none: the board, which carries no question, needs only the rest)."""
        session, office = self.session, self.office
        rows = queries.counters_with_tickets(session, office.office.id)
        self._open = {row.code for row in rows if row.is_open}
        if self._shared is not None:
            self._shared.stats.open_from(office.office.id, self._open)
        states = []
        for row in rows:
            asked = rated is None or row.code in rated
            prompt = rating_prompts.open_prompt(session, row, self.now) if asked else None
            profile = office.counters.get(CounterId(row.code))
            stations = [station.value for station in profile.stations] if profile else []
            busy = row.ticket_id is not None
            states.append(
                CounterState(
                    code=row.code,
                    name=row.name,
                    stations=stations,
                    is_open=row.is_open,
                    ticket_label=row.ticket_label,
                    ticket_status=AtCounterWord(row.ticket_status) if busy else None,
                    ticket_id=row.ticket_id,
                    since=row.ticket_called_at,
                    rating=_rating(prompt),
                )
            )
        return states

    def queue_states(
        self,
        services: Collection[str] | None,
        *,
        stations: Collection[str] = (),
        skip: Collection[str] = (),
    ) -> list[QueueState]:
        """The queue states of ``services`` and of every active service whose first
        station is in ``stations`` (a change there moves its estimate), but not of those in
        ``skip``; ``services`` None: every active service. Sorted by service."""
        snapshot = self.office
        wanted = set(services) if services is not None else set()
        for service in snapshot.services.values():
            first = {
                service.station_for(0, priority=False).value,
                service.station_for(0, priority=True).value,
            }
            if service.active and (services is None or first & set(stations)):
                wanted.add(service.id)
        wanted.difference_update(skip)
        if not wanted:
            return []
        # What the states share (waiting counts, quotas used, open and busy counters,
        # service times, the estimate's inputs per station), read or worked out once in
        # this snapshot for all of them, at one moment.
        now, office_id = self.now, snapshot.office.id
        day = snapshot.office.office_day(now)
        if self._shared is None:
            self._shared = _prefetch(self.session, office_id, day)
            if self._open is not None:
                self._shared.stats.open_from(office_id, self._open)
        shared = self._shared
        codes = [code for code in sorted(wanted) if ServiceId(code) in snapshot.services]
        firsts = {snapshot.service(code).station_for(0, priority=False) for code in codes}
        shared.stats.preload(self.session, office_id, firsts, now, day)
        return [
            self._views._queue_state(self.session, snapshot, code, shared=shared, now=now)
            for code in codes
        ]

    def lane_states(self, lanes: Collection[str] | None = None) -> list[LaneState]:
        """The office's drive-thru lanes in ``lanes`` (None: every lane): the ids of the
        cars waiting, in arrival order. A lane the office file no longer has is left out."""
        states = []
        for lane in self.office.definition.drive_thru_lanes:
            if lanes is not None and lane.id not in lanes:
                continue
            rows = waiting_at_lane(self.session, self.office.office.id, lane.id)
            states.append(LaneState(lane=lane.id, arrivals=[row.id for row in rows]))
        return states


def counter_name(snapshot: OfficeSnapshot, counter: str) -> str:
    """The display name of ``counter`` in the office definition (its code if unknown)."""
    profile = snapshot.counters.get(CounterId(counter))
    return profile.name if profile is not None else counter


def _special_session(active: ActiveSession | None) -> dict[str, Any]:
    """The special session open now, for :class:`QueueState` (nothing in regular hours)."""
    if active is None or not active.special:
        return {}
    return {
        "session_name": Bilingual(id=active.name_id, en=active.name_en),
        "session_opens": active.opens,
        "session_closes": active.closes,
    }


@dataclass
class Prefetched:
    """What every queue state of one office reads, read once per snapshot."""

    per_station: dict[str, dict[str, int]]  # service -> station -> waiting tickets
    quota_day: date | None  # the office day of ``quota_used`` (None: not read)
    quota_used: dict[str, int]  # scope -> used that day
    stats: StationStats  # open and busy counters, service times: no expiry in one snapshot
    outlooks: queries.SharedOutlooks  # waiting per station and class, and what follows


def _prefetch(session: Session, office_id: str, day: date | None) -> Prefetched:
    per_station: dict[str, dict[str, int]] = {}
    by_class: queries.ByClass = {}
    rows = session.execute(
        select(TicketRow.service_code, TicketRow.station, TicketRow.priority, func.count())
        .where(TicketRow.office_id == office_id, TicketRow.status == TicketStatus.WAITING.value)
        .group_by(TicketRow.service_code, TicketRow.station, TicketRow.priority)
    )
    for service, station, priority, count in rows:
        at = per_station.setdefault(service, {})
        at[station] = at.get(station, 0) + int(count)
        by_class.setdefault(station, {})[(service, bool(priority))] = int(count)
    for service, at in per_station.items():  # by station: the same payload for the same counts
        per_station[service] = dict(sorted(at.items()))
    used: dict[str, int] = {}
    if day is not None:
        found = session.execute(
            select(QuotaUsageRow.scope, QuotaUsageRow.used).where(
                QuotaUsageRow.office_id == office_id, QuotaUsageRow.office_day == day
            )
        )
        used = {scope: int(count or 0) for scope, count in found}
    stats = StationStats(ttl_s=float("inf"))
    return Prefetched(per_station, day, used, stats, queries.SharedOutlooks(by_class))


def ordered_waiting(
    session: Session, snapshot: OfficeSnapshot, counter: str, *, now: datetime, limit: int
) -> list[dict[str, Any]]:
    """The first ``limit`` waiting tickets of ``counter`` in calling order, with waited
    minutes and the booked slot (``appointment_at``) of a booked check-in."""
    office = snapshot.office.id
    profile = snapshot.counter(counter)
    row = session.scalar(
        select(CounterRow).where(CounterRow.office_id == office, CounterRow.code == counter)
    )
    if row is None:
        raise CounterNotFound(counter=counter)
    entries = [
        entry
        for entry in queries.waiting_entries(session, office, profile.stations)
        if profile.serves(entry.station, entry.service)
    ]
    streak = Streak(priority=row.priority_streak, regular=row.regular_streak)
    ordered = order_queue(entries, streak=streak, policy=snapshot.office.priority)[:limit]
    found = session.execute(
        select(TicketRow.id, TicketRow.label).where(
            TicketRow.id.in_([entry.ticket_id for entry in ordered])
        )
    )
    labels = {ticket_id: label for ticket_id, label in found}
    return [
        {
            "ticket_id": entry.ticket_id,
            "label": labels.get(entry.ticket_id),
            "service": entry.service,
            "station": entry.station.value,
            "priority": entry.priority,
            "queued_at": entry.queued_at.isoformat(),
            "waiting_minutes": round((now - entry.queued_at).total_seconds() / 60, 1),
            "appointment_at": entry.appointment_at,
        }
        for entry in ordered
    ]


def _rating(prompt: rating_prompts.Prompt | None) -> RatingPrompt | None:
    if prompt is None:
        return None
    return RatingPrompt(
        ticket_label=prompt.ticket_label, asked_at=prompt.asked_at, until=prompt.until
    )
