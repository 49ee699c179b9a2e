"""What the officer console reads: the office's setup, and one counter's screen.

The counter screen is one read snapshot: the counter, its ticket with the visit's
timeline, its waiting list in calling order, and the parked tickets and no-shows (within
their grace period) it may call back. No personal data: no NIK, name or phone.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from queue_server.domain.errors import CounterNotFound
from queue_server.domain.ids import (
    CounterId,
    ServiceId,
    ServiceKind,
    StationType,
    TicketStatus,
)
from queue_server.domain.model import CounterProfile
from queue_server.persistence.models import (
    CounterRow,
    TicketEventRow,
    TicketRow,
    UserRow,
    VisitRow,
)
from queue_server.persistence.statements import AT_COUNTER
from queue_server.services.offices import OfficeSnapshot
from queue_server.services.unit import Actor, UseCases
from queue_server.services.views import MAX_LISTED, ordered_waiting

#: Parked tickets and no-shows listed per counter (the oldest first).
MAX_SET_ASIDE = 50


def _utc_offset_minutes(timezone: str, now: datetime) -> int:
    offset = now.astimezone(ZoneInfo(timezone)).utcoffset()
    return int(offset.total_seconds() // 60) if offset is not None else 0


class ConsoleService(UseCases):
    """Read models of the officer console; each method runs in one read-only snapshot."""

    def setup(self, office: str, *, actor: Actor) -> dict[str, Any]:
        """The office as the console needs it: services, stations, counters, rules."""
        with self.read() as session:
            snapshot = self.catalog.get(session, office)
            now = self.clock()
            services = [
                _service(snapshot, service_id, now)
                for service_id, service in snapshot.services.items()
                if service.active
            ]
            used = {
                station for profile in snapshot.counters.values() for station in profile.stations
            }
            return {
                "office": {
                    "id": snapshot.office.id,
                    "name": snapshot.office.name,
                    "demo": snapshot.definition.demo,
                    "timezone": snapshot.office.timezone,
                    # the office's clock for the browser, whatever the PC's own zone says
                    # (Indonesia keeps no summer time: one offset all year)
                    "utc_offset_minutes": _utc_offset_minutes(snapshot.office.timezone, now),
                },
                "no_show_grace_minutes": snapshot.office.no_show_grace_minutes,
                "priority_categories": list(snapshot.office.priority.categories),
                "services": services,
                "stations": [station.value for station in StationType if station in used],
                "counters": [
                    _counter(row, name, snapshot.counters.get(CounterId(row.code)), actor)
                    for row, name in _counter_rows(session, office)
                ],
            }

    def counter_screen(self, office: str, counter: str, *, actor: Actor) -> dict[str, Any]:
        """Everything the counter screen shows, from one snapshot."""
        with self.read() as session:
            snapshot = self.catalog.get(session, office)
            profile = snapshot.counter(counter)
            found = _counter_rows(session, office, counter)
            if not found:
                raise CounterNotFound(counter=counter)
            row, officer = found[0]
            now = self.clock()
            grace = snapshot.office.no_show_grace_minutes
            return {
                "counter": _counter(row, officer, profile, actor),
                "now": now,
                "no_show_grace_minutes": grace,
                "current": _current(session, row.pk),
                "waiting": ordered_waiting(session, snapshot, counter, now=now, limit=MAX_LISTED),
                "parked": _parked(session, snapshot, profile, now),
                "no_shows": _no_shows(session, snapshot, profile, now, grace),
            }


def _service(snapshot: OfficeSnapshot, service_id: ServiceId, now: datetime) -> dict[str, Any]:
    service = snapshot.services[service_id]
    return {
        "id": service.id,
        "prefix": service.prefix,
        "name": {"id": service.name_id, "en": service.name_en},
        "kind": service.kind.value,
        "booking_required": service.kind is ServiceKind.BOOKING_REQUIRED,
        "open_now": snapshot.calendar.session_at(now, service.id) is not None,
        "steps": [
            {"index": index, "station": step.station.value, "later_visit": step.later_visit}
            for index, step in enumerate(service.journey)
        ],
    }


def _counter_rows(
    session: Session, office: str, code: str | None = None
) -> list[tuple[CounterRow, str | None]]:
    query = (
        select(CounterRow, UserRow.username)
        .outerjoin(UserRow, UserRow.id == CounterRow.officer_id)
        .where(CounterRow.office_id == office, CounterRow.active)
        .order_by(CounterRow.code)
    )
    if code is not None:
        query = query.where(CounterRow.code == code)
    return [(row, name) for row, name in session.execute(query)]


def _counter(
    row: CounterRow, officer: str | None, profile: CounterProfile | None, actor: Actor
) -> dict[str, Any]:
    return {
        "code": row.code,
        "name": row.name,
        "stations": sorted(station.value for station in profile.stations) if profile else [],
        "is_open": row.is_open,
        "officer": officer if row.is_open else None,
        "mine": row.is_open and row.officer_id is not None and row.officer_id == actor.user_id,
    }


def _current(session: Session, counter_pk: int) -> dict[str, Any] | None:
    found = session.execute(
        select(TicketRow, VisitRow)
        .join(VisitRow, VisitRow.id == TicketRow.visit_id)
        .where(TicketRow.counter_pk == counter_pk, AT_COUNTER)
    ).first()
    if found is None:
        return None
    ticket, visit = found
    return {
        "ticket_id": ticket.id,
        "label": ticket.label,
        "service": ticket.service_code,
        "station": ticket.station,
        "status": ticket.status,
        "priority": ticket.priority,
        "priority_category": visit.priority_category,
        "appointment_at": ticket.appointment_at,
        "issued_at": visit.created_at,
        "queued_at": ticket.queued_at,
        "called_at": ticket.called_at,
        "started_at": ticket.started_at,
        "recall_count": ticket.recall_count,
        # pickup: what the applicant gave at the kiosk (the panel starts from it)
        "application_no": visit.application_no,
        "by_proxy": visit.by_proxy,
        "timeline": _timeline(session, visit.id),
    }


def _timeline(session: Session, visit_id: int) -> list[dict[str, Any]]:
    """Every change of every ticket of the visit, oldest first, with the counter's name."""
    rows = session.execute(
        select(TicketEventRow, TicketRow.label, TicketRow.station, CounterRow.name)
        .join(TicketRow, TicketRow.id == TicketEventRow.ticket_id)
        .outerjoin(CounterRow, CounterRow.pk == TicketEventRow.counter_pk)
        .where(TicketEventRow.visit_id == visit_id)
        .order_by(TicketEventRow.at, TicketEventRow.id)
    )
    return [
        {
            "at": event.at,
            "action": event.action,
            "status": event.to_status,
            "label": label,
            "station": station,
            "counter": counter,
        }
        for event, label, station, counter in rows
    ]


