"""The office file: the demo office follows the SOPs; every rule refuses bad files by path."""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import pytest
import yaml

from queue_server.domain.calendar import OfficeCalendar
from queue_server.domain.ids import CounterId, ServiceId, ServiceKind, StationType
from queue_server.office_config import (
    Bilingual,
    OfficeConfigError,
    OfficeDefinition,
    load_office_file,
    parse_office_config,
)

DEMO = Path(__file__).parents[2] / "queue_server" / "demo" / "banjarmasin.yaml"
MINIMAL = Path(__file__).with_name("minimal.yaml")
DELETE = object()
RATED = {StationType.BIO, StationType.BIO_PRIORITY, StationType.PICKUP}


def minimal() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(MINIMAL.read_text(encoding="utf-8"))
    return data


def mutate(path: str, value: Any) -> dict[str, Any]:
    """The minimal file with the value at a dotted path (``services.0.prefix``) replaced."""
    data = minimal()
    target: Any = data
    keys: list[Any] = [int(key) if key.isdigit() else key for key in path.split(".")]
    for key in keys[:-1]:
        target = target[key]
    if value is DELETE:
        del target[keys[-1]]
    else:
        target[keys[-1]] = value
    return data


def refused(data: object) -> list[str]:
    with pytest.raises(OfficeConfigError) as error:
        parse_office_config(data)
    return error.value.problems


@pytest.fixture(scope="module")
def demo() -> OfficeDefinition:
    _data, definition = load_office_file(DEMO)
    return definition


def by_id(definition: OfficeDefinition) -> dict[str, Any]:
    return {service.id: service for service in definition.services}


# --- the demo office ---------------------------------------------------------------


def test_demo_office_is_wita_with_the_sop_policies(demo: OfficeDefinition) -> None:
    assert demo.office.id == "kanim-banjarmasin"
    assert demo.office.timezone == "Asia/Makassar"
    assert demo.office.priority.categories == (
        "disabled",
        "elderly",
        "child_under_five",
        "pregnant",
    )
    assert (demo.office.priority.priority_run, demo.office.priority.regular_run) == (1, 2)
    assert (demo.office.booking.early_minutes, demo.office.booking.late_minutes) == (60, 30)
    assert demo.office.no_show_grace_minutes == 30
    labels = {category.code: category.name for category in demo.priority_categories}
    assert labels["pregnant"] == Bilingual("Ibu hamil", "Pregnant")
    assert demo.warnings == ()


@pytest.mark.parametrize(
    ("service", "stations", "minutes", "later"),
    [
        ("paspor-mpaspor", ["CS", "BIO", "PICKUP"], [4, 10, 3], [0, 0, 4]),
        ("paspor-walkin", ["CS", "BIO", "PICKUP"], [4, 10, 2], [0, 0, 4]),
        ("paspor-prioritas", ["CS", "BIO_PRIORITY", "PICKUP"], [4, 10, 2], [0, 0, 4]),
        ("paspor-hilang-rusak", ["CS", "BAP", "BIO", "PICKUP"], [4, 30, 10, 2], [0, 0, 0, 4]),
        ("itk-penerbitan", ["LOKET", "PAY", "BIO", "LOKET"], [10, 5, 10, 5], [0, 0, 0, 3]),
        ("pengambilan-paspor", ["PICKUP"], [3], [0]),
        ("pengaduan", ["COMPLAINT"], [10], [0]),
        ("informasi", ["INFO"], [1], [0]),
    ],
)
def test_demo_journeys_use_the_sop_standard_minutes(
    demo: OfficeDefinition, service: str, stations: list[str], minutes: list[int], later: list[int]
) -> None:
    journey = by_id(demo)[service].journey
    assert [step.station.value for step in journey] == stations
    assert [step.standard_minutes for step in journey] == minutes
    assert [step.after_working_days for step in journey] == later


