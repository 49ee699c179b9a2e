"""Passport-ready records over SQLite and PostgreSQL: marking, idempotence, the visit link,
the expected day from biometrics."""

from __future__ import annotations

from sqlalchemy import select, update

from queue_server.domain.passports import ReadySource
from queue_server.persistence.models import AuditLogRow, PassportReadyRow, TicketRow, VisitRow
from queue_server.services.issuing import IssueRequest
from queue_server.services.passports import CHUNK, PassportService
from queue_server.services.unit import Actor
from tests.services.conftest import Engine, office_settings

OFFICE = "kanim-test"
ACTOR = Actor(name="printing", user_id=None)


def passports(engine: Engine) -> PassportService:
    return PassportService(**engine.shared)


def visit_with_biometrics(engine: Engine, number: str, service: str = "walkin") -> int:
    """A visit of ``number`` whose biometrics step finished now (set directly)."""
    issued = engine.issuing.issue(IssueRequest(office=OFFICE, service=service), actor=ACTOR)
    with engine.database.writer() as session, session.begin():
        session.execute(
            update(VisitRow).where(VisitRow.id == issued.visit_id).values(application_no=number)
        )
        session.execute(
            update(TicketRow)
            .where(TicketRow.id == issued.ticket_id)
            .values(station="BIO", status="done", finished_at=engine.clock())
        )
    return issued.visit_id


def test_marking_keeps_the_good_numbers_and_twice_changes_nothing(engine: Engine) -> None:
    use = passports(engine)
    texts = ["1234567890", "3171234567890123", "12345678901234567", "1234567890", "abc"]
    report = use.mark_list(OFFICE, texts, source=ReadySource.API, actor=ACTOR)
    assert (report["marked"], report["already_ready"], report["refused"]) == (2, 0, 3)
    results = [(item["index"], item["result"]) for item in report["items"]]
    assert results == [
        (0, "marked"),
        (1, "refused"),
        (2, "marked"),
        (3, "refused"),
        (4, "refused"),
    ]
    nik = report["items"][1]
    assert "NIK" in nik["reasons"]["en"] and "bukan nomor permohonan" in nik["reasons"]["id"]
    assert "application_no" not in nik  # a refused entry is never echoed
    assert report["items"][3]["reasons"]["en"] == "the application number is given twice"
    first_at = engine.clock()
    engine.clock.advance(hours=2)
    again = use.mark_list(OFFICE, ["12345678901234567"], source=ReadySource.CSV, actor=ACTOR)
    assert (again["marked"], again["already_ready"]) == (0, 1)
    assert again["items"][0]["ready_at"] == first_at
    assert "nothing changed" in again["items"][0]["reasons"]["en"]
    with engine.database.reader() as session:
        rows = list(session.scalars(select(PassportReadyRow).order_by(PassportReadyRow.id)))
        audits = list(
            session.scalars(
                select(AuditLogRow.details).where(AuditLogRow.action == "mark_passports_ready")
            )
        )
    assert [(row.application_no, row.source, row.ready_at) for row in rows] == [
        ("1234567890", "api", first_at),
        ("12345678901234567", "api", first_at),
    ]
    assert audits == [
        {"source": "api", "marked": 2, "already": 0, "refused": 3},
        {"source": "csv", "marked": 0, "already": 1, "refused": 0},
    ]


def test_the_record_links_the_visit_and_the_status_gives_the_expected_day(engine: Engine) -> None:
    use = passports(engine)
    unknown = use.status(OFFICE, "9999999999")
    assert (unknown["ready"], unknown["expected_on"]) == (False, None)
    assert "no date" in unknown["message"]["en"]
    visit = visit_with_biometrics(engine, "1234567890")
    # Biometrics on Monday 23 November 2026: 4 working days later is Friday 27 November.
    waiting = use.status(OFFICE, "1234567890")
    assert waiting["ready"] is False
    assert waiting["expected_on"].isoformat() == "2026-11-27"
    assert "2026-11-27" in waiting["message"]["id"]
    engine.clock.advance(days=4)
    use.mark_list(OFFICE, ["1234567890"], source=ReadySource.CONSOLE, actor=ACTOR)
    ready = use.status(OFFICE, "1234567890")
    assert (ready["ready"], ready["source"], ready["expected_on"]) == (True, "console", None)
    assert ready["ready_at"] == engine.clock()
    assert "2026-11-27" in ready["message"]["en"]
    with engine.database.reader() as session:
        assert session.scalar(select(PassportReadyRow.visit_id)) == visit


def test_the_service_s_own_ready_days_count(engine: Engine) -> None:
    settings = office_settings()
    for section in settings["services"]:
        if section["id"] == "walkin":
            section["ready_after_working_days"] = 1
    engine.load(settings)
    visit_with_biometrics(engine, "5555555555")
    visit_with_biometrics(engine, "6666666666", service="lost")  # no PICKUP step: 4
    use = passports(engine)
    assert use.status(OFFICE, "5555555555")["expected_on"].isoformat() == "2026-11-24"
    assert use.status(OFFICE, "6666666666")["expected_on"].isoformat() == "2026-11-27"


def test_a_long_list_is_marked_across_chunks_and_links_the_latest_visit(engine: Engine) -> None:
    use = passports(engine)
    numbers = [str(3_000_000_000 + index) for index in range(CHUNK + 100)]
    use.mark_list(OFFICE, numbers[CHUNK + 50 : CHUNK + 60], source=ReadySource.API, actor=ACTOR)
    visit_with_biometrics(engine, numbers[CHUNK + 1])
    latest = visit_with_biometrics(engine, numbers[CHUNK + 1])
    report = use.mark_list(OFFICE, numbers, source=ReadySource.CSV, actor=ACTOR)
    assert (report["marked"], report["already_ready"]) == (CHUNK + 90, 10)
    already = [item["index"] for item in report["items"] if item["result"] == "already_ready"]
    assert already == list(range(CHUNK + 50, CHUNK + 60))
    with engine.database.reader() as session:
        linked = session.execute(
            select(PassportReadyRow.application_no, PassportReadyRow.visit_id).where(
                PassportReadyRow.visit_id.is_not(None)
            )
        ).all()
    assert [tuple(row) for row in linked] == [(numbers[CHUNK + 1], latest)]
