"""The one check of an M-Paspor booking, used by every path that issues for one.

A booking is usable when its code was imported for this office, it has not given a
ticket yet and it is for today; issuing then claims it in the same transaction, so a
booking gives exactly one ticket, whichever way (kiosk check-in, API) it is used.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from queue_server.domain.errors import (
    BookingNotFound,
    BookingOtherDay,
    BookingUsed,
    DomainError,
)
from queue_server.persistence.fast import run
from queue_server.persistence.models import BookingRow, VisitRow
from queue_server.services.offices import OfficeSnapshot
from queue_server.services.unit import Unit

CODE_PATTERN = re.compile(r"^[A-Z0-9/_-]{4,64}$")


class BookingOtherService(DomainError):
    code = "booking_other_service"
    template = "This booking is for {service}, not for the service chosen."


def normalise_code(code: str) -> str:
    """Booking codes compare without spaces and case (scanners and typing differ)."""
    return re.sub(r"\s+", "", code).upper()


def find_booking(session: Session, office: str, code: str) -> BookingRow | None:
    query = select(BookingRow).where(BookingRow.office_id == office, BookingRow.code == code)
    return session.scalars(query).one_or_none()


def usable_booking(
    session: Session, snapshot: OfficeSnapshot, code: str, now: datetime
) -> BookingRow:
    """The booking behind ``code`` if it may give a ticket now, else raise.

    Raises:
        BookingNotFound: no booking with this code at this office.
        BookingUsed: the booking already gave a ticket (its label is named).
        BookingOtherDay: the booking is for another day.
    """
    normalised = normalise_code(code)
    office = snapshot.office.id
    booking = find_booking(session, office, normalised) if CODE_PATTERN.match(normalised) else None
    if booking is None:
        raise BookingNotFound()
    if booking.visit_id is not None:
        visit = session.get(VisitRow, booking.visit_id)
        raise BookingUsed(label=visit.label if visit else "-")
    if booking.office_day != snapshot.office.office_day(now):
        raise BookingOtherDay(day=booking.office_day.strftime("%d-%m-%Y"))
    return booking


#: Built once: every check-in runs it (the values are named by the caller).
_CLAIM_BOOKING = update(BookingRow).where(
    BookingRow.id == bindparam("booking"), BookingRow.visit_id.is_(None)
)


def claim_booking(work: Unit, booking_id: int, visit_id: int) -> None:
    """Mark the booking used by ``visit_id`` in the issuing transaction; a concurrent
    claim loses with BookingUsed."""
    params = {"booking": booking_id, "visit_id": visit_id, "checked_in_at": work.now}
    claimed = run(work.session, _CLAIM_BOOKING, params)
    if claimed.rowcount != 1:
        raise BookingUsed(label="-")
