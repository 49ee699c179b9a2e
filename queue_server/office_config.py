"""The office file: a readable YAML document describing one office, validated here.

``parse_office_config(data)`` turns the file's content into domain objects or raises
:class:`OfficeConfigError` listing every problem with its path (``services[2].prefix``).
Nothing is written anywhere by this module; ``antre office load`` stores the content
only after it parsed cleanly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from queue_server.domain.calendar import WEEKDAYS, CalendarConfig, OpeningHours, SpecialSession
from queue_server.domain.ids import (
    CounterId,
    NumberingMode,
    OfficeId,
    ServiceId,
    ServiceKind,
    StationType,
)
from queue_server.domain.model import (
    INDONESIAN_TIMEZONES,
    BookingPolicy,
    CounterProfile,
    JourneyStep,
    Office,
    PriorityPolicy,
    Service,
)

ID_RE = r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$"
HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class OfficeConfigError(ValueError):
    """The office file is not valid; ``problems`` lists each one as ``path: message``."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _clock(value: str) -> time:
    match = HHMM.fullmatch(value)
    if match is None:
        raise ValueError(f"{value!r} is not a time HH:MM")
    return time(int(match.group(1)), int(match.group(2)))


class OfficeSection(_Strict):
    id: str = Field(pattern=ID_RE)
    name: str = Field(min_length=1, max_length=200)
    timezone: str = "Asia/Jakarta"
    numbering: NumberingMode = NumberingMode.KEEP
    no_show_grace_minutes: int = Field(default=30, ge=0, le=24 * 60)

    @field_validator("timezone")
    @classmethod
    def _indonesian(cls, value: str) -> str:
        if value not in INDONESIAN_TIMEZONES:
            raise ValueError(f"must be one of {', '.join(sorted(INDONESIAN_TIMEZONES))}")
        return value


class PrioritySection(_Strict):
    categories: list[str] = Field(
        default=["disabled", "elderly", "child_under_five", "pregnant"], min_length=1
    )
    labels: dict[str, dict[Literal["id", "en"], str]] = Field(default_factory=dict)
    priority_run: int = Field(default=1, ge=1, le=10)
    regular_run: int = Field(default=2, ge=1, le=10)


class BookingSection(_Strict):
    early_minutes: int = Field(default=60, ge=0, le=24 * 60)
    late_minutes: int = Field(default=30, ge=0, le=24 * 60)


class SessionSection(_Strict):
    code: str = Field(pattern=ID_RE)
    name_id: str
    name_en: str
    opens: str
    closes: str
    weekdays: list[Weekday] = Field(default_factory=list)
    dates: list[date] = Field(default_factory=list)
    services: list[str] = Field(default_factory=list)
    quota: int | None = Field(default=None, ge=0)
    on_holidays: bool = False


class CalendarSection(_Strict):
    hours: dict[Weekday, tuple[str, str]]
    national_holidays: bool = True
    cuti_bersama: list[date] = Field(default_factory=list)
    extra_open_days: list[date] = Field(default_factory=list)
    sessions: list[SessionSection] = Field(default_factory=list)


class StepSection(_Strict):
    station: StationType
    minutes: float = Field(ge=0, le=24 * 60)
    label: str = ""
    after_working_days: int = Field(default=0, ge=0, le=60)
    rating: bool = False


class ServiceSection(_Strict):
    id: str = Field(pattern=ID_RE)
    prefix: str = Field(pattern=r"^[A-Z]{1,2}$")
    name_id: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    kind: ServiceKind
    journey: list[StepSection] = Field(min_length=1)
    daily_quota: int | None = Field(default=None, ge=0)
    active: bool = True
    description_id: str = ""
    description_en: str = ""


class CounterSection(_Strict):
    id: str = Field(pattern=ID_RE)
    name: str = Field(min_length=1)
    stations: list[StationType] = Field(min_length=1)
    services: list[str] = Field(default_factory=list)


class BrandingSection(_Strict):
    display_name: str = ""
    address: str = ""
    footer_id: str = ""
    footer_en: str = ""


class OfficeFile(_Strict):
    office: OfficeSection
    priority: PrioritySection = PrioritySection()
    booking: BookingSection = BookingSection()
    calendar: CalendarSection
    services: list[ServiceSection] = Field(min_length=1)
    counters: list[CounterSection] = Field(min_length=1)
    branding: BrandingSection = BrandingSection()


@dataclass(frozen=True)
class OfficeDefinition:
    """Everything one office file defines, as domain objects."""

    office: Office
    services: tuple[Service, ...]
    counters: tuple[CounterProfile, ...]
    calendar: CalendarConfig
    priority_labels: dict[str, dict[str, str]]
    branding: BrandingSection
    warnings: tuple[str, ...] = ()


def parse_office_config(data: object) -> OfficeDefinition:
    """Validate an office file's content; raise :class:`OfficeConfigError` listing problems."""
    if not isinstance(data, dict):
        raise OfficeConfigError(
            ["(file): must be a mapping with office, calendar, services, counters"]
        )
    try:
        parsed = OfficeFile.model_validate(data)
    except ValidationError as error:
        raise OfficeConfigError([_describe(item) for item in error.errors()]) from error
    problems = _cross_checks(parsed)
    if problems:
        raise OfficeConfigError(problems)
    return _build(parsed)


