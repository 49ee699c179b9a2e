"""The admin console's live dashboard: one read snapshot of an office's floor.

Per service the waiting count, the longest wait and the estimated wait for a newcomer;
per counter open or closed, who opened it and the ticket there; the steps finished per
hour of today; alerts (a step past its SOP standard time, a wait past the threshold, a
device offline or out of paper, a kiosk's outbox waiting too long); the devices. No
personal data: labels, codes, user names.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from queue_server.domain.ids import AT_COUNTER_STATUSES, CounterId, ServiceId, TicketStatus
from queue_server.persistence.models import CounterRow, DeviceRow, TicketRow, UserRow
from queue_server.services import queries
from queue_server.services.console import _utc_offset_minutes
from queue_server.services.devices import outbox_view
from queue_server.services.offices import OfficeSnapshot
from queue_server.services.unit import UseCases

#: A queue's longest wait above this many minutes is an alert (``?wait_alert=`` changes it).
DEFAULT_WAIT_ALERT_MINUTES = 30
#: A kiosk's outbox whose oldest item is older than this many minutes is an alert
#: (``?outbox_alert=`` changes it): the kiosk cannot deliver its offline tickets or ratings.
DEFAULT_OUTBOX_ALERT_MINUTES = 10
#: Printer and component states that need someone at the device.
DEVICE_PROBLEMS = frozenset(
    {"paper_out", "paper_near_end", "cover_open", "offline", "timeout", "printer_error", "error"}
)
_AT_COUNTER = [status.value for status in AT_COUNTER_STATUSES]


def _minutes(later: datetime, earlier: datetime) -> float:
    return round((later - earlier).total_seconds() / 60, 1)


class DashboardService(UseCases):
    """The live dashboard's read model (Admin and Laporan)."""

    def summary(
        self,
        office: str,
        *,
        wait_alert_minutes: int = DEFAULT_WAIT_ALERT_MINUTES,
        outbox_alert_minutes: int = DEFAULT_OUTBOX_ALERT_MINUTES,
    ) -> dict[str, Any]:
        with self.read() as session:
            snapshot = self.catalog.get(session, office)
            now = self.clock()
            services = _services(session, snapshot, now)
            counters = _counters(session, snapshot, now)
            devices = _devices(session, office, now)
            alerts = (
                [alert for counter in counters if (alert := counter.pop("alert")) is not None]
                + [
                    {
                        "kind": "long_wait",
                        "service": item["id"],
                        "minutes": item["longest_wait_minutes"],
                        "threshold": wait_alert_minutes,
                    }
                    for item in services
                    if (item["longest_wait_minutes"] or 0) > wait_alert_minutes
                ]
                + [
                    {"kind": "device", "device": device["id"], "problems": device["problems"]}
                    for device in devices
                    if device["problems"]
                ]
                + _outbox_alerts(devices, outbox_alert_minutes)
            )
            return {
                "office": {
                    "id": snapshot.office.id,
                    "name": snapshot.office.name,
                    "demo": snapshot.definition.demo,
                    "timezone": snapshot.office.timezone,
                    "utc_offset_minutes": _utc_offset_minutes(snapshot.office.timezone, now),
                },
                "now": now,
                "today": _today(snapshot, now),
                "wait_alert_minutes": wait_alert_minutes,
                "outbox_alert_minutes": outbox_alert_minutes,
                "services": services,
                "counters": counters,
                "throughput": _throughput(session, snapshot, now),
                "alerts": alerts,
                "devices": devices,
            }


def _clock_time(moment: time) -> str:
    """HH:MM as the office file writes it (the end of the day is 24:00)."""
    return "24:00" if moment == time.max else moment.strftime("%H:%M")


def _today(snapshot: OfficeSnapshot, now: datetime) -> dict[str, Any]:
    """The office day: its holiday (by name) and its sessions with their hours."""
    day = snapshot.office.office_day(now)
    holiday, plan = snapshot.calendar.day_plan(day)
    return {
        "date": day,
        "holiday": holiday,
        "sessions": [
            {
                "code": session.code,
                "name": {"id": session.name_id, "en": session.name_en} if session.special else None,
                "opens": _clock_time(session.opens.time()),
                "closes": _clock_time(session.closes.time()),
                "quota": session.quota,
            }
            for session in plan
        ],
    }


