"""State machine, numbering, value objects and the basic estimate."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from queue_server.domain.errors import InvalidTransition, QuotaFull
from queue_server.domain.estimate import estimate_wait_minutes, service_time_minutes
from queue_server.domain.ids import OfficeId, ServiceId, ServiceKind, StationType, TicketStatus
from queue_server.domain.model import JourneyStep, Office, Service
from queue_server.domain.numbering import format_number, parse_number
from queue_server.domain.transitions import TERMINAL, TRANSITIONS, Action, target_status

WALK_IN = Service(
    id=ServiceId("walkin"),
    prefix="B",
    name_id="Paspor",
    name_en="Passport",
    kind=ServiceKind.WALK_IN,
    journey=(
        JourneyStep(StationType.CS, 4),
        JourneyStep(StationType.BIO, 10),
        JourneyStep(StationType.PICKUP, 2, after_working_days=4),
    ),
)


def test_happy_path_and_refusals() -> None:
    status = TicketStatus.WAITING
    for action in (Action.CALL, Action.RECALL, Action.START, Action.FINISH):
        status = target_status(status, action)
    assert status is TicketStatus.DONE
    with pytest.raises(InvalidTransition) as refused:
        target_status(TicketStatus.DONE, Action.CALL)
    assert refused.value.params == {"status": "done", "action": "call"}


def test_terminal_states_allow_nothing() -> None:
    for action, (sources, _target) in TRANSITIONS.items():
        assert not sources & TERMINAL, action


@given(st.sampled_from(list(TicketStatus)), st.sampled_from(list(Action)))
def test_transition_table_is_total(status: TicketStatus, action: Action) -> None:
    allowed, target = TRANSITIONS[action]
    if status in allowed:
        assert target_status(status, action) is target
    else:
        with pytest.raises(InvalidTransition):
            target_status(status, action)


@given(
    st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=2), st.integers(1, 99_999)
)
def test_numbers_round_trip(prefix: str, number: int) -> None:
    assert parse_number(format_number(prefix, number)) == (prefix, number)


def test_number_format() -> None:
    assert format_number("A", 1) == "A-001"
    assert format_number("BP", 1234) == "BP-1234"
    for bad in ("A001", "-001", "A-", "ABC-001", "A-x1"):
        with pytest.raises(ValueError):
            parse_number(bad)


def test_office_day_is_local() -> None:
    office = Office(OfficeId("k"), "K", timezone="Asia/Jayapura")
    assert office.office_day(datetime(2026, 11, 23, 16, 0, tzinfo=UTC)) == date(2026, 11, 24)
    with pytest.raises(ValueError):
        Office(OfficeId("k"), "K", timezone="Europe/Paris")
    with pytest.raises(ValueError):
        office.office_day(datetime(2026, 11, 23, 16, 0))


def test_journey_routing_and_later_steps() -> None:
    assert WALK_IN.station_for(1, priority=True) is StationType.BIO_PRIORITY
    assert WALK_IN.station_for(1, priority=False) is StationType.BIO
    assert WALK_IN.next_same_day_step(0) == 1
    assert WALK_IN.next_same_day_step(1) is None  # pickup is 4 working days later
    assert WALK_IN.standard_minutes_total == 16
    with pytest.raises(ValueError):
        Service(
            id=ServiceId("x"),
            prefix="b",
            name_id="x",
            name_en="x",
            kind=ServiceKind.WALK_IN,
            journey=WALK_IN.journey,
        )


def test_estimate_blends_the_sop_time_with_recent_service() -> None:
    assert service_time_minutes([], 10) == 10
    assert service_time_minutes([4] * 20, 10) == pytest.approx((4 * 20 + 10 * 5) / 25)
    assert estimate_wait_minutes(0, 2, 10) == 0
    assert estimate_wait_minutes(6, 2, 10) == 30
    assert estimate_wait_minutes(6, 0, 10) is None
    with pytest.raises(ValueError):
        estimate_wait_minutes(-1, 1, 10)


def test_domain_errors_keep_params_and_speak_english() -> None:
    error = QuotaFull(service={"id": "Paspor", "en": "Passport"})
    assert str(error) == "Today's quota for Passport is used up; there is no place left."
    assert error.code == "quota_full" and error.http_status == 409
