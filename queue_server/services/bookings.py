"""M-Paspor bookings: imported lists, and check-in at the kiosk.

The booking itself lives in M-Paspor; the office imports the day's list (code, service,
slot). A check-in finds the booking by the code the applicant scans, checks the day, the
slot window and that the documents are ready (the SOP gives the customer-service number
only then), and issues the ticket queued by the booked slot. Marking the booking used is
part of the issuing transaction, so a booking gives exactly one ticket.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from queue_server.domain.errors import (
    BookingNotFound,
    BookingOtherDay,
    BookingUsed,
    DocumentsNotReady,
)
from queue_server.domain.ids import TicketSource
from queue_server.persistence.db import Database
from queue_server.persistence.models import BookingRow, VisitRow
from queue_server.services.events import EventBus
from queue_server.services.issuing import IssuedTicket, IssueRequest, IssuingService
from queue_server.services.offices import OfficeCatalog
from queue_server.services.retries import RetryKey
from queue_server.services.unit import Actor, Clock, Unit, UseCases, utc_now

CODE_PATTERN = re.compile(r"^[A-Z0-9/_-]{4,64}$")


def normalise_code(code: str) -> str:
    """Booking codes compare without spaces and case (scanners and typing differ)."""
    return re.sub(r"\s+", "", code).upper()


@dataclass(frozen=True)
class BookingEntry:
    """One line of an imported booking list; ``slot`` is office-local time."""

    code: str
    service: str
    day: date
    slot: time


@dataclass(frozen=True)
class ImportResult:
    added: int
    updated: int
    unchanged: int


@dataclass(frozen=True)
class CheckInRequest:
    office: str
    code: str
    documents_ready: bool
    language: str = "id"
    nik: str | None = None


class BookingService(UseCases):
    """Imports booking lists and checks applicants in."""

    def __init__(
        self,
        *,
        issuing: IssuingService,
        database: Database,
        catalog: OfficeCatalog,
        events: EventBus,
        clock: Clock = utc_now,
    ) -> None:
        super().__init__(database=database, catalog=catalog, events=events, clock=clock)
        self._issuing = issuing

    def import_bookings(
        self, office: str, entries: Iterable[BookingEntry], *, actor: Actor
    ) -> ImportResult:
        """Add or move bookings (a booking already checked in is left as it is)."""
        added = updated = unchanged = 0
        with self.unit() as work:
            snapshot = self.catalog.get(work.session, office)
            for entry in entries:
                service = snapshot.service(entry.service)
                slot_at = datetime.combine(entry.day, entry.slot, snapshot.office.zone)
                code = normalise_code(entry.code)
                row = _find(work.session, office, code)
                if row is None:
                    work.session.add(
                        BookingRow(
                            office_id=office,
                            code=code,
                            service_code=service.id,
                            office_day=entry.day,
                            slot_at=slot_at,
                            imported_at=work.now,
                        )
                    )
                    added += 1
                elif row.visit_id is None and (row.slot_at, row.service_code) != (
                    slot_at,
                    service.id,
                ):
                    row.slot_at, row.office_day, row.service_code = slot_at, entry.day, service.id
                    updated += 1
                else:
                    unchanged += 1
            work.audit(actor, "import_bookings", office_id=office, target=None, added=added)
        return ImportResult(added, updated, unchanged)

    def check_in(
        self, request: CheckInRequest, *, actor: Actor, retry_key: RetryKey | None = None
    ) -> IssuedTicket:
        """Issue the ticket of a booked applicant (a retried request gets the same ticket)."""
        if retry_key is not None:
            earlier = self._issuing.earlier_answer(retry_key)
            if earlier is not None:
                return earlier
        booking = self._usable_booking(request)
        if not request.documents_ready:
            raise DocumentsNotReady()
        return self._issuing.issue(
            IssueRequest(
                office=request.office,
                service=booking.service_code,
                source=TicketSource.KIOSK,
                language=request.language,
                booking_ref=booking.code,
                appointment_at=booking.slot_at,
                nik=request.nik,
            ),
            actor=actor,
            retry_key=retry_key,
            on_issue=lambda work, issued: _mark_used(work, booking.id, issued),
            action="check_in",
        )

    def _usable_booking(self, request: CheckInRequest) -> BookingRow:
        code = normalise_code(request.code)
        with self.read() as session:
            snapshot = self.catalog.get(session, request.office)
            booking = _find(session, request.office, code) if CODE_PATTERN.match(code) else None
            if booking is None:
                raise BookingNotFound()
            if booking.visit_id is not None:
                label = session.get(VisitRow, booking.visit_id)
                raise BookingUsed(label=label.label if label else "-")
            today = snapshot.office.office_day(self.clock())
            if booking.office_day != today:
                raise BookingOtherDay(day=booking.office_day.strftime("%d-%m-%Y"))
            session.expunge(booking)
        return booking


def _find(session: Session, office: str, code: str) -> BookingRow | None:
    query = select(BookingRow).where(BookingRow.office_id == office, BookingRow.code == code)
    return session.scalars(query).one_or_none()


def _mark_used(work: Unit, booking_id: int, issued: IssuedTicket) -> None:
    """Claim the booking in the issuing transaction; a concurrent check-in loses."""
    claimed = work.session.execute(
        update(BookingRow)
        .where(BookingRow.id == booking_id, BookingRow.visit_id.is_(None))
        .values(visit_id=issued.visit_id, checked_in_at=work.now)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise BookingUsed(label="-")


class BookingFileError(ValueError):
    """A booking list that cannot be read; names every bad line (nothing is imported)."""


CSV_COLUMNS = ("code", "service", "date", "slot")


def read_booking_csv(text: str) -> list[BookingEntry]:
    """Parse ``code,service,date,slot`` lines (date YYYY-MM-DD, slot HH:MM office time).

    Problems are listed per line in Indonesian and English; nothing is imported then.
    """
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or not set(CSV_COLUMNS) <= set(reader.fieldnames):
        columns = ", ".join(CSV_COLUMNS)
        raise BookingFileError(
            f"baris judul harus berisi kolom {columns} / the header must name the columns "
            f"{columns}"
        )
    entries, problems = [], []
    for line, row in enumerate(reader, start=2):
        code = normalise_code(row["code"] or "")
        if not CODE_PATTERN.match(code):
            problems.append(f"baris {line}: kode booking tidak valid / line {line}: invalid code")
            continue
        try:
            day = date.fromisoformat((row["date"] or "").strip())
            slot = time.fromisoformat((row["slot"] or "").strip())
        except ValueError:
            problems.append(
                f"baris {line}: tanggal (YYYY-MM-DD) atau jam (HH:MM) tidak valid / "
                f"line {line}: invalid date (YYYY-MM-DD) or time (HH:MM)"
            )
            continue
        entries.append(BookingEntry(code, (row["service"] or "").strip(), day, slot))
    if problems:
        raise BookingFileError("; ".join(problems))
    return entries