def _set_aside(
    session: Session,
    snapshot: OfficeSnapshot,
    profile: CounterProfile,
    status: TicketStatus,
    now: datetime,
) -> list[TicketRow]:
    """Today's tickets in ``status`` at the counter's stations that it serves, oldest first."""
    rows = session.scalars(
        select(TicketRow)
        .where(
            TicketRow.office_id == snapshot.office.id,
            TicketRow.office_day == snapshot.office.office_day(now),
            TicketRow.status == status.value,
            TicketRow.station.in_([station.value for station in profile.stations]),
        )
        .order_by(TicketRow.id)
    )
    return [
        row for row in rows if profile.serves(StationType(row.station), ServiceId(row.service_code))
    ][-MAX_SET_ASIDE:]


def _parked(
    session: Session, snapshot: OfficeSnapshot, profile: CounterProfile, now: datetime
) -> list[dict[str, Any]]:
    rows = _set_aside(session, snapshot, profile, TicketStatus.PARKED, now)
    since = _last_change(session, [row.id for row in rows])
    return [
        {
            "ticket_id": row.id,
            "label": row.label,
            "service": row.service_code,
            "station": row.station,
            "priority": row.priority,
            "note": row.park_note,
            "since": since.get(row.id),
        }
        for row in rows
    ]


def _no_shows(
    session: Session,
    snapshot: OfficeSnapshot,
    profile: CounterProfile,
    now: datetime,
    grace_minutes: int,
) -> list[dict[str, Any]]:
    """No-shows still within their grace period (they may be called or put back)."""
    grace = timedelta(minutes=grace_minutes)
    listed = []
    for row in _set_aside(session, snapshot, profile, TicketStatus.NO_SHOW, now):
        if row.no_show_at is None or now - row.no_show_at > grace:
            continue
        ends = row.no_show_at + grace
        listed.append(
            {
                "ticket_id": row.id,
                "label": row.label,
                "service": row.service_code,
                "station": row.station,
                "priority": row.priority,
                "no_show_at": row.no_show_at,
                "grace_ends_at": ends,
                "grace_left_minutes": round((ends - now).total_seconds() / 60, 1),
            }
        )
    return listed


def _last_change(session: Session, ticket_ids: list[int]) -> dict[int, datetime]:
    if not ticket_ids:
        return {}
    rows = session.execute(
        select(TicketEventRow.ticket_id, TicketEventRow.at).where(
            TicketEventRow.ticket_id.in_(ticket_ids)
        )
    )
    latest: dict[int, datetime] = {}
    for ticket_id, at in rows:
        if ticket_id not in latest or at > latest[ticket_id]:
            latest[ticket_id] = at
    return latest
