"""Personal data is cleared after the retention period; the anonymous rows stay."""

from __future__ import annotations

from sqlalchemy import func, select, update

from queue_server.domain.ids import TicketSource
from queue_server.persistence.models import AuditLogRow, KioskRequestRow, TicketRow, VisitRow
from queue_server.services.issuing import IssueRequest
from queue_server.services.offices import OfficeCatalog
from queue_server.services.retention import RetentionService
from queue_server.services.unit import Actor
from tests.services.conftest import Engine

OFFICE = "kanim-test"
ADMIN = Actor(name="test")


def retention(engine: Engine) -> RetentionService:
    return RetentionService(
        database=engine.database, catalog=OfficeCatalog(), events=engine.events, clock=engine.clock
    )


def issue_with_personal_data(engine: Engine, phone: str) -> int:
    request = IssueRequest(
        office=OFFICE,
        service="walkin",
        source=TicketSource.KIOSK,
        nik="6371015001900001",
        passport_no="C1234567",
        phone=phone,
    )
    return engine.issuing.issue(request, actor=Actor(name="kiosk")).visit_id


def visit(engine: Engine, visit_id: int) -> VisitRow:
    with engine.database.reader() as session:
        row = session.get(VisitRow, visit_id)
        assert row is not None
        return row


def test_purge_clears_personal_fields_of_old_visits_only(engine: Engine) -> None:
    old = issue_with_personal_data(engine, "081234567890")
    with engine.database.writer() as session, session.begin():
        session.execute(
            update(VisitRow).where(VisitRow.id == old).values(application_no="1234567890")
        )
        session.add(
            AuditLogRow(
                at=engine.clock(),
                office_id=OFFICE,
                actor="petugas",
                action="ticket.call",
                details={},
                remote_addr="10.0.0.7",
            )
        )
        session.add(
            KioskRequestRow(
                transaction="7f0c7a52-5d0c-4e55-9a55-2f4cfd1d8a01",
                office_id=OFFICE,
                device="kiosk-1",
                action="issue_ticket",
                response={"status": "ok"},
                created_at=engine.clock(),
            )
        )
    engine.clock.advance(days=35)  # Monday 28 December, a working day
    recent = issue_with_personal_data(engine, "081298765432")
    purge = retention(engine)

    counted = purge.purge(30, dry_run=True, actor=ADMIN)
    assert (counted.visits, counted.kiosk_answers) == (1, 1)
    assert visit(engine, old).phone == "081234567890"  # a dry run changes nothing

    report = purge.purge(30, actor=ADMIN)

    assert (report.visits, report.kiosk_answers) == (1, 1)
    assert report.audit_addresses == 1
    cleared = visit(engine, old)
    assert (cleared.phone, cleared.nik_hash, cleared.nik_last4, cleared.booking_ref) == (
        None,
        None,
        None,
        None,
    )
    assert (cleared.passport_hash, cleared.passport_last4) == (None, None)
    assert cleared.application_no is None
    assert cleared.label == "B-001"  # the anonymous visit stays for statistics
    kept = visit(engine, recent)
    assert kept.phone == "081298765432" and kept.nik_last4 == "0001"
    with engine.database.reader() as session:
        assert session.scalar(select(func.count()).select_from(KioskRequestRow)) == 0
        assert session.scalar(select(func.count()).select_from(TicketRow)) == 2
        addresses = session.scalars(select(AuditLogRow.remote_addr)).all()
        assert "10.0.0.7" not in addresses
        assert session.scalar(
            select(func.count()).select_from(AuditLogRow).where(AuditLogRow.action == "data.purge")
        )
    assert purge.purge(30, actor=ADMIN).visits == 0  # idempotent


def test_purge_deletes_ready_records_of_passports_handed_over_long_ago(engine: Engine) -> None:
    """A passport collected over the period ago loses its record; one still waiting keeps it."""
    from queue_server.persistence.models import PassportReadyRow

    start = engine.clock()
    with engine.database.writer() as session, session.begin():
        for number, handed_over in (
            ("1111111111", start),  # collected 35 days before the purge
            ("2222222222", None),  # never collected
        ):
            session.add(
                PassportReadyRow(
                    office_id=OFFICE,
                    application_no=number,
                    ready_at=start,
                    source="api",
                    handed_over_at=handed_over,
                )
            )
    engine.clock.advance(days=35)
    with engine.database.writer() as session, session.begin():
        session.add(
            PassportReadyRow(
                office_id=OFFICE,
                application_no="3333333333",
                ready_at=engine.clock(),
                source="api",
                handed_over_at=engine.clock(),  # collected today
            )
        )
    purge = retention(engine)

    assert purge.purge(30, dry_run=True, actor=ADMIN).passports_handed_over == 1
    assert purge.purge(30, actor=ADMIN).passports_handed_over == 1

    with engine.database.reader() as session:
        left = set(session.scalars(select(PassportReadyRow.application_no)))
    assert left == {"2222222222", "3333333333"}


def test_purge_deletes_old_drive_thru_arrivals_and_number_near_requests(engine: Engine) -> None:
    """Lane arrivals (application numbers) go after the period; a "number near" request
    (a phone) goes with its past office day, in the same purge the server runs daily."""
    from queue_server.persistence.models import DriveThruArrivalRow, TicketAlertRow
    from queue_server.services.notifications import NotificationService

    def arrival(number: str) -> DriveThruArrivalRow:
        return DriveThruArrivalRow(
            office_id=OFFICE,
            lane="lane-1",
            application_no=number,
            arrived_at=engine.clock(),
            status="handed_over",
            device="token:scanner",
            handed_over_at=engine.clock(),
        )

    notifications = NotificationService(hash_key=b"k", **engine.shared)
    request = IssueRequest(office=OFFICE, service="walkin", source=TicketSource.KIOSK)
    tickets = [engine.issuing.issue(request, actor=Actor(name="kiosk")) for _ in range(6)]
    notifications.ask_alert(tickets[-1].token, "081234567890", "id")  # 5 ahead: kept
    with engine.database.writer() as session, session.begin():
        session.add(arrival("1111111111"))
    engine.clock.advance(days=35)
    with engine.database.writer() as session, session.begin():
        session.add(arrival("2222222222"))
    purge = retention(engine)

    counted = purge.purge(30, dry_run=True, actor=ADMIN)
    assert (counted.drive_thru_arrivals, counted.number_near_requests) == (1, 1)
    with engine.database.reader() as session:
        assert session.scalar(select(func.count()).select_from(TicketAlertRow)) == 1

    report = purge.purge(30, actor=ADMIN)

    assert (report.drive_thru_arrivals, report.number_near_requests) == (1, 1)
    with engine.database.reader() as session:
        left = set(session.scalars(select(DriveThruArrivalRow.application_no)))
        assert session.scalar(select(func.count()).select_from(TicketAlertRow)) == 0
    assert left == {"2222222222"}
    again = purge.purge(30, actor=ADMIN)
    assert (again.drive_thru_arrivals, again.number_near_requests) == (0, 0)
