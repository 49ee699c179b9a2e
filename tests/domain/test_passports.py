"""Application numbers and the expected ready date (pure)."""

from __future__ import annotations

from datetime import date, time

import pytest

from queue_server.domain.calendar import CalendarConfig, OfficeCalendar, OpeningHours
from queue_server.domain.ids import ServiceId, ServiceKind, StationType
from queue_server.domain.model import JourneyStep, Service
from queue_server.domain.passports import (
    DEFAULT_READY_WORKING_DAYS,
    ApplicationProblem,
    expected_ready_date,
    parse_application,
    ready_working_days,
)

WEEKDAYS = tuple(OpeningHours(day, time(8), time(16)) for day in range(5))


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("1234567890", "1234567890"),
        (" 12345 67890 12345 ", "123456789012345"),
        ("12345678901234567", "12345678901234567"),
        ("12345678901234567890", "12345678901234567890"),
        ("PERMOHONAN: 1234567890", "1234567890"),
        ("app#1234567890", "1234567890"),
        ("", ApplicationProblem.EMPTY),
        ("   ", ApplicationProblem.EMPTY),
        ("3171234567890123", ApplicationProblem.NIK),
        ("123456789", ApplicationProblem.MALFORMED),
        ("123456789012345678901", ApplicationProblem.MALFORMED),
        ("12345ABCDE", ApplicationProblem.MALFORMED),
        ("=1234567890", ApplicationProblem.MALFORMED),
        ("1" * 41, ApplicationProblem.MALFORMED),
    ],
)
def test_application_numbers(text: str, found: str | ApplicationProblem) -> None:
    assert parse_application(text) == found


def service(*journey: JourneyStep, ready: int | None = None) -> Service:
    return Service(
        id=ServiceId("walkin"),
        prefix="B",
        name_id="Paspor",
        name_en="Passport",
        kind=ServiceKind.WALK_IN,
        journey=journey,
        ready_after_working_days=ready,
    )


def test_ready_days_come_from_the_service_then_its_pickup_step_then_the_default() -> None:
    cs, bio = JourneyStep(StationType.CS, 4), JourneyStep(StationType.BIO, 10)
    pickup = JourneyStep(StationType.PICKUP, 3, after_working_days=6)
    assert ready_working_days(service(cs, bio, pickup, ready=2)) == 2
    assert ready_working_days(service(cs, bio, pickup)) == 6
    assert ready_working_days(service(cs, bio)) == DEFAULT_READY_WORKING_DAYS == 4
    assert ready_working_days(None) == 4


def test_the_expected_day_skips_weekends_holidays_and_cuti_bersama() -> None:
    # Tuesday 22 December 2026; 24 Dec entered as cuti bersama, 25 Dec is Christmas.
    office = OfficeCalendar(
        config=CalendarConfig(hours=WEEKDAYS, extra_closed_days=frozenset({date(2026, 12, 24)})),
        timezone="Asia/Makassar",
    )
    assert expected_ready_date(office, date(2026, 12, 22), 4) == date(2026, 12, 30)
    plain = OfficeCalendar(
        config=CalendarConfig(hours=WEEKDAYS, national_holidays=False), timezone="Asia/Makassar"
    )
    assert expected_ready_date(plain, date(2026, 12, 22), 4) == date(2026, 12, 28)
    assert expected_ready_date(plain, date(2026, 12, 18), 1) == date(2026, 12, 21)  # Fri -> Mon
