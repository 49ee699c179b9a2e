"""The queue engine's use cases against a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date, time

import pytest
from sqlalchemy import func, select

from queue_server.domain.errors import (
    BookingRequired,
    BookingWindow,
    CounterBusy,
    CounterClosed,
    InvalidNik,
    InvalidPassportNumber,
    InvalidTransition,
    NoShowGraceExpired,
    QueueEmpty,
    QuotaFull,
    ServiceClosed,
    ServiceClosedHoliday,
    TicketNotAtCounter,
)
from queue_server.domain.events import TicketChanged
from queue_server.domain.ids import StationType, TicketSource
from queue_server.i18n import both
from queue_server.persistence.models import AuditLogRow, TicketEventRow, TicketRow, VisitRow
from queue_server.services.bookings import BookingEntry
from queue_server.services.issuing import IssueRequest
from queue_server.services.officer import TransferTarget
from queue_server.services.unit import Actor
from tests.services.conftest import Engine, office_settings

OFFICE = "kanim-test"
OFFICER = Actor(name="officer-1", user_id=None)
KIOSK = Actor(name="kiosk-1")


def issue(engine: Engine, service: str = "walkin", **extra: object) -> object:
    request = IssueRequest(office=OFFICE, service=service, source=TicketSource.KIOSK, **extra)  # type: ignore[arg-type]
    return engine.issuing.issue(request, actor=KIOSK)


def count(engine: Engine, model: type) -> int:
    with engine.database.reader() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_numbers_run_per_service_and_reset_each_office_day(engine: Engine) -> None:
    labels = [issue(engine).label for _ in range(3)]  # type: ignore[attr-defined]
    assert labels == ["B-001", "B-002", "B-003"]
    assert issue(engine, "pickup").label == "D-001"  # type: ignore[attr-defined]
    engine.clock.advance(days=1)  # Tuesday, same time
    assert issue(engine).label == "B-001"  # type: ignore[attr-defined]


def test_a_closed_day_refusal_names_the_holiday(engine: Engine) -> None:
    settings = office_settings()
    settings["calendar"]["cuti_bersama"] = [
        {"date": "2026-11-24", "name": "Rapat kerja kantor", "kind": "closure"},
        "2026-11-25",
    ]
    engine.load(settings)
    engine.clock.advance(days=1)  # Tuesday 10:00 WITA: the office's own closure
    with pytest.raises(ServiceClosedHoliday) as closed:
        issue(engine)
    messages = both(closed.value.template, **closed.value.params)
    assert "(Rapat kerja kantor)" in messages["en"] and "26-11-2026" in messages["en"]
    assert "(Rapat kerja kantor)" in messages["id"]
    engine.clock.advance(days=1)  # Wednesday: a plain date, a cuti bersama day
    with pytest.raises(ServiceClosedHoliday) as closed:
        issue(engine)
    assert closed.value.params["holiday"] == "Cuti bersama"
    engine.clock.advance(days=1)  # Thursday: open
    assert issue(engine).label == "B-001"  # type: ignore[attr-defined]


def test_office_day_follows_the_office_timezone(engine: Engine) -> None:
    # 23:30 WITA on Monday is 15:30 UTC: still Monday locally, and the office is closed.
    engine.clock.now = engine.clock.now.replace(hour=15, minute=30)
    with pytest.raises(ServiceClosed) as closed:
        issue(engine)
    # The refusal says when the service opens again, in the office's local time.
    messages = both(closed.value.template, **closed.value.params)
    assert "24-11-2026" in messages["en"] and "It opens again on" in messages["en"]
    assert "Buka lagi pada 24-11-2026 pukul" in messages["id"]
    ticket = engine.issuing.issue(
        IssueRequest(office=OFFICE, service="walkin", source=TicketSource.OFFICER), actor=OFFICER
    )
    assert str(ticket.office_day) == "2026-11-23"


def test_quota_full_is_refused_and_gives_the_number_back(engine: Engine) -> None:
    for _ in range(3):
        issue(engine, "pickup")
    with pytest.raises(QuotaFull):
        issue(engine, "pickup")
    assert count(engine, VisitRow) == 3
    engine.clock.advance(days=1)
    assert issue(engine, "pickup").label == "D-001"  # type: ignore[attr-defined]


def test_booking_required_and_window(engine: Engine) -> None:
    with pytest.raises(BookingRequired):
        issue(engine, "mpaspor")
    slots = {"MP-LATE": time(12, 0), "MP-1": time(10, 20)}
    entries = [BookingEntry(code, "mpaspor", date(2026, 11, 23), at) for code, at in slots.items()]
    engine.bookings.import_bookings(OFFICE, entries, actor=OFFICER)
    with pytest.raises(BookingWindow):
        issue(engine, "mpaspor", booking_ref="MP-LATE", documents_ready=True)
    ticket = issue(engine, "mpaspor", booking_ref="MP-1", documents_ready=True)
    assert ticket.label == "A-001"  # type: ignore[attr-defined]
    assert count(engine, VisitRow) == 1


def test_nik_is_validated_and_never_stored(engine: Engine) -> None:
    with pytest.raises(InvalidNik):
        issue(engine, nik="12345")
    assert count(engine, VisitRow) == 0
    issue(engine, nik="6371015001900001")
    with engine.database.reader() as session:
        visit = session.scalars(select(VisitRow)).one()
    assert visit.nik_last4 == "0001"
    assert visit.nik_hash and "6371015001900001" not in visit.nik_hash


def test_a_passport_number_is_validated_and_kept_only_as_a_hash_of_its_own(
    engine: Engine,
) -> None:
    with pytest.raises(InvalidPassportNumber):
        issue(engine, passport_no="x1234567")  # lower case: not as an MRZ holds it
    assert count(engine, VisitRow) == 0
    issue(engine, passport_no="C1234567")
    issue(engine, nik="6371015001900001")
    with engine.database.reader() as session:
        by_passport, by_nik = session.scalars(select(VisitRow).order_by(VisitRow.id)).all()
    assert (by_passport.passport_last4, by_passport.nik_hash) == ("4567", None)
    assert by_passport.passport_hash and "C1234567" not in by_passport.passport_hash
    assert (by_nik.passport_hash, by_nik.passport_last4) == (None, None)
    assert by_passport.passport_hash != by_nik.nik_hash


def test_full_journey_cs_then_bio_keeps_the_number(engine: Engine) -> None:
    issued = issue(engine)
    engine.officer.open_counter(OFFICE, "cs-1", actor=OFFICER)
    called = engine.officer.call_next(OFFICE, "cs-1", actor=OFFICER)
    assert called.label == issued.label  # type: ignore[attr-defined]
    engine.officer.recall(OFFICE, "cs-1", actor=OFFICER)
    engine.officer.start(OFFICE, "cs-1", actor=OFFICER)
    done, following = engine.officer.finish(OFFICE, "cs-1", actor=OFFICER)
    assert done.status == "done"
    assert following is not None
    assert (following.station, following.label, following.status) == (
        "BIO",
        called.label,
        "waiting",
    )
    engine.officer.open_counter(OFFICE, "bio-1", actor=OFFICER)
    at_bio = engine.officer.call_next(OFFICE, "bio-1", actor=OFFICER)
    assert at_bio.id == following.id
    _, after_bio = engine.officer.finish(OFFICE, "bio-1", actor=OFFICER)
    assert after_bio is None  # PICKUP happens on a later visit
    with engine.database.reader() as session:
        actions = list(session.scalars(select(TicketEventRow.action).order_by(TicketEventRow.id)))
    assert actions == ["issue", "call", "recall", "start", "finish", "queue", "call", "finish"]


def test_finish_and_call_next_is_one_transaction_that_keeps_the_finish_when_nobody_waits(
    engine: Engine,
) -> None:
    first, second = issue(engine), issue(engine)
    engine.officer.open_counter(OFFICE, "cs-1", actor=OFFICER)
    engine.officer.call_next(OFFICE, "cs-1", actor=OFFICER)
    engine.officer.start(OFFICE, "cs-1", actor=OFFICER)
    engine.published.clear()
    done, following, called = engine.officer.finish_and_call_next(OFFICE, "cs-1", actor=OFFICER)
    assert (done.label, done.status) == (first.label, "done")  # type: ignore[attr-defined]
    assert following is not None and (following.station, following.status) == ("BIO", "waiting")
    assert called is not None
    assert (called.label, called.status, called.counter) == (second.label, "called", "cs-1")  # type: ignore[attr-defined]
    changes = [event for event in engine.published if isinstance(event, TicketChanged)]
    assert [(event.action, event.label) for event in changes] == [
        ("finish", done.label),
        ("queue", following.label),
        ("call", called.label),
    ]
    at_bio = following
    # Nobody else waits at CS (the first visit went on to BIO): the finish still stands.
    done, following, called = engine.officer.finish_and_call_next(
        OFFICE, "cs-1", actor=OFFICER, end_visit=True
    )
    assert (done.label, done.status, following, called) == (second.label, "done", None, None)  # type: ignore[attr-defined]
    with engine.database.reader() as session:
        actions = list(session.scalars(select(TicketEventRow.action).order_by(TicketEventRow.id)))
        statuses = dict(session.execute(select(TicketRow.id, TicketRow.status)).all())
    assert actions == ["issue", "issue", "call", "start", "finish", "queue", "call", "finish"]
    assert statuses == {first.ticket_id: "done", at_bio.id: "waiting", second.ticket_id: "done"}  # type: ignore[attr-defined]
    # The counter is free again: a plain call-next finds nobody; the next finish needs a ticket.
    with pytest.raises(QueueEmpty):
        engine.officer.call_next(OFFICE, "cs-1", actor=OFFICER)
    with pytest.raises(TicketNotAtCounter):
        engine.officer.finish_and_call_next(OFFICE, "cs-1", actor=OFFICER)


def test_priority_visit_is_routed_to_the_priority_booth(engine: Engine) -> None:
    issue(engine, priority_category="pregnant")
    engine.officer.open_counter(OFFICE, "cs-1", actor=OFFICER)
    engine.officer.call_next(OFFICE, "cs-1", actor=OFFICER)
    _, following = engine.officer.finish(OFFICE, "cs-1", actor=OFFICER)
    assert following is not None and following.station == StationType.BIO_PRIORITY
    engine.officer.open_counter(OFFICE, "bio-1", actor=OFFICER)
    with pytest.raises(QueueEmpty):
        engine.officer.call_next(OFFICE, "bio-1", actor=OFFICER)
    engine.officer.open_counter(OFFICE, "ramah-ham", actor=OFFICER)
    assert engine.officer.call_next(OFFICE, "ramah-ham", actor=OFFICER).id == following.id


def test_ratio_one_priority_to_two_regular(engine: Engine) -> None:
    regular = [issue(engine).label for _ in range(4)]  # type: ignore[attr-defined]
    priority = [issue(engine, priority_category="elderly").label for _ in range(2)]  # type: ignore[attr-defined]
    engine.officer.open_counter(OFFICE, "cs-1", actor=OFFICER)
    order = []
    for _ in range(6):
        order.append(engine.officer.call_next(OFFICE, "cs-1", actor=OFFICER).label)
        engine.officer.finish(OFFICE, "cs-1", actor=OFFICER, end_visit=True)
    assert order == [priority[0], regular[0], regular[1], priority[1], regular[2], regular[3]]


def test_one_active_ticket_per_counter_and_closed_counters(engine: Engine) -> None:
    issue(engine)
    issue(engine)
    with pytest.raises(CounterClosed):
        engine.officer.call_next(OFFICE, "cs-1", actor=OFFICER)
    engine.officer.open_counter(OFFICE, "cs-1", actor=OFFICER)
    engine.officer.call_next(OFFICE, "cs-1", actor=OFFICER)
    with pytest.raises(CounterBusy):
        engine.officer.call_next(OFFICE, "cs-1", actor=OFFICER)
    with pytest.raises(CounterBusy):
        engine.officer.close_counter(OFFICE, "cs-1", actor=OFFICER)


def test_no_show_grace_and_reactivation_keeps_the_place(engine: Engine) -> None:
    first = issue(engine)
    second = issue(engine)
    engine.officer.open_counter(OFFICE, "cs-1", actor=OFFICER)
    engine.officer.call_next(OFFICE, "cs-1", actor=OFFICER)
    engine.officer.no_show(OFFICE, "cs-1", actor=OFFICER)
    engine.clock.advance(minutes=10)
    engine.officer.reactivate(OFFICE, first.ticket_id, actor=OFFICER)  # type: ignore[attr-defined]
    assert engine.officer.call_next(OFFICE, "cs-1", actor=OFFICER).label == first.label  # type: ignore[attr-defined]
    engine.officer.no_show(OFFICE, "cs-1", actor=OFFICER)
    engine.clock.advance(minutes=31)
    with pytest.raises(NoShowGraceExpired):
        engine.officer.reactivate(OFFICE, first.ticket_id, actor=OFFICER)  # type: ignore[attr-defined]
    assert engine.officer.call_next(OFFICE, "cs-1", actor=OFFICER).label == second.label  # type: ignore[attr-defined]


def test_park_then_call_specific(engine: Engine) -> None:
    first = issue(engine)
    second = issue(engine)
    engine.officer.open_counter(OFFICE, "cs-1", actor=OFFICER)
    engine.officer.call_next(OFFICE, "cs-1", actor=OFFICER)
    parked = engine.officer.park(OFFICE, "cs-1", actor=OFFICER, note="fotokopi KK")
    assert parked.status == "parked"
    assert engine.officer.call_next(OFFICE, "cs-1", actor=OFFICER).label == second.label  # type: ignore[attr-defined]
    engine.officer.finish(OFFICE, "cs-1", actor=OFFICER, end_visit=True)
    again = engine.officer.call_specific(OFFICE, "cs-1", first.ticket_id, actor=OFFICER)  # type: ignore[attr-defined]
    assert (again.label, again.status) == (first.label, "called")  # type: ignore[attr-defined]


def test_transfer_to_another_service_and_to_a_station(engine: Engine) -> None:
    issued = issue(engine)
    engine.officer.open_counter(OFFICE, "cs-1", actor=OFFICER)
    engine.officer.call_next(OFFICE, "cs-1", actor=OFFICER)
    old, new = engine.officer.transfer(
        OFFICE, "cs-1", TransferTarget(service="lost", step=1), actor=OFFICER
    )
    assert old.status == "transferred"
    assert (new.service, new.station, new.label) == ("lost", "BAP", issued.label)  # type: ignore[attr-defined]
    with engine.database.reader() as session:
        assert session.scalar(select(func.count()).select_from(AuditLogRow)) >= 3


def test_actions_need_a_ticket_and_a_valid_state(engine: Engine) -> None:
    engine.officer.open_counter(OFFICE, "cs-1", actor=OFFICER)
    with pytest.raises(TicketNotAtCounter):
        engine.officer.start(OFFICE, "cs-1", actor=OFFICER)
    issued = issue(engine)
    engine.officer.call_next(OFFICE, "cs-1", actor=OFFICER)
    engine.officer.finish(OFFICE, "cs-1", actor=OFFICER, end_visit=True)
    with pytest.raises(InvalidTransition):
        engine.officer.cancel(OFFICE, issued.ticket_id, actor=OFFICER)  # type: ignore[attr-defined]


def test_events_are_published_after_commit_only(engine: Engine) -> None:
    issue(engine)
    engine.officer.open_counter(OFFICE, "cs-1", actor=OFFICER)
    engine.published.clear()
    engine.officer.call_next(OFFICE, "cs-1", actor=OFFICER)
    calls = [event for event in engine.published if isinstance(event, TicketChanged)]
    assert [(event.action, event.counter, event.is_call) for event in calls] == [
        ("call", "cs-1", True)
    ]
    engine.published.clear()
    with pytest.raises(CounterBusy):
        engine.officer.call_next(OFFICE, "cs-1", actor=OFFICER)
    assert engine.published == []


def test_estimate_grows_with_people_ahead(engine: Engine) -> None:
    engine.officer.open_counter(OFFICE, "cs-1", actor=OFFICER)
    first = issue(engine)
    second = issue(engine)
    assert (first.people_ahead, second.people_ahead) == (0, 1)  # type: ignore[attr-defined]
    assert second.estimated_wait_minutes > first.estimated_wait_minutes  # type: ignore[attr-defined]


def test_reloading_the_office_reaches_a_running_engine(engine: Engine) -> None:
    settings = office_settings()
    for service in settings["services"]:
        if service["id"] == "walkin":
            service["daily_quota"] = 1
    issue(engine)
    engine.load(settings)
    with pytest.raises(QuotaFull):
        issue(engine)
    with engine.database.reader() as session:
        assert session.scalar(select(func.count()).select_from(TicketRow)) == 1


def test_offices_may_renumber_per_station(engine: Engine) -> None:
    settings = office_settings()
    settings["office"]["numbering"] = "per_station"
    engine.load(settings)
    first, second = issue(engine), issue(engine)
    engine.officer.open_counter(OFFICE, "cs-1", actor=OFFICER)
    labels = []
    for _ in range(2):
        engine.officer.call_next(OFFICE, "cs-1", actor=OFFICER)
        _, following = engine.officer.finish(OFFICE, "cs-1", actor=OFFICER)
        assert following is not None
        labels.append(following.label)
    assert (first.label, second.label) == ("B-001", "B-002")  # type: ignore[attr-defined]
    assert labels == ["BI-001", "BI-002"]


def test_queue_heads_take_the_counters_services_and_leave_out_the_skipped(engine: Engine) -> None:
    """The heads query the calling policy reads, one parameter per station, service and
    skipped ticket: each class's oldest ``limit``, only the services asked for."""
    from queue_server.domain.ids import ServiceId
    from queue_server.domain.model import CounterProfile
    from queue_server.services.queries import head_entries

    walkins = [issue(engine).ticket_id for _ in range(3)]  # type: ignore[attr-defined]
    lost = [issue(engine, "lost").ticket_id for _ in range(2)]  # type: ignore[attr-defined]
    elderly = issue(engine, priority_category="elderly").ticket_id  # type: ignore[attr-defined]
    every = CounterProfile(id="cs-1", name="CS 1", stations=frozenset({StationType.CS}))  # type: ignore[arg-type]
    only_lost = CounterProfile(
        id="cs-1",  # type: ignore[arg-type]
        name="CS 1",
        stations=frozenset({StationType.CS, StationType.BIO}),
        services=frozenset({ServiceId("lost")}),
    )
    with engine.database.reader() as session:
        heads = [e.ticket_id for e in head_entries(session, OFFICE, every, limit=2)]
        skipping = head_entries(session, OFFICE, every, limit=2, skip={elderly, walkins[0]})
        lost_only = [e.ticket_id for e in head_entries(session, OFFICE, only_lost, limit=5)]
    assert heads == [elderly, walkins[0], walkins[1]]  # priority class first, two of the rest
    assert [e.ticket_id for e in skipping] == [walkins[1], walkins[2]]
    assert lost_only == lost
