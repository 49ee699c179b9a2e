"""M-Paspor bookings: imported lists, and check-in at the kiosk.

The booking itself lives in M-Paspor; the office imports the day's list (code, service,
slot). A check-in finds the booking by the code the applicant scans, checks the day, the
slot window and that the documents are ready (the SOP gives the customer-service number
only then), and issues the ticket queued by the booked slot. The booking checks live in
:mod:`~queue_server.services.booking_checks` and run inside the issuing transaction,
which also marks the booking used, so a booking gives exactly one ticket on every path.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time

from queue_server.domain.ids import TicketSource
from queue_server.persistence.db import Database
from queue_server.persistence.models import BookingRow
from queue_server.services.booking_checks import (
    CODE_PATTERN,
    find_booking,
    normalise_code,
    usable_booking,
)
from queue_server.services.events import EventBus
from queue_server.services.issuing import IssuedTicket, IssueRequest, IssuingService
from queue_server.services.offices import OfficeCatalog
from queue_server.services.retries import RetryKey
from queue_server.services.unit import Actor, Clock, UseCases, utc_now


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
        self,
        office: str,
        entries: Iterable[BookingEntry],
        *,
        actor: Actor,
        rejected: int | None = None,
    ) -> ImportResult:
        """Add or move bookings (a booking already checked in is left as it is).

        ``rejected``: rows of the uploaded file refused before (named in the audit row).
        """
        added = updated = unchanged = 0
        with self.unit() as work:
            snapshot = self.catalog.get(work.session, office)
            for entry in entries:
                service = snapshot.service(entry.service)
                slot_at = datetime.combine(entry.day, entry.slot, snapshot.office.zone)
                code = normalise_code(entry.code)
                row = find_booking(work.session, office, code)
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
            counts = {"added": added, "updated": updated, "unchanged": unchanged}
            if rejected is not None:
                counts["rejected"] = rejected
            work.audit(actor, "import_bookings", office_id=office, target=None, **counts)
        return ImportResult(added, updated, unchanged)

    def check_in(
        self, request: CheckInRequest, *, actor: Actor, retry_key: RetryKey | None = None
    ) -> IssuedTicket:
        """Issue the ticket of a booked applicant (a retried request gets the same ticket).

        The booking is checked and claimed by the issuing transaction; it is looked up
        here first only to learn its service.
        """
        if retry_key is not None:
            earlier = self._issuing.earlier_answer(retry_key)
            if earlier is not None:
                return earlier
        with self.read() as session:
            snapshot = self.catalog.get(session, request.office)
            service = usable_booking(session, snapshot, request.code, self.clock()).service_code
        return self._issuing.issue(
            IssueRequest(
                office=request.office,
                service=service,
                source=TicketSource.KIOSK,
                language=request.language,
                booking_ref=request.code,
                documents_ready=request.documents_ready,
                nik=request.nik,
            ),
            actor=actor,
            retry_key=retry_key,
            action="check_in",
        )


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
            f"baris judul harus berisi kolom {columns} / the header must name the columns {columns}"
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