def test_demo_sums_match_the_sop_tables_without_back_office_steps(demo: OfficeDefinition) -> None:
    services = by_id(demo)
    # M-Paspor: 33 min in [004] = register 5 + pay 3 + INFO 1 + print 4 + archive 3 + 17.
    assert services["paspor-mpaspor"].standard_minutes_total == 33 - 5 - 3 - 1 - 4 - 3
    # Lost/damaged: 50 min = archive 4 + 46.
    assert services["paspor-hilang-rusak"].standard_minutes_total == 50 - 4
    assert services["paspor-mpaspor"].kind is ServiceKind.BOOKING_REQUIRED
    assert services["pengambilan-paspor"].kind is ServiceKind.PICKUP
    assert services["pengaduan"].kind is ServiceKind.COMPLAINT
    assert services["informasi"].kind is ServiceKind.INFORMATION


def test_demo_ratings_follow_the_sop_bio_and_pickup(demo: OfficeDefinition) -> None:
    for service in demo.services:
        for step in service.journey:
            if step.rating:
                assert step.station in RATED
    assert [step.rating for step in by_id(demo)["paspor-mpaspor"].journey] == [False, True, True]


def test_demo_priority_bio_goes_to_the_ramah_ham_desk(demo: OfficeDefinition) -> None:
    mpaspor = by_id(demo)["paspor-mpaspor"]
    assert mpaspor.station_for(1, priority=True) is StationType.BIO_PRIORITY
    assert mpaspor.station_for(1, priority=False) is StationType.BIO
    assert mpaspor.station_for(0, priority=True) is StationType.CS
    counters = {counter.id: counter for counter in demo.counters}
    assert counters[CounterId("ramah-ham")].serves(StationType.BIO_PRIORITY, mpaspor.id)
    assert not counters[CounterId("booth-1")].serves(StationType.BIO_PRIORITY, mpaspor.id)


def test_every_demo_step_has_a_counter_and_later_visits_a_service(demo: OfficeDefinition) -> None:
    starts = {service.journey[0].station for service in demo.services}
    for service in demo.services:
        for index, step in enumerate(service.journey):
            if step.after_working_days:
                assert step.station in starts, (service.id, index)
                continue
            for priority in (False, True):
                station = service.station_for(index, priority=priority)
                assert any(c.serves(station, service.id) for c in demo.counters), (
                    service.id,
                    station,
                )


def test_demo_counters_are_a_realistic_office(demo: OfficeDefinition) -> None:
    per_station: dict[StationType, int] = {}
    for counter in demo.counters:
        for station in counter.stations:
            per_station[station] = per_station.get(station, 0) + 1
    assert per_station[StationType.BIO] == 4
    assert per_station[StationType.BIO_PRIORITY] == 1
    assert per_station[StationType.CS] == 3  # 2 desks and the Ramah HAM desk
    assert per_station[StationType.PICKUP] == 2
    assert len({service.prefix for service in demo.services}) == len(demo.services)


def test_demo_calendar_opens_sessions_only_for_their_services(demo: OfficeDefinition) -> None:
    calendar = OfficeCalendar(config=demo.calendar, timezone=demo.office.timezone)
    monday_10 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 10:00 WITA
    saturday_10 = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
    tuesday_17 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    friday_1615 = datetime(2026, 11, 27, 8, 15, tzinfo=UTC)
    assert calendar.session_at(monday_10, ServiceId("paspor-walkin")) is not None
    assert calendar.session_at(friday_1615, ServiceId("paspor-walkin")) is not None
    saturday = calendar.session_at(saturday_10, ServiceId("pengambilan-paspor"))
    assert saturday is not None and saturday.quota == 100
    assert calendar.session_at(saturday_10, ServiceId("paspor-walkin")) is None
    evening = calendar.session_at(tuesday_17, ServiceId("paspor-walkin"))
    assert evening is not None and evening.code == "layanan-petang" and evening.quota == 40
    assert calendar.session_at(tuesday_17, ServiceId("itk-penerbitan")) is None
    assert calendar.is_holiday(date(2026, 12, 24))


def test_demo_content_is_json_safe_for_storage() -> None:
    data, _definition = load_office_file(DEMO)
    assert json.loads(json.dumps(data)) == data
    assert parse_office_config(yaml.safe_load(DEMO.read_text(encoding="utf-8"))).office.id


# --- defaults ----------------------------------------------------------------------


