"""Office choices: the public base URL of the QR links, later visits in calendar days,
closing at the end of the day."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from queue_server.domain.calendar import OfficeCalendar
from queue_server.domain.ids import ServiceId
from queue_server.office_config import parse_office_config
from tests.office_config.test_office_config import DELETE, minimal, mutate, refused


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("https://antrian.mini.example", "https://antrian.mini.example"),
        ("http://10.0.0.5:8080/", "http://10.0.0.5:8080"),
        ("https://kanim.example/antre/", "https://kanim.example/antre"),
    ],
)
def test_the_public_base_url_is_kept_without_its_trailing_slash(given: str, stored: str) -> None:
    definition = parse_office_config(mutate("office.public_base_url", given))
    assert definition.public_base_url == stored


@pytest.mark.parametrize(
    "url", ["antrian.mini.example", "ftp://antrian.example", "https://a.example/?x=1", "http://"]
)
def test_a_public_base_url_phones_cannot_open_is_refused(url: str) -> None:
    (problem,) = refused(mutate("office.public_base_url", url))
    assert problem.startswith("office.public_base_url: must be the address")


def test_an_office_without_a_public_base_url_gets_a_warning() -> None:
    definition = parse_office_config(mutate("office.public_base_url", DELETE))
    assert definition.public_base_url is None
    assert definition.warnings == (
        "office.public_base_url: not set; ticket QR codes cannot link to the ticket's status "
        "page (set the address applicants' phones reach this server at)",
    )


def test_a_later_visit_may_count_calendar_days() -> None:
    data = minimal()
    data["services"][0]["journey"][2] = {"station": "PICKUP", "minutes": 2, "after_days": 4}
    step = parse_office_config(data).services[0].journey[2]
    assert (step.after_days, step.after_working_days, step.later_visit) == (4, 0, True)
    assert parse_office_config(data).services[0].next_same_day_step(1) is None


def test_working_and_calendar_days_together_are_refused() -> None:
    data = minimal()
    data["services"][0]["journey"][2]["after_days"] = 3
    assert refused(data) == [
        "services[0].journey[2]: give after_working_days or after_days, not both"
    ]


def test_the_first_step_cannot_be_days_later() -> None:
    data = minimal()
    data["services"][0]["journey"][0]["after_days"] = 1
    assert "services[0].journey[0].after_days: the first step must be on the day of issue (0)" in (
        refused(data)
    )


def test_24_00_closes_at_the_end_of_the_day() -> None:
    definition = parse_office_config(mutate("calendar.hours.mon", ["00:00", "24:00"]))
    monday = next(hours for hours in definition.calendar.hours if hours.weekday == 0)
    assert monday.closes == time.max
    calendar = OfficeCalendar(config=definition.calendar, timezone="Asia/Jayapura")
    # Monday 23 November 2026, 23:59:30 WIT
    late = datetime(2026, 11, 23, 14, 59, 30, tzinfo=UTC)
    assert calendar.session_at(late, ServiceId("walkin")) is not None


def test_24_00_cannot_open() -> None:
    (problem,) = refused(mutate("calendar.hours.mon", ["24:00", "24:00"]))
    assert problem.startswith("calendar.hours.mon: opens")
