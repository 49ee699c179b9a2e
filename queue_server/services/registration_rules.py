"""The rules of remote registration that need the office's calendar or the database:
which window, whether it is open, whether the day runs, the quota place, a fresh code,
and whether a stored registration may still be checked in."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from queue_server.domain.calendar import REGULAR
from queue_server.domain.ids import ServiceId
from queue_server.domain.registration import (
    RegistrationCancelled,
    RegistrationClosed,
    RegistrationDayClosed,
    RegistrationDuplicate,
    RegistrationFull,
    RegistrationOtherDay,
    RegistrationUsed,
    RegistrationWindow,
    UnknownWindow,
    new_code,
    not_open_until,
)
from queue_server.persistence.models import NotificationRow, RegistrationRow, VisitRow
from queue_server.persistence.sequences import take_quota_place
from queue_server.services.offices import OfficeSnapshot
from queue_server.services.unit import Unit

CONFIRMED, CHECKED_IN, CANCELLED = "confirmed", "checked_in", "cancelled"
CODE_ATTEMPTS = 20


class RepeatedAttempt(Exception):
    """The provider delivered this message before: it was handled then (nothing to do)."""


def known_attempt(work: Unit, attempt: str) -> bool:
    keys = tuple(f"{kind}:{attempt}" for kind in ("reg", "reg-refused", "reg-early", "reg-no"))
    found = work.session.scalar(
        select(NotificationRow.id).where(NotificationRow.idempotency_key.in_(keys))
    )
    return found is not None


def find_window(snapshot: OfficeSnapshot, code: str) -> RegistrationWindow:
    for window in snapshot.definition.registration_windows:
        if window.code == code:
            return window
    raise UnknownWindow(window=code)


def check_open(
    snapshot: OfficeSnapshot, window: RegistrationWindow, day: date, now: datetime
) -> None:
    zone = snapshot.office.zone
    opens = window.opens_at(day, zone)
    if now < opens:
        raise not_open_until(window, opens)
    if now >= window.closes_at(day, zone):
        raise RegistrationClosed(window=window.names)


def runs_on(snapshot: OfficeSnapshot, window: RegistrationWindow) -> Callable[[date], bool]:
    """Whether the window's first service is served (in its session) on a day."""
    wanted = window.session or REGULAR
    service = ServiceId(window.services[0])

    def runs(day: date) -> bool:
        sessions = snapshot.calendar.sessions_on(day, service)
        return any(session.code == wanted for session in sessions)

    return runs


def check_day(
    snapshot: OfficeSnapshot, window: RegistrationWindow, service: str, day: date
) -> None:
    """The service day must run the window's session (or regular hours)."""
    wanted = window.session or REGULAR
    sessions = snapshot.calendar.sessions_on(day, ServiceId(service))
    if any(session.code == wanted for session in sessions):
        return
    holiday = snapshot.calendar.holiday_name(day)
    reason = {"id": holiday, "en": holiday} if holiday else {"id": "kantor tutup", "en": "closed"}
    raise RegistrationDayClosed(window=window.names, date=day.strftime("%d-%m-%Y"), reason=reason)


def arrival(
    snapshot: OfficeSnapshot, window: RegistrationWindow, service: str, day: date
) -> tuple[datetime, datetime]:
    """When the registered applicant is expected: the session's hours or the window's."""
    if window.session is not None:
        for session in snapshot.calendar.sessions_on(day, ServiceId(service)):
            if session.code == window.session:
                return session.opens, session.closes
        check_day(snapshot, window, service, day)  # the session does not run that day
    zone = snapshot.office.zone
    assert window.arrive_from is not None and window.arrive_until is not None
    return (
        datetime.combine(day, window.arrive_from, zone),
        datetime.combine(day, window.arrive_until, zone),
    )


def refuse_second(
    work: Unit, office: str, window: RegistrationWindow, day: date, hashed: str
) -> None:
    """Refuse a phone number that already holds a place in ``window`` on ``day``."""
    held = work.session.scalar(
        select(RegistrationRow.id).where(
            RegistrationRow.office_id == office,
            RegistrationRow.window_code == window.code,
            RegistrationRow.service_day == day,
            RegistrationRow.phone_hash == hashed,
            RegistrationRow.status != CANCELLED,
        )
    )
    if held is not None:
        raise RegistrationDuplicate(window=window.names, date=day.strftime("%d-%m-%Y"))


def take_place(
    work: Unit, snapshot: OfficeSnapshot, window: RegistrationWindow, service: str, day: date
) -> None:
    """One place of the quota (a session's is shared with its walk-ins), or refuse."""
    scope, limit = quota_of(snapshot, window, service, day)
    used = take_quota_place(work.session, office_id=snapshot.office.id, scope=scope, office_day=day)
    if limit is not None and used > limit:
        full = RegistrationFull(window=window.names, date=day.strftime("%d-%m-%Y"))
        full.day = day
        raise full


def quota_of(
    snapshot: OfficeSnapshot, window: RegistrationWindow, service: str, day: date
) -> tuple[str, int | None]:
    """The quota counter's scope of a window's places on ``day``, and its limit (if any)."""
    if window.session is not None:
        sessions = snapshot.calendar.sessions_on(day, ServiceId(service))
        limit = next((s.quota for s in sessions if s.code == window.session), None)
        return f"session:{window.session}", limit
    return f"registration:{window.code}", window.quota


def fresh_code(work: Unit, office: str, day: date) -> str:
    for _ in range(CODE_ATTEMPTS):
        code = new_code(secrets.choice)
        taken = work.session.scalar(
            select(RegistrationRow.id).where(
                RegistrationRow.office_id == office,
                RegistrationRow.service_day == day,
                RegistrationRow.code == code,
            )
        )
        if taken is None:
            return code
    raise IntegrityError("no free registration code", None, ValueError())


def check_usable(session: Session, row: RegistrationRow, today: date) -> None:
    if row.status == CANCELLED:
        raise RegistrationCancelled()
    if row.status == CHECKED_IN:
        visit = session.get(VisitRow, row.visit_id) if row.visit_id else None
        raise RegistrationUsed(label=visit.label if visit else "-")
    if row.service_day != today:
        raise RegistrationOtherDay(date=row.service_day.strftime("%d-%m-%Y"))