def test_minimal_file_gets_the_documented_defaults() -> None:
    definition = parse_office_config(minimal())
    assert definition.office.numbering.value == "keep"
    assert definition.office.no_show_grace_minutes == 30
    assert definition.office.booking.early_minutes == 60
    assert [category.code for category in definition.priority_categories] == [
        "disabled",
        "elderly",
        "child_under_five",
        "pregnant",
    ]
    assert definition.priority_categories[1].name == Bilingual("Lanjut usia", "Elderly")
    assert definition.calendar.national_holidays is True
    assert definition.branding is None and definition.service_descriptions == {}
    friday = next(hours for hours in definition.calendar.hours if hours.weekday == 4)
    assert (friday.opens, friday.closes) == (time(8, 0), time(16, 30))
    assert definition.warnings == ()


def test_parsing_does_not_change_the_input() -> None:
    data = minimal()
    before = copy.deepcopy(data)
    parse_office_config(data)
    assert data == before


# --- every rule, each named by its path ----------------------------------------------


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        ("services.1.id", "walkin", "services[1].id: 'walkin' is used twice"),
        ("services.1.prefix", "A", "services[1].prefix: 'A' is used twice"),
        ("services.0.id", "Bad Id", "services[0].id: must be lower-case letters"),
        ("services.0.id", "walk_in", "services[0].id: must be lower-case letters"),
        ("services.0.prefix", "a1", "services[0].prefix: must be 1-2 capital letters"),
        ("services.0.prefix", "ABC", "services[0].prefix: must be 1-2 capital letters"),
        ("services.0.kind", "vip", "services[0].kind: Input should be"),
        ("services.0.journey", [], "services[0].journey: List should have at least 1 item"),
        ("services.0.journey.0.station", "LOBBY", "services[0].journey[0].station: Input should"),
        ("services.0.journey.0.minutes", -1, "services[0].journey[0].minutes: Input should be"),
        ("services.0.journey.0.minutes", "4", "services[0].journey[0].minutes: Input should be"),
        (
            "services.0.journey.0.after_working_days",
            2,
            "services[0].journey[0].after_working_days: the first step must be on the day",
        ),
        ("services.0.daily_quota", -1, "services[0].daily_quota: Input should be greater"),
        ("services.0.daily_quota", "10", "services[0].daily_quota: Input should be a valid"),
        # past JavaScript's exact integers and SQL's BIGINT: once stored and published
        ("services.0.daily_quota", 2**63 + 5, "services[0].daily_quota: Input should be less"),
        ("calendar.sessions.0.quota", 100_001, "calendar.sessions[0].quota: Input should be less"),
        ("services.0.ready_after_working_days", 0, "services[0].ready_after_working_days: Input"),
        ("services.0.ready_after_working_days", "4", "services[0].ready_after_working_days: In"),
        ("services.0.ready_after_working_days", 61, "services[0].ready_after_working_days: Input"),
        ("services.0.colour", "red", "services[0].colour: Extra inputs are not permitted"),
        ("counters.1.id", "cs-1", "counters[1].id: 'cs-1' is used twice"),
        ("counters.0.stations", ["DESK"], "counters[0].stations[0]: Input should be 'INFO'"),
        ("counters.0.stations", [], "counters[0].stations: List should have at least 1 item"),
        ("counters.0.services", ["ghost"], "counters[0].services: unknown service 'ghost'"),
        ("counters.0.stations", ["PAY"], "services[0].journey[0]: no counter serves CS for walkin"),
        ("counters.0.services", ["ambil"], "services[0].journey[0]: no counter serves CS"),
        (
            "counters.1.stations",
            ["BIO"],
            "services[0].journey[1]: priority tickets at BIO go to BIO_PRIORITY",
        ),
        ("office.timezone", "Europe/Paris", "office.timezone: must be one of Asia/Jakarta"),
        ("office.id", "Kanim Mini", "office.id: must be lower-case letters"),
        ("office.numbering", "random", "office.numbering: Input should be 'keep'"),
        ("office.surprise", 1, "office.surprise: Extra inputs are not permitted"),
        ("colour", "red", "colour: Extra inputs are not permitted"),
        ("counters", DELETE, "counters: Field required"),
        ("office", DELETE, "office: Field required"),
        ("calendar.hours", {}, "calendar.hours: Dictionary should have at least 1 item"),
        ("calendar.hours.mon", ["16:00", "08:00"], "calendar.hours.mon: opens (16:00) must be"),
        ("calendar.hours.mon", ["8am", "16:00"], "calendar.hours.mon[0]: '8am' is not a time"),
        ("calendar.hours.mon", ["08:00", "24:30"], "calendar.hours.mon[1]: '24:30' is not a"),
        ("calendar.hours.mon", ["08:00", 960], "calendar.hours.mon[1]: must be a time in quotes"),
        ("calendar.hours.monday", ["08:00", "16:00"], "calendar.hours.monday (key): Input should"),
        ("calendar.sessions.0.weekdays", ["saturday"], "calendar.sessions[0].weekdays[0]: Input"),
        ("calendar.sessions.0.services", ["ghost"], "calendar.sessions[0].services: unknown"),
        ("calendar.sessions.0.weekdays", [], "calendar.sessions[0]: give weekdays or dates"),
        ("calendar.sessions.0.code", "regular", "calendar.sessions[0].code: 'regular' is reserved"),
        ("calendar.sessions.0.closes", "07:00", "calendar.sessions[0]: opens (08:00) must be"),
        ("calendar.sessions.0.quota", -5, "calendar.sessions[0].quota: Input should be greater"),
        ("calendar.cuti_bersama", ["2026-13-01"], "calendar.cuti_bersama[0]: '2026-13-01' is no"),
        (
            "calendar.cuti_bersama",
            ["2026-02-30"],
            "calendar.cuti_bersama[0]: '2026-02-30' is not a",
        ),
        (
            "calendar.sessions.0.dates",
            ["0000-01-01"],
            "calendar.sessions[0].dates[0]: '0000-01-01'",
        ),
        ("calendar.cuti_bersama", ["24/12/2026"], "calendar.cuti_bersama[0]: '24/12/2026' is not"),
        ("calendar.cuti_bersama", [20261224], "calendar.cuti_bersama[0]: must be an ISO date"),
        ("calendar.national_holidays", "yes", "calendar.national_holidays: Input should be"),
        ("priority", {"categories": ["elderly", "elderly"]}, "priority.categories[1]: 'elderly'"),
        ("priority", {"categories": ["Lansia"]}, "priority.categories[0]: must be lower-case"),
        (
            "priority",
            {"categories": ["elderly"], "labels": {"vip": {"id": "VIP", "en": "VIP"}}},
            "priority.labels.vip: 'vip' is not one of priority.categories",
        ),
        ("priority", {"labels": {"elderly": {"id": "Lansia"}}}, "priority.labels.elderly.en: Fie"),
        ("priority", {"priority_run": 0}, "priority.priority_run: Input should be greater"),
        ("booking", {"early_minutes": -1}, "booking.early_minutes: Input should be greater"),
        ("branding", {"footer_en": "x" * 121}, "branding.footer_en: String should have at most"),
        ("branding", {"ticker_id": "a\x07b"}, "branding.ticker_id: contains the control char"),
        ("office.name", "Kanim\u2066x", "office.name: contains the control character U+2066"),
        ("calendar.sessions.0.name_en", "x" * 121, "calendar.sessions[0].name_en: String should"),
    ],
)
def test_bad_files_are_refused_with_the_path(path: str, value: Any, expected: str) -> None:
    problems = refused(mutate(path, value))
    assert any(problem.startswith(expected) for problem in problems), problems


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ([{"date": "2026-03-20", "kind": "libur"}], "calendar.cuti_bersama[0].kind: Input should"),
        ([{"name": "Idul Fitri"}], "calendar.cuti_bersama[0].date: Field required"),
        ([{"date": "20/03/2026"}], "calendar.cuti_bersama[0].date: '20/03/2026' is not an ISO"),
        ([{"date": "2026-03-20", "name": "x" * 121}], "calendar.cuti_bersama[0].name: String"),
        ([{"date": "2026-03-20", "nama": "x"}], "calendar.cuti_bersama[0].nama: Extra inputs"),
        (["2026-03-20", {"date": "2026-03-20"}], "calendar.cuti_bersama[1].date: 2026-03-20 is"),
    ],
)
def test_bad_named_closed_days_are_refused_with_the_path(value: Any, expected: str) -> None:
    problems = refused(mutate("calendar.cuti_bersama", value))
    assert any(problem.startswith(expected) for problem in problems), problems