def _services(session: Session, snapshot: OfficeSnapshot, now: datetime) -> list[dict[str, Any]]:
    office = snapshot.office.id
    oldest: dict[str, datetime] = {}
    waiting = session.execute(
        select(TicketRow.service_code, TicketRow.queued_at).where(
            TicketRow.office_id == office, TicketRow.status == TicketStatus.WAITING.value
        )
    )
    for code, queued_at in waiting:
        if code not in oldest or queued_at < oldest[code]:
            oldest[code] = queued_at
    counts = queries.waiting_counts(session, office)
    result = []
    for service in snapshot.services.values():
        if not service.active:
            continue
        outlook = queries.outlook(
            session,
            snapshot,
            service=ServiceId(service.id),
            station=service.station_for(0, priority=False),
            standard_minutes=service.journey[0].standard_minutes,
            now=now,
        )
        first = oldest.get(service.id)
        result.append(
            {
                "id": service.id,
                "prefix": service.prefix,
                "name": {"id": service.name_id, "en": service.name_en},
                "waiting": counts.get(service.id, 0),
                "longest_wait_minutes": None if first is None else _minutes(now, first),
                "estimated_wait_minutes": outlook.estimated_wait_minutes,
                "open_counters": outlook.open_counters,
                "open_now": snapshot.calendar.session_at(now, ServiceId(service.id)) is not None,
            }
        )
    return result


def _counters(session: Session, snapshot: OfficeSnapshot, now: datetime) -> list[dict[str, Any]]:
    office = snapshot.office.id
    rows = session.execute(
        select(CounterRow, UserRow.username)
        .outerjoin(UserRow, UserRow.id == CounterRow.officer_id)
        .where(CounterRow.office_id == office, CounterRow.active)
        .order_by(CounterRow.code)
    ).all()
    tickets = {
        ticket.counter_pk: ticket
        for ticket in session.scalars(
            select(TicketRow).where(
                TicketRow.office_id == office, TicketRow.status.in_(_AT_COUNTER)
            )
        )
    }
    result = []
    for row, officer in rows:
        profile = snapshot.counters.get(CounterId(row.code))
        ticket = tickets.get(row.pk)
        entry: dict[str, Any] = {
            "code": row.code,
            "name": row.name,
            "stations": sorted(station.value for station in profile.stations) if profile else [],
            "is_open": row.is_open,
            "officer": officer if row.is_open else None,
            "ticket": None,
            "alert": None,
        }
        if ticket is not None:
            began = ticket.started_at or ticket.called_at or now
            standard = _standard(snapshot, ticket)
            busy = _minutes(now, began)
            entry["ticket"] = {
                "label": ticket.label,
                "service": ticket.service_code,
                "station": ticket.station,
                "status": ticket.status,
                "since": began,
                "minutes": busy,
                "standard_minutes": standard,
            }
            if standard and busy > standard:
                entry["alert"] = {
                    "kind": "over_standard",
                    "counter": row.name,
                    "label": ticket.label,
                    "station": ticket.station,
                    "minutes": busy,
                    "standard": standard,
                }
        result.append(entry)
    return result


def _standard(snapshot: OfficeSnapshot, ticket: TicketRow) -> float | None:
    service = snapshot.services.get(ServiceId(ticket.service_code))
    if service is None or not service.journey:
        return None
    step = service.journey[min(ticket.step_index, len(service.journey) - 1)]
    return step.standard_minutes or None


def _throughput(session: Session, snapshot: OfficeSnapshot, now: datetime) -> list[dict[str, Any]]:
    """Steps finished per local hour of today, from the first hour with one to now."""
    office = snapshot.office
    finished = session.scalars(
        select(TicketRow.finished_at).where(
            TicketRow.office_id == office.id,
            TicketRow.office_day == office.office_day(now),
            TicketRow.status == TicketStatus.DONE.value,
        )
    )
    per_hour: dict[int, int] = {}
    for moment in finished:
        if moment is not None:
            hour = office.local(moment).hour
            per_hour[hour] = per_hour.get(hour, 0) + 1
    current = office.local(now).hour
    first = min([*per_hour, current])
    return [{"hour": hour, "finished": per_hour.get(hour, 0)} for hour in range(first, current + 1)]


def _outbox_alerts(devices: list[dict[str, Any]], threshold: int) -> list[dict[str, Any]]:
    """A kiosk whose oldest undelivered item waits longer than ``threshold`` minutes."""
    alerts = []
    for device in devices:
        outbox = device["outbox"]
        if outbox is not None and (outbox["oldest_minutes"] or 0) > threshold:
            alerts.append(
                {
                    "kind": "outbox",
                    "device": device["id"],
                    "waiting": outbox["waiting"],
                    "minutes": outbox["oldest_minutes"],
                    "threshold": threshold,
                }
            )
    return alerts


def _devices(session: Session, office: str, now: datetime) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(DeviceRow)
        .where(DeviceRow.office_id == office, DeviceRow.active)
        .order_by(DeviceRow.id)
    )
    result = []
    for row in rows:
        health = {str(key): str(value) for key, value in (row.health or {}).items()}
        problems = [f"{part}:{state}" for part, state in sorted(health.items())
                    if state in DEVICE_PROBLEMS]  # fmt: skip
        if row.status == "offline":
            problems.insert(0, "status:offline")
        result.append(
            {
                "id": row.id,
                "kind": row.kind,
                "status": row.status,
                "last_seen_at": row.last_seen_at,
                "health": health,
                "outbox": outbox_view(row, now),
                "problems": problems,
            }
        )
    return result
