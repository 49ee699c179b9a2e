"""Use case: the admin console's view of a day's remote registrations, and cancelling one.

Per window: its quota, the places its quota counter holds (a session's counter is shared
with the session's walk-ins), and the registrations checked in, not come yet and
cancelled; then the list (no phone: there is none, only a hash, and it is not shown).
Cancelling a registration not checked in yet marks it ``cancelled`` and gives its quota
place back in the same transaction (audited, ``registration.cancel``); the kiosk then
refuses its code (``registration_cancelled``).
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from typing import Any

from sqlalchemy import select, update

from queue_server.domain.errors import DomainError, NotFound, ServiceNotFound
from queue_server.domain.registration import RegistrationWindow, UnknownWindow
from queue_server.persistence.models import QuotaUsageRow, RegistrationRow
from queue_server.persistence.sequences import give_back_quota_place
from queue_server.services.offices import OfficeSnapshot
from queue_server.services.registration_rules import (
    CANCELLED,
    CHECKED_IN,
    CONFIRMED,
    find_window,
    quota_of,
)
from queue_server.services.unit import Actor, UseCases

#: Only this spelling (``date.fromisoformat`` also takes ``2026-W48-2`` and ``20261124``).
DAY_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
#: At most this many registrations are listed for one day.
MAX_LISTED = 5000


class BadRegistrationDay(DomainError):
    code = "bad_registration_day"
    template = "{value} is not a date; write it as YYYY-MM-DD, e.g. 2026-11-24."
    http_status = 422


class RegistrationNotFound(NotFound):
    code = "registration_not_found"
    template = "This office has no registration {id}."


class RegistrationNotCancellable(DomainError):
    code = "registration_not_cancellable"
    template = "Registration {code} was checked in already; it cannot be cancelled."
    http_status = 409


class RegistrationAlreadyCancelled(DomainError):
    code = "registration_already_cancelled"
    template = "Registration {code} is cancelled already."
    http_status = 409


class RegistrationDayPast(DomainError):
    code = "registration_day_past"
    template = "Registration {code} was for {date}, a day that is over; it cannot be cancelled."
    http_status = 409


def parse_day(value: str | None) -> date | None:
    """``YYYY-MM-DD``, or ``None`` when not given (today); anything else is refused."""
    if value is None or value == "":
        return None
    try:
        if DAY_PATTERN.fullmatch(value) is None:
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise BadRegistrationDay(value=value[:40]) from None


class RegistrationAdmin(UseCases):
    """The Registrations section of the admin console (see the module docstring)."""

    def day(self, office: str, day: date | None = None) -> dict[str, Any]:
        with self.read() as session:
            snapshot = self.catalog.get(session, office)
            day = day or snapshot.office.office_day(self.clock())
            rows = list(
                session.scalars(
                    select(RegistrationRow)
                    .where(RegistrationRow.office_id == office, RegistrationRow.service_day == day)
                    .order_by(RegistrationRow.created_at, RegistrationRow.id)
                    .limit(MAX_LISTED)
                )
            )
            used = {
                scope: count
                for scope, count in session.execute(
                    select(QuotaUsageRow.scope, QuotaUsageRow.used).where(
                        QuotaUsageRow.office_id == office, QuotaUsageRow.office_day == day
                    )
                )
            }
        counts: Counter[tuple[str, str]] = Counter((row.window_code, row.status) for row in rows)
        defined = list(snapshot.definition.registration_windows)
        codes = [window.code for window in defined]
        codes += sorted({row.window_code for row in rows} - set(codes))  # removed since
        windows = []
        for code in codes:
            window = _window(snapshot, code)
            quota: int | None = None
            taken: int | None = None
            if window is not None:
                scope, quota = quota_of(snapshot, window, window.services[0], day)
                taken = used.get(scope, 0)
            windows.append(
                {
                    "window": code,
                    "names": window.names if window else {"id": code, "en": code},
                    "quota": quota,
                    "places_taken": taken,
                    "checked_in": counts[code, CHECKED_IN],
                    "not_come": counts[code, CONFIRMED],
                    "cancelled": counts[code, CANCELLED],
                }
            )
        return {
            "day": day,
            "today": snapshot.office.office_day(self.clock()),
            "windows": windows,
            "items": [_item(snapshot, row) for row in rows],
        }

    def cancel(self, office: str, registration_id: int, *, actor: Actor) -> dict[str, Any]:
        """Cancel a registration not checked in yet and give its quota place back."""
        with self.unit() as work:
            snapshot = self.catalog.get(work.session, office)
            row = work.session.scalars(
                select(RegistrationRow).where(
                    RegistrationRow.id == registration_id, RegistrationRow.office_id == office
                )
            ).one_or_none()
            if row is None:
                raise RegistrationNotFound(id=registration_id)
            if row.status == CANCELLED:
                raise RegistrationAlreadyCancelled(code=row.code)
            if row.status == CHECKED_IN:
                raise RegistrationNotCancellable(code=row.code)
            if row.service_day < snapshot.office.office_day(work.now):
                raise RegistrationDayPast(code=row.code, date=row.service_day.strftime("%d-%m-%Y"))
            changed = work.session.execute(
                update(RegistrationRow)
                .where(RegistrationRow.id == row.id, RegistrationRow.status == CONFIRMED)
                .values(status=CANCELLED)
            )
            if changed.rowcount != 1:  # type: ignore[attr-defined]
                now_status = work.session.scalar(  # changed meanwhile by another request
                    select(RegistrationRow.status).where(RegistrationRow.id == row.id)
                )
                if now_status == CANCELLED:
                    raise RegistrationAlreadyCancelled(code=row.code)
                raise RegistrationNotCancellable(code=row.code)
            window = _window(snapshot, row.window_code)
            returned = False
            if window is not None:
                scope, _ = quota_of(snapshot, window, row.service_code, row.service_day)
                returned = give_back_quota_place(
                    work.session, office_id=office, scope=scope, office_day=row.service_day
                )
            work.audit(
                actor,
                "registration.cancel",
                office_id=office,
                target=str(row.id),
                code=row.code,
                window=row.window_code,
                day=row.service_day.isoformat(),
                place_returned=returned,
            )
            work.session.refresh(row)
            return {**_item(snapshot, row), "place_returned": returned}


def _window(snapshot: OfficeSnapshot, code: str) -> RegistrationWindow | None:
    try:
        return find_window(snapshot, code)
    except UnknownWindow:
        return None


def _item(snapshot: OfficeSnapshot, row: RegistrationRow) -> dict[str, Any]:
    window = _window(snapshot, row.window_code)
    return {
        "id": row.id,
        "window": row.window_code,
        "window_names": window.names if window else {"id": row.window_code, "en": row.window_code},
        "service": row.service_code,
        "service_names": _service_names(snapshot, row.service_code),
        "code": row.code,
        "channel": row.channel,
        "status": row.status,
        "created_at": row.created_at,
        "checked_in_at": row.checked_in_at,
    }


def _service_names(snapshot: OfficeSnapshot, code: str) -> dict[str, str]:
    try:
        service = snapshot.service(code)
    except (ServiceNotFound, DomainError):
        return {"id": code, "en": code}
    return {"id": service.name_id, "en": service.name_en}