def load_office_file(path: Path) -> tuple[dict[str, Any], OfficeDefinition]:
    """Read and validate a YAML office file: its raw content and its definition."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise OfficeConfigError([f"(file): not valid YAML: {error}"]) from error
    return data, parse_office_config(data)


def _describe(item: Any) -> str:
    path = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in item["loc"])
    return f"{path.lstrip('.') or '(file)'}: {item['msg']}"


def _cross_checks(parsed: OfficeFile) -> list[str]:
    problems: list[str] = []
    problems += _duplicates("services", [service.id for service in parsed.services], "id")
    problems += _duplicates("services", [service.prefix for service in parsed.services], "prefix")
    problems += _duplicates("counters", [counter.id for counter in parsed.counters], "id")
    known = {service.id for service in parsed.services}
    for index, counter in enumerate(parsed.counters):
        problems += [
            f"counters[{index}].services: unknown service {code!r}"
            for code in counter.services
            if code not in known
        ]
    for index, session in enumerate(parsed.calendar.sessions):
        problems += [
            f"calendar.sessions[{index}].services: unknown service {code!r}"
            for code in session.services
            if code not in known
        ]
        problems += _times(f"calendar.sessions[{index}]", session.opens, session.closes)
    for weekday, (opens, closes) in parsed.calendar.hours.items():
        problems += _times(f"calendar.hours.{weekday}", opens, closes)
    for index, service in enumerate(parsed.services):
        if service.journey[0].after_working_days:
            problems.append(
                f"services[{index}].journey[0]: the first step must be on the day of issue"
            )
    problems += _unserved(parsed)
    return problems


def _duplicates(section: str, values: list[str], field: str) -> list[str]:
    seen: set[str] = set()
    problems = []
    for index, value in enumerate(values):
        if value in seen:
            problems.append(f"{section}[{index}].{field}: {value!r} is used twice")
        seen.add(value)
    return problems


def _times(path: str, opens: str, closes: str) -> list[str]:
    try:
        if _clock(opens) >= _clock(closes):
            return [f"{path}: opens ({opens}) must be before closes ({closes})"]
    except ValueError as error:
        return [f"{path}: {error}"]
    return []


def _unserved(parsed: OfficeFile) -> list[str]:
    """Same-day journey steps that no counter serves (a ticket would wait forever)."""
    problems = []
    for index, service in enumerate(parsed.services):
        for position, step in enumerate(service.journey):
            if step.after_working_days:
                continue
            served = any(
                step.station in counter.stations
                and (not counter.services or service.id in counter.services)
                for counter in parsed.counters
            )
            if not served:
                problems.append(
                    f"services[{index}].journey[{position}]: no counter serves {step.station.value}"
                )
    return problems


def _build(parsed: OfficeFile) -> OfficeDefinition:
    office = Office(
        id=OfficeId(parsed.office.id),
        name=parsed.office.name,
        timezone=parsed.office.timezone,
        numbering=parsed.office.numbering,
        priority=PriorityPolicy(
            categories=tuple(parsed.priority.categories),
            priority_run=parsed.priority.priority_run,
            regular_run=parsed.priority.regular_run,
        ),
        booking=BookingPolicy(parsed.booking.early_minutes, parsed.booking.late_minutes),
        no_show_grace_minutes=parsed.office.no_show_grace_minutes,
    )
    return OfficeDefinition(
        office=office,
        services=tuple(_service(section) for section in parsed.services),
        counters=tuple(_counter(section) for section in parsed.counters),
        calendar=_calendar(parsed.calendar),
        priority_labels={
            code: {str(lang): text for lang, text in names.items()}
            for code, names in parsed.priority.labels.items()
        },
        branding=parsed.branding,
        warnings=tuple(_warnings(parsed)),
    )


def _service(section: ServiceSection) -> Service:
    return Service(
        id=ServiceId(section.id),
        prefix=section.prefix,
        name_id=section.name_id,
        name_en=section.name_en,
        kind=section.kind,
        journey=tuple(
            JourneyStep(
                step.station, step.minutes, step.label, step.after_working_days, step.rating
            )
            for step in section.journey
        ),
        daily_quota=section.daily_quota,
        active=section.active,
    )


def _counter(section: CounterSection) -> CounterProfile:
    return CounterProfile(
        id=CounterId(section.id),
        name=section.name,
        stations=frozenset(section.stations),
        services=frozenset(ServiceId(code) for code in section.services),
    )


def _calendar(section: CalendarSection) -> CalendarConfig:
    return CalendarConfig(
        hours=tuple(
            OpeningHours(WEEKDAYS.index(day), _clock(opens), _clock(closes))
            for day, (opens, closes) in section.hours.items()
        ),
        sessions=tuple(
            SpecialSession(
                code=session.code,
                name_id=session.name_id,
                name_en=session.name_en,
                opens=_clock(session.opens),
                closes=_clock(session.closes),
                weekdays=frozenset(WEEKDAYS.index(day) for day in session.weekdays),
                dates=frozenset(session.dates),
                services=frozenset(ServiceId(code) for code in session.services),
                quota=session.quota,
                on_holidays=session.on_holidays,
            )
            for session in section.sessions
        ),
        extra_closed_days=frozenset(section.cuti_bersama),
        national_holidays=section.national_holidays,
        extra_open_days=frozenset(section.extra_open_days),
    )


def _warnings(parsed: OfficeFile) -> list[str]:
    """Things that are allowed but probably unintended."""
    warnings = []
    for index, service in enumerate(parsed.services):
        for position, step in enumerate(service.journey):
            if step.after_working_days and not any(
                step.station in counter.stations for counter in parsed.counters
            ):
                warnings.append(
                    f"services[{index}].journey[{position}]: no counter serves {step.station.value}"
                )
    return warnings
