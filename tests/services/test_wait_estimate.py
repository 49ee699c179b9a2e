"""What the services feed the wait estimate: calling order, busy counters, booked slots."""

from __future__ import annotations

from datetime import date, time

from queue_server.domain.ids import ServiceId, TicketSource
from queue_server.services import queries
from queue_server.services.bookings import BookingEntry
from queue_server.services.issuing import IssueRequest
from tests.services.conftest import Engine, office_settings
from tests.services.test_engine import KIOSK, OFFICE, OFFICER

MONDAY = date(2026, 11, 23)  # the engine's clock: 10:00 WITA


def walk_in(engine: Engine) -> object:
    request = IssueRequest(office=OFFICE, service="walkin", source=TicketSource.KIOSK)
    return engine.issuing.issue(request, actor=KIOSK)


def test_time_spent_at_the_counter_shortens_a_newcomers_wait(engine: Engine) -> None:
    engine.officer.open_counter(OFFICE, "cs-1", actor=OFFICER)
    walk_in(engine)
    engine.officer.call_next(OFFICE, "cs-1", actor=OFFICER)
    engine.clock.advance(minutes=1)
    early = walk_in(engine)
    engine.clock.advance(minutes=2)
    later = walk_in(engine)
    # The standard is 4 minutes at CS: 3 left after one minute, then one ticket of 4.
    assert early.estimated_wait_minutes == 3  # type: ignore[attr-defined]
    assert later.estimated_wait_minutes == 1 + 4  # type: ignore[attr-defined]


def test_a_booked_check_in_with_a_later_slot_is_not_ahead_of_a_walk_in(engine: Engine) -> None:
    entry = BookingEntry("MP-77001", "mpaspor", MONDAY, time(10, 40))
    engine.bookings.import_bookings(OFFICE, [entry], actor=OFFICER)
    request = IssueRequest(
        office=OFFICE,
        service="mpaspor",
        source=TicketSource.KIOSK,
        booking_ref="MP-77001",
        documents_ready=True,
    )
    booked = engine.issuing.issue(request, actor=KIOSK)
    assert booked.estimated_wait_minutes is None  # no counter open yet
    engine.officer.open_counter(OFFICE, "cs-1", actor=OFFICER)
    newcomer = walk_in(engine)
    assert (newcomer.people_ahead, newcomer.estimated_wait_minutes) == (0, 0)  # type: ignore[attr-defined]
    status = engine.views().ticket_status(booked.token)  # type: ignore[attr-defined]
    assert status.people_ahead == 1  # the walk-in who came before the slot
    # The walk-in's 4 minutes, plus the walk-ins expected before the slot at the recent
    # rate (1 arrival; the day is young, so over the shortest window, 10 minutes), each
    # taking 4 of the counter's minutes.
    assert status.estimated_wait_minutes == round(4 / (1 - 4 / 10), 1)


def test_a_counter_on_a_break_is_counted_from_when_it_is_expected_back(engine: Engine) -> None:
    engine.officer.open_counter(OFFICE, "cs-1", actor=OFFICER)
    engine.officer.open_counter(OFFICE, "cs-2", actor=OFFICER)
    engine.officer.close_counter(OFFICE, "cs-2", actor=OFFICER)
    for _ in range(12):
        walk_in(engine)
    newcomer = walk_in(engine)
    # cs-1 (free) calls at 0, 4, 8, ...; cs-2, back after the usual 30-minute break, at
    # 30, 34, 38: the 13th call is at 38 (cs-1 alone: 48).
    assert newcomer.estimated_wait_minutes == 38  # type: ignore[attr-defined]
    engine.clock.advance(minutes=61)  # away for twice the usual break: gone for the day
    later = walk_in(engine)
    assert later.estimated_wait_minutes == 13 * 4  # type: ignore[attr-defined]