def test_closed_days_with_names_and_plain_dates_load_together() -> None:
    data = minimal()
    data["calendar"]["national_holidays"] = False
    data["calendar"]["cuti_bersama"] = [
        "2026-12-24",
        {"date": "2026-03-20", "name": "Cuti bersama Idul Fitri"},
        {"date": "2026-08-21", "name": "Rapat kerja", "kind": "closure"},
        {"date": "2026-11-02", "kind": "holiday"},
    ]
    definition = parse_office_config(data)
    calendar = OfficeCalendar(config=definition.calendar, timezone="Asia/Jakarta")
    names = {
        day: calendar.holiday_name(day)
        for day in (date(2026, 12, 24), date(2026, 3, 20), date(2026, 8, 21), date(2026, 11, 2))
    }
    assert names == {
        date(2026, 12, 24): "Cuti bersama",  # the older plain form: a cuti bersama day
        date(2026, 3, 20): "Cuti bersama Idul Fitri",
        date(2026, 8, 21): "Rapat kerja",
        date(2026, 11, 2): "Hari libur nasional",  # no name: the kind's name
    }
    assert not calendar.is_working_day(date(2026, 8, 21))  # a Friday, closed
    assert calendar.is_working_day(date(2026, 8, 28))  # the next Friday


def test_cuti_bersama_day_cannot_also_be_an_extra_open_day() -> None:
    data = minimal()
    data["calendar"]["cuti_bersama"] = ["2026-12-24"]
    data["calendar"]["extra_open_days"] = ["2026-12-24"]
    assert refused(data) == [
        "calendar.extra_open_days[0]: 2026-12-24 is also in calendar.cuti_bersama"
    ]


