"""The office file: the demo office loads right; every rule refuses bad files by path."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from queue_server.domain.ids import StationType
from queue_server.office_config import OfficeConfigError, load_office_file, parse_office_config

DEMO = Path(__file__).parents[2] / "queue_server" / "demo" / "banjarmasin.yaml"
SMALL = Path(__file__).parents[1] / "services" / "office.yaml"


def small() -> dict[str, Any]:
    return copy.deepcopy(yaml.safe_load(SMALL.read_text(encoding="utf-8")))


def test_demo_office_follows_the_banjarmasin_sops() -> None:
    _data, definition = load_office_file(DEMO)
    services = {service.id: service for service in definition.services}
    assert definition.office.timezone == "Asia/Makassar"
    mpaspor = services["paspor-mpaspor"]
    assert [step.station for step in mpaspor.journey] == [
        StationType.CS,
        StationType.BIO,
        StationType.PICKUP,
    ]
    assert [step.standard_minutes for step in mpaspor.journey] == [4, 10, 3]
    assert mpaspor.journey[2].after_working_days == 4
    assert [step.rating for step in mpaspor.journey] == [False, True, True]
    assert sum(s.standard_minutes for s in services["paspor-hilang-rusak"].journey) == 34
    assert mpaspor.station_for(1, priority=True) is StationType.BIO_PRIORITY
    assert definition.office.priority.categories == (
        "disabled",
        "elderly",
        "child_under_five",
        "pregnant",
    )
    stations = {station for counter in definition.counters for station in counter.stations}
    for service in definition.services:
        for step in service.journey:
            assert step.station in stations
    assert definition.warnings == ()


def mutate(path: str, value: Any) -> dict[str, Any]:
    data = small()
    target: Any = data
    keys = [int(k) if k.isdigit() else k for k in path.split(".")]
    for key in keys[:-1]:
        target = target[key]
    if value is DELETE:
        del target[keys[-1]]
    else:
        target[keys[-1]] = value
    return data


DELETE = object()


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        ("services.1.prefix", "A", "services[1].prefix: 'A' is used twice"),
        ("services.1.id", "mpaspor", "services[1].id: 'mpaspor' is used twice"),
        ("services.0.prefix", "a1", "services[0].prefix"),
        ("services.0.id", "Bad Id", "services[0].id"),
        ("services.0.kind", "vip", "services[0].kind"),
        ("services.0.journey", [], "services[0].journey"),
        ("services.0.journey.0.station", "LOBBY", "services[0].journey[0].station"),
        (
            "services.0.journey.0.after_working_days",
            2,
            "the first step must be on the day of issue",
        ),
        ("services.0.daily_quota", -1, "services[0].daily_quota"),
        ("counters.1.id", "cs-1", "counters[1].id: 'cs-1' is used twice"),
        ("counters.0.services", ["ghost"], "counters[0].services: unknown service 'ghost'"),
        ("counters.5.stations", ["CS"], "services[2].journey[1]: no counter serves BAP"),
        ("office.timezone", "Europe/Paris", "office.timezone"),
        ("office.surprise", 1, "office.surprise: Extra inputs are not permitted"),
        (
            "calendar.hours.mon",
            ["16:00", "08:00"],
            "calendar.hours.mon: opens (16:00) must be before",
        ),
        ("calendar.hours.tue", ["8am", "16:00"], "calendar.hours.tue: '8am' is not a time HH:MM"),
        (
            "calendar.sessions.0.services",
            ["ghost"],
            "calendar.sessions[0].services: unknown service",
        ),
        ("calendar.cuti_bersama", ["2026-13-01"], "calendar.cuti_bersama[0]"),
        ("counters", DELETE, "counters: Field required"),
    ],
)
def test_bad_files_are_refused_with_the_path(path: str, value: Any, expected: str) -> None:
    with pytest.raises(OfficeConfigError) as refused:
        parse_office_config(mutate(path, value))
    assert any(expected in problem for problem in refused.value.problems), refused.value.problems


@pytest.mark.parametrize("content", ["", "- a list\n", "just text", "office: [unclosed\n"])
def test_non_mapping_and_broken_yaml_are_clear_errors(tmp_path: Path, content: str) -> None:
    path = tmp_path / "office.yaml"
    path.write_text(content)
    with pytest.raises(OfficeConfigError) as refused:
        load_office_file(path)
    assert refused.value.problems[0].startswith("(file):")


def test_every_problem_is_reported_at_once() -> None:
    data = mutate("services.1.prefix", "A")
    data["counters"][0]["services"] = ["ghost"]
    with pytest.raises(OfficeConfigError) as refused:
        parse_office_config(data)
    assert len(refused.value.problems) == 2