def test_queue_states_built_together_give_each_services_own_outlook(engine: Engine) -> None:
    """The queue states of one snapshot share their reads and what follows from them
    (``queries.SharedOutlooks``): the same numbers as each service's outlook alone."""
    settings = office_settings()
    lost = next(service for service in settings["services"] if service["id"] == "lost")
    lost["journey"][0]["minutes"] = 6  # another standard time at the same station
    desks = {counter["id"]: counter for counter in settings["counters"]}
    desks["cs-1"]["stations"] = ["CS", "BIO"]  # a desk of two stations: a share of each
    desks["cs-1"]["services"] = ["mpaspor", "walkin"]
    for code in ("cs-2", "cs-3"):  # lost shares no desk with the booked mpaspor
        desks[code]["services"] = ["walkin", "lost"]
    engine.load(settings)
    for _ in range(2):
        request = IssueRequest(office=OFFICE, service="walkin", source=TicketSource.KIOSK)
        engine.issuing.issue(request, actor=KIOSK)  # waiting at BIO after CS
        engine.officer.open_counter(OFFICE, "cs-2", actor=OFFICER)
        engine.officer.call_next(OFFICE, "cs-2", actor=OFFICER)
        engine.clock.advance(minutes=3)
        engine.officer.finish(OFFICE, "cs-2", actor=OFFICER)
    entry = BookingEntry("MP-77002", "mpaspor", MONDAY, time(10, 20))
    engine.bookings.import_bookings(OFFICE, [entry], actor=OFFICER)
    booked = IssueRequest(
        office=OFFICE,
        service="mpaspor",
        source=TicketSource.KIOSK,
        booking_ref="MP-77002",
        documents_ready=True,
    )
    engine.issuing.issue(booked, actor=KIOSK)
    for counter in ("cs-1", "cs-2", "cs-3"):
        engine.officer.open_counter(OFFICE, counter, actor=OFFICER)
    engine.officer.close_counter(OFFICE, "cs-3", actor=OFFICER)  # on a break
    for service in ("walkin", "lost", "walkin", "pickup"):
        request = IssueRequest(office=OFFICE, service=service, source=TicketSource.KIOSK)
        engine.issuing.issue(request, actor=KIOSK)
    engine.officer.call_next(OFFICE, "cs-1", actor=OFFICER)
    engine.clock.advance(minutes=2)
    views = engine.views()
    together = views.queue_states(OFFICE, None)
    assert {state.service for state in together} == {"mpaspor", "walkin", "lost", "pickup"}
    with views.read() as session:
        snapshot = views.catalog.get(session, OFFICE)
        for state in together:
            service = snapshot.service(state.service)
            alone = queries.outlook(
                session,
                snapshot,
                service=ServiceId(state.service),
                station=service.station_for(0, priority=False),
                standard_minutes=service.journey[0].standard_minutes,
                now=engine.clock(),
            )
            assert (
                state.people_ahead_of_newcomer,
                state.open_counters,
                state.minutes_per_ticket,
                state.estimated_wait_minutes,
            ) == (
                alone.people_ahead,
                alone.open_counters,
                round(alone.minutes_per_ticket, 1),
                alone.estimated_wait_minutes,
            ), state.service
    assert [state.estimated_wait_minutes for state in together if state.service == "walkin"] != [
        None
    ]


def test_a_planned_lunch_break_is_foreseen_and_its_end_awaited(engine: Engine) -> None:
    settings = office_settings()
    settings["counters"][1]["breaks"] = [["10:20", "11:00"]]  # cs-2's lunch rota
    engine.load(settings)
    engine.officer.open_counter(OFFICE, "cs-1", actor=OFFICER)
    engine.officer.open_counter(OFFICE, "cs-2", actor=OFFICER)
    for _ in range(12):
        walk_in(engine)
    # Both desks call at 0, 4, 8, ...; cs-2 calls nobody from 10:20 (minute 20) to 11:00
    # (minute 40): the 13th call is at 28 (without the rota: 24).
    assert walk_in(engine).estimated_wait_minutes == 28  # type: ignore[attr-defined]
    engine.clock.advance(minutes=25)
    engine.officer.close_counter(OFFICE, "cs-2", actor=OFFICER)
    # 10:25, 13 ahead: cs-2 is back at 11:00 (35 minutes), not after the usual 30-minute
    # break: cs-1 at 0, 4, ... 40, cs-2 at 35, 39, 43: the 14th call at 43 (30 min: 40).
    assert walk_in(engine).estimated_wait_minutes == 43  # type: ignore[attr-defined]