def test_duplicate_session_codes_are_refused() -> None:
    data = minimal()
    data["calendar"]["sessions"].append(copy.deepcopy(data["calendar"]["sessions"][0]))
    assert refused(data) == ["calendar.sessions[1].code: 'sabtu' is used twice"]


def test_every_cross_reference_problem_is_reported_at_once() -> None:
    data = mutate("services.1.prefix", "A")
    data["counters"][0]["services"] = ["ghost"]
    data["calendar"]["hours"]["mon"] = ["16:00", "08:00"]
    assert sorted(refused(data)) == [
        "calendar.hours.mon: opens (16:00) must be before closes (08:00)",
        "counters[0].services: unknown service 'ghost'",
        "services[0].journey[0]: no counter serves CS for walkin",  # cs-1 now serves ghost only
        "services[1].prefix: 'A' is used twice",
    ]


def test_a_counters_planned_breaks_are_read_and_must_end_after_they_begin() -> None:
    data = mutate("counters.0.breaks", [["13:00", "13:30"], ["12:00", "12:45"]])
    (counter,) = [
        c for c in parse_office_config(data).counters if c.id == data["counters"][0]["id"]
    ]
    assert counter.breaks == ((time(12, 0), time(12, 45)), (time(13, 0), time(13, 30)))
    assert refused(mutate("counters.0.breaks", [["12:00", "11:00"]])) == [
        "counters[0].breaks[0]: opens (12:00) must be before closes (11:00)"
    ]


def test_wrong_types_give_the_value_that_was_given() -> None:
    (problem,) = refused(mutate("services.0.kind", "vip"))
    assert problem.endswith("got 'vip'")


# --- allowed, with or without a warning -------------------------------------------


def test_a_later_visit_nobody_can_come_back_for_is_a_warning() -> None:
    data = minimal()
    del data["services"][1]
    del data["calendar"]["sessions"][0]
    definition = parse_office_config(data)
    assert definition.warnings == (
        "services[0].journey[2]: PICKUP is on a later visit, but no active service starts at "
        "PICKUP with a counter serving it, so the applicant cannot take a ticket for it",
    )


