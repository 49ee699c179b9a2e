"""No path issues a booked service without checking and claiming a booking."""

from __future__ import annotations

from datetime import date, time

import pytest

from queue_server.domain.errors import (
    BookingNotFound,
    BookingUsed,
    DocumentsNotReady,
    OfflineNotAvailable,
)
from queue_server.domain.ids import TicketSource
from queue_server.persistence.models import BookingRow, TicketRow, VisitRow
from queue_server.services.booking_checks import BookingOtherService
from queue_server.services.bookings import BookingEntry
from queue_server.services.issuing import IssueRequest
from queue_server.services.offline import OfflineTicket
from queue_server.services.retries import RetryKey
from tests.services.conftest import Engine, office_settings
from tests.services.test_engine import KIOSK, OFFICE, OFFICER, count

MONDAY = date(2026, 11, 23)


def booked(engine: Engine, **fields: object) -> object:
    request = IssueRequest(office=OFFICE, service="mpaspor", source=TicketSource.KIOSK, **fields)  # type: ignore[arg-type]
    return engine.issuing.issue(request, actor=KIOSK)


def test_issuing_refuses_an_unknown_reference_every_time(engine: Engine) -> None:
    for _ in range(2):
        with pytest.raises(BookingNotFound):
            booked(engine, booking_ref="ANY-REF-1", documents_ready=True)
    assert count(engine, VisitRow) == 0


def test_issuing_claims_the_booking_and_queues_by_its_slot(engine: Engine) -> None:
    entry = BookingEntry("MP-55501", "mpaspor", MONDAY, time(10, 15))
    engine.bookings.import_bookings(OFFICE, [entry], actor=OFFICER)
    with pytest.raises(DocumentsNotReady):
        booked(engine, booking_ref="MP-55501")
    moment = engine.clock()
    ticket = booked(engine, booking_ref="mp-55501", documents_ready=True, appointment_at=moment)
    with pytest.raises(BookingUsed) as used:
        booked(engine, booking_ref="MP-55501", documents_ready=True)
    assert used.value.params["label"] == ticket.label  # type: ignore[attr-defined]
    with engine.database.reader() as session:
        booking = session.query(BookingRow).one()
        queued = session.query(TicketRow).one()
    assert booking.visit_id == ticket.visit_id  # type: ignore[attr-defined]
    assert queued.appointment_at == booking.slot_at != moment  # the caller's slot is ignored


def test_a_walk_in_cannot_borrow_a_booking_or_a_slot(engine: Engine) -> None:
    entry = BookingEntry("MP-55502", "mpaspor", MONDAY, time(10, 15))
    engine.bookings.import_bookings(OFFICE, [entry], actor=OFFICER)
    request = IssueRequest(office=OFFICE, service="walkin", booking_ref="MP-55502")
    with pytest.raises(BookingOtherService):
        engine.issuing.issue(request, actor=KIOSK)
    slot = IssueRequest(office=OFFICE, service="walkin", appointment_at=engine.clock())
    engine.issuing.issue(slot, actor=KIOSK)
    with engine.database.reader() as session:
        assert session.query(TicketRow).one().appointment_at is None


def test_offline_tickets_of_a_service_booked_since_the_lease_are_refused(engine: Engine) -> None:
    block = engine.offline.lease(
        OFFICE, "kiosk-1", "walkin", 3, retry_key=RetryKey(device="kiosk-1", transaction="l-1")
    )
    settings = office_settings()
    for service in settings["services"]:
        if service["id"] == "walkin":
            service["kind"] = "booking_required"
    engine.load(settings)
    ticket = OfflineTicket(
        str(block["lease"]), "walkin", int(str(block["first_number"])), engine.clock()
    )
    (outcome,) = engine.offline.sync(OFFICE, "kiosk-1", [ticket])
    assert isinstance(outcome.error, OfflineNotAvailable)
    assert count(engine, VisitRow) == 0
