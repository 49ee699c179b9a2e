"""The short cache of estimate inputs: reused within its lifetime, cleared by events."""

from __future__ import annotations

from datetime import UTC, datetime

from queue_server.domain.events import CounterChanged, TicketChanged
from queue_server.domain.ids import (
    CounterId,
    OfficeId,
    ServiceId,
    StationType,
    TicketId,
    TicketStatus,
)
from queue_server.services.issuing import IssueRequest
from queue_server.services.station_stats import StationStats
from tests.services.conftest import Engine
from tests.services.test_engine import OFFICE, OFFICER

AT = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


class Ticking:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_open_counters_are_reused_then_refreshed_by_event_or_age(engine: Engine) -> None:
    clock = Ticking()
    stats = StationStats(ttl_s=2.0, clock=clock)
    with engine.database.reader() as session:
        assert stats.open_counters(session, OFFICE) == set()
    engine.officer.open_counter(OFFICE, "cs-1", actor=OFFICER)
    with engine.database.reader() as session:
        assert stats.open_counters(session, OFFICE) == set()  # still the cached answer
        clock.now = 2.5
        assert stats.open_counters(session, OFFICE) == {"cs-1"}  # too old: read again
    engine.officer.open_counter(OFFICE, "cs-2", actor=OFFICER)
    stats(CounterChanged(OfficeId(OFFICE), CounterId("cs-2"), True, AT))
    with engine.database.reader() as session:
        assert stats.open_counters(session, OFFICE) == {"cs-1", "cs-2"}


def test_a_finished_ticket_clears_its_stations_service_times(engine: Engine) -> None:
    clock = Ticking()
    stats = StationStats(ttl_s=60.0, clock=clock)
    with engine.database.reader() as session:
        assert stats.recent_minutes(session, OFFICE, StationType.CS) == []
    engine.issuing.issue(IssueRequest(office=OFFICE, service="walkin"), actor=OFFICER)
    engine.officer.open_counter(OFFICE, "cs-1", actor=OFFICER)
    engine.officer.call_next(OFFICE, "cs-1", actor=OFFICER)
    engine.clock.advance(minutes=4)
    engine.officer.finish(OFFICE, "cs-1", actor=OFFICER, end_visit=True)
    with engine.database.reader() as session:
        assert stats.recent_minutes(session, OFFICE, StationType.CS) == []
    stats(
        TicketChanged(
            office=OfficeId(OFFICE),
            ticket=TicketId(1),
            label="B-001",
            service=ServiceId("walkin"),
            station=StationType.CS,
            action="finish",
            status=TicketStatus.DONE,
            previous=TicketStatus.CALLED,
            counter=CounterId("cs-1"),
            at=AT,
        )
    )
    with engine.database.reader() as session:
        assert stats.recent_minutes(session, OFFICE, StationType.CS) == [4.0]


def test_a_call_clears_who_is_at_the_counters_and_a_counter_change_the_breaks(
    engine: Engine,
) -> None:
    clock = Ticking()
    stats = StationStats(ttl_s=60.0, clock=clock)
    engine.issuing.issue(IssueRequest(office=OFFICE, service="walkin"), actor=OFFICER)
    engine.officer.open_counter(OFFICE, "cs-1", actor=OFFICER)
    with engine.database.reader() as session:
        assert stats.at_counters(session, OFFICE) == {}
        assert stats.breaks(session, OFFICE, engine.clock()).closed_at == {}
    called = engine.officer.call_next(OFFICE, "cs-1", actor=OFFICER)
    engine.officer.open_counter(OFFICE, "cs-2", actor=OFFICER)
    engine.officer.close_counter(OFFICE, "cs-2", actor=OFFICER)
    with engine.database.reader() as session:
        assert stats.at_counters(session, OFFICE) == {}  # still the cached answer
    stats(
        TicketChanged(
            office=OfficeId(OFFICE),
            ticket=TicketId(called.id),
            label=called.label,
            service=ServiceId("walkin"),
            station=StationType.CS,
            action="call",
            status=TicketStatus.CALLED,
            previous=TicketStatus.WAITING,
            counter=CounterId("cs-1"),
            at=AT,
        )
    )
    stats(CounterChanged(OfficeId(OFFICE), CounterId("cs-2"), False, AT))
    with engine.database.reader() as session:
        assert list(stats.at_counters(session, OFFICE)) == ["cs-1"]
        assert list(stats.breaks(session, OFFICE, engine.clock()).closed_at) == ["cs-2"]