def test_a_category_without_labels_is_a_warning_and_shows_its_code() -> None:
    definition = parse_office_config(mutate("priority", {"categories": ["veteran"]}))
    assert definition.priority_categories[0].name == Bilingual("veteran", "veteran")
    assert definition.warnings == (
        "priority.categories[0]: no labels for 'veteran'; kiosks will show the code",
    )


def test_priority_routing_can_be_switched_off_per_service() -> None:
    data = mutate("counters.1.stations", ["BIO"])
    data["services"][0]["priority_stations"] = {}
    service = parse_office_config(data).services[0]
    assert service.station_for(1, priority=True) is StationType.BIO


def test_an_office_without_priority_categories_needs_no_priority_desk() -> None:
    data = mutate("counters.1.stations", ["BIO"])
    data["priority"] = {"categories": []}
    assert parse_office_config(data).office.priority.categories == ()


def test_an_inactive_service_needs_no_counter() -> None:
    data = mutate("counters.0.stations", ["INFO"])
    data["services"][0]["active"] = False
    assert parse_office_config(data).services[0].active is False


def test_branding_and_descriptions_reach_the_definition() -> None:
    data = minimal()
    data["branding"] = {"address": "Jayapura", "footer_id": "Terima kasih", "footer_en": "Thanks"}
    data["services"][0]["description_en"] = "Bring your KTP."
    definition = parse_office_config(data)
    assert definition.branding is not None
    assert definition.branding.display_name == "Kantor Imigrasi Mini"
    assert definition.branding.footer == Bilingual("Terima kasih", "Thanks")
    assert definition.service_descriptions == {"walkin": Bilingual("", "Bring your KTP.")}


# --- the file itself ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("", "(file): must be a mapping"),
        ("- a list\n", "(file): must be a mapping"),
        ("just text", "(file): must be a mapping"),
        ("office: [unclosed\n", "(file): not valid YAML"),
        ("office: {id: a}\noffice: {id: b}\n", "(file): duplicate key 'office' (line 2)"),
        ("x: &anchor {a: 1}\ny: *anchor\n", "(file): aliases (*name) are not allowed (line 2)"),
        ("!!python/object:os.system {}\n", "(file): not valid YAML"),
        ("a: " + "[" * 5000 + "]" * 5000 + "\n", "(file): nested deeper than 20 levels"),
        ("b: 1\na: -" + "9" * 4400 + "\n", "(file): a number longer than 40 digits (line 2)"),
        ("a: 0x" + "f" * 4000 + "\n", "(file): a number longer than 40 digits (line 1)"),
    ],
)
def test_bad_yaml_is_a_clear_error_not_a_crash(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "office.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(OfficeConfigError) as error:
        load_office_file(path)
    assert error.value.problems[0].startswith(expected), error.value.problems


def test_non_utf8_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "office.yaml"
    path.write_bytes(MINIMAL.read_bytes().replace(b"Mini", b"Mini \xff"))
    with pytest.raises(OfficeConfigError) as error:
        load_office_file(path)
    assert error.value.problems[0].startswith("(file): not UTF-8 text")


@pytest.mark.parametrize("data", [None, [], "office", 42])
def test_content_that_is_not_a_mapping_is_refused(data: object) -> None:
    assert refused(data) == ["(file): must be a mapping with office, calendar, services, counters"]


def test_unquoted_times_and_dates_in_a_file_stay_text(tmp_path: Path) -> None:
    text = MINIMAL.read_text(encoding="utf-8").replace('"16:00"', "16:00")
    path = tmp_path / "office.yaml"
    path.write_text(text.replace("calendar:\n", "calendar:\n  cuti_bersama: [2026-12-24]\n"))
    data, definition = load_office_file(path)
    assert data["calendar"]["hours"]["mon"] == ["08:00", "16:00"]
    assert data["calendar"]["cuti_bersama"] == ["2026-12-24"]
    assert definition.calendar.extra_closed_days == frozenset({date(2026, 12, 24)})
    json.dumps(data)
