"""Office calendars: hours, national holidays, cuti bersama, sessions, working days, timezones."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from queue_server.domain.calendar import (
    CalendarConfig,
    OfficeCalendar,
    OpeningHours,
    SpecialSession,
)
from queue_server.domain.ids import ServiceId

WEEKDAY_HOURS = tuple(OpeningHours(day, time(8), time(16)) for day in range(5))
SATURDAY_PICKUP = SpecialSession(
    code="sabtu",
    name_id="Sabtu",
    name_en="Saturday",
    opens=time(8),
    closes=time(12),
    weekdays=frozenset({5}),
    services=frozenset({ServiceId("pickup")}),
    quota=100,
)
EVENING = SpecialSession(
    code="petang",
    name_id="Petang",
    name_en="Evening",
    opens=time(16),
    closes=time(19),
    weekdays=frozenset({1, 3}),
    quota=40,
)


def calendar(timezone: str = "Asia/Makassar", **changes: object) -> OfficeCalendar:
    fields: dict[str, object] = {"hours": WEEKDAY_HOURS, "sessions": (SATURDAY_PICKUP, EVENING)}
    fields.update(changes)
    return OfficeCalendar(config=CalendarConfig(**fields), timezone=timezone)  # type: ignore[arg-type]


def test_national_holidays_and_government_cuti_bersama() -> None:
    office = calendar()
    assert office.is_holiday(date(2026, 8, 17))  # Independence Day
    assert office.is_holiday(date(2026, 1, 1))
    assert office.is_holiday(date(2026, 12, 24))  # cuti bersama Natal (government decree)
    assert not office.is_holiday(date(2026, 11, 23))
    assert not office.is_working_day(date(2026, 8, 17))
    assert not office.is_working_day(date(2026, 11, 28))  # a Saturday


def test_admin_closures_and_overrides() -> None:
    office = calendar(
        extra_closed_days=frozenset({date(2026, 11, 24)}),
        extra_open_days=frozenset({date(2026, 12, 24)}),
    )
    assert office.is_holiday(date(2026, 11, 24))
    assert office.is_working_day(date(2026, 12, 24))
    assert not calendar(national_holidays=False).is_holiday(date(2026, 8, 17))


def test_add_working_days_skips_weekends_and_holidays() -> None:
    office = calendar()
    assert office.add_working_days(date(2026, 11, 23), 4) == date(2026, 11, 27)  # Mon -> Fri
    assert office.add_working_days(date(2026, 11, 26), 4) == date(2026, 12, 2)  # over a weekend
    # Biometrics on Fri 14 Aug 2026: Mon 17 Aug is Independence Day.
    assert office.add_working_days(date(2026, 8, 14), 4) == date(2026, 8, 21)
    # Christmas: 24 (cuti bersama) and 25 Dec are closed.
    assert office.add_working_days(date(2026, 12, 23), 1) == date(2026, 12, 28)
    assert office.add_working_days(date(2026, 11, 23), 0) == date(2026, 11, 23)
    with pytest.raises(ValueError):
        office.add_working_days(date(2026, 11, 23), -1)


def test_sessions_regular_saturday_and_evening() -> None:
    office = calendar()
    monday_ten = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 10:00 WITA
    assert office.session_at(monday_ten, ServiceId("walkin")).code == "regular"  # type: ignore[union-attr]
    saturday_nine = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)  # 09:00 WITA
    assert office.session_at(saturday_nine, ServiceId("walkin")) is None
    pickup = office.session_at(saturday_nine, ServiceId("pickup"))
    assert pickup is not None and (pickup.code, pickup.quota, pickup.special) == (
        "sabtu",
        100,
        True,
    )
    tuesday_five_pm = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # 17:00 WITA
    evening = office.session_at(tuesday_five_pm, ServiceId("walkin"))
    assert evening is not None and evening.code == "petang"
    monday_five_pm = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    assert office.session_at(monday_five_pm, ServiceId("walkin")) is None


def test_closing_time_is_exclusive_and_next_opening() -> None:
    office = calendar()
    friday_four_pm = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)  # 16:00 WITA
    assert office.session_at(friday_four_pm, ServiceId("walkin")) is None
    assert office.next_opening(friday_four_pm, ServiceId("walkin")) == datetime(
        2026, 11, 30, 0, 0, tzinfo=UTC
    )
    assert office.next_opening(friday_four_pm, ServiceId("pickup")) == datetime(
        2026, 11, 28, 0, 0, tzinfo=UTC
    )


def test_the_same_instant_is_a_different_local_day_in_wib_and_wit() -> None:
    instant = datetime(2026, 11, 23, 23, 30, tzinfo=UTC)  # 06:30 Tue WIB, 08:30 Tue WIT
    jakarta, jayapura = calendar("Asia/Jakarta"), calendar("Asia/Jayapura")
    assert jakarta.session_at(instant, ServiceId("walkin")) is None
    session = jayapura.session_at(instant, ServiceId("walkin"))
    assert session is not None and session.opens.date() == date(2026, 11, 24)
    evening_utc = datetime(2026, 11, 23, 8, 30, tzinfo=UTC)  # 15:30 WIB open, 17:30 WIT closed
    assert jakarta.session_at(evening_utc, ServiceId("walkin")) is not None
    assert jayapura.session_at(evening_utc, ServiceId("walkin")) is None


def test_holidays_close_special_sessions_unless_marked() -> None:
    office = calendar()
    # 17 Aug 2026 is a Monday; a Saturday holiday: 2026-03-21 Idul Fitri.
    idul_fitri = datetime(2026, 3, 21, 1, 0, tzinfo=UTC)
    assert office.session_at(idul_fitri, ServiceId("pickup")) is None
