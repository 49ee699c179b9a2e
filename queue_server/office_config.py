"""The office file: a readable YAML document describing one office, validated here.

``parse_office_config(data)`` turns the file's content into domain objects or raises
:class:`OfficeConfigError` listing every problem with its path (``services[2].prefix``).
Nothing is written anywhere by this module; ``antre office load`` stores the content
only after it parsed cleanly. The format is documented in ``docs/office-config.md``.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from queue_server.domain.calendar import (
    REGULAR,
    WEEKDAYS,
    CalendarConfig,
    OpeningHours,
    SpecialSession,
)
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

MAX_FILE_BYTES = 1_000_000
ID_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?")
CATEGORY_RE = re.compile(r"[a-z][a-z0-9_]{0,39}")
HHMM_RE = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")
ISO_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
#: Names of the SOP priority categories, used when the file gives no labels.
SOP_PRIORITY_LABELS: dict[str, tuple[str, str]] = {
    "disabled": ("Penyandang disabilitas", "Person with a disability"),
    "elderly": ("Lanjut usia", "Elderly"),
    "child_under_five": ("Membawa balita", "With a child under five"),
    "pregnant": ("Ibu hamil", "Pregnant"),
}


class OfficeConfigError(ValueError):
    """The office file is not valid; ``problems`` lists each one as ``path: message``."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


# --- field types with messages an admin can act on ---------------------------------


def _check_id(value: str) -> str:
    if not ID_RE.fullmatch(value):
        raise ValueError(
            f"must be lower-case letters, digits and '-' (e.g. paspor-walkin), got {value!r}"
        )
    return value


def _check_prefix(value: str) -> str:
    if not re.fullmatch(r"[A-Z]{1,2}", value):
        raise ValueError(f"must be 1-2 capital letters (e.g. A), got {value!r}")
    return value


def _check_timezone(value: str) -> str:
    if value not in INDONESIAN_TIMEZONES:
        raise ValueError(f"must be one of {', '.join(sorted(INDONESIAN_TIMEZONES))}")
    return value


def _clock(value: object) -> object:
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError(f'must be a time in quotes like "16:00", got the number {value!r}')
    if isinstance(value, str):
        match = HHMM_RE.fullmatch(value)
        if match is None:
            raise ValueError(f"{value!r} is not a time HH:MM")
        return time(int(match.group(1)), int(match.group(2)))
    return value


def _iso_date(value: object) -> object:
    if isinstance(value, str) and not ISO_DATE_RE.fullmatch(value):
        raise ValueError(f"{value!r} is not an ISO date YYYY-MM-DD")
    if not isinstance(value, str | date):
        raise ValueError("must be an ISO date YYYY-MM-DD")
    return value


Id = Annotated[str, AfterValidator(_check_id)]
Timezone = Annotated[str, AfterValidator(_check_timezone)]
Prefix = Annotated[str, AfterValidator(_check_prefix)]
Clock = Annotated[time, BeforeValidator(_clock)]
IsoDate = Annotated[date, BeforeValidator(_iso_date)]
Count = Annotated[int, Field(strict=True, ge=0)]
Minutes = Annotated[int, Field(strict=True, ge=0, le=24 * 60)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- the file's schema -------------------------------------------------------------


class OfficeSection(_Strict):
    id: Id = Field(description="Office id, used in URLs and MQTT topics")
    name: str = Field(min_length=1, max_length=200, description="Official office name")
    timezone: Timezone = Field(
        default="Asia/Jakarta", description="WIB, WITA or WIT; numbers reset at local midnight"
    )
    numbering: NumberingMode = Field(default=NumberingMode.KEEP, description="keep or per_station")
    no_show_grace_minutes: Minutes = Field(
        default=30, description="How long a no-show may come back"
    )


class LabelSection(_Strict):
    id: str = Field(min_length=1, max_length=80, description="Name in Bahasa Indonesia")
    en: str = Field(min_length=1, max_length=80, description="Name in English")


class PrioritySection(_Strict):
    categories: list[str] = Field(
        default=list(SOP_PRIORITY_LABELS), description="Codes of who may ask for priority"
    )
    labels: dict[str, LabelSection] = Field(
        default_factory=dict, description="Names per category code (SOP codes have defaults)"
    )
    priority_run: int = Field(
        default=1, strict=True, ge=1, le=10, description="Priority calls in a row"
    )
    regular_run: int = Field(
        default=2, strict=True, ge=1, le=10, description="Regular calls in a row"
    )


class BookingSection(_Strict):
    early_minutes: Minutes = Field(
        default=60, description="Check-in allowed this long before the slot"
    )
    late_minutes: Minutes = Field(
        default=30, description="Check-in allowed this long after the slot"
    )


class SessionSection(_Strict):
    code: Id = Field(description="Session id, e.g. sabtu-ambil-paspor")
    name_id: str = Field(min_length=1, description="Name in Bahasa Indonesia")
    name_en: str = Field(min_length=1, description="Name in English")
    opens: Clock = Field(description='Local opening time "HH:MM"')
    closes: Clock = Field(description='Local closing time "HH:MM" (exclusive)')
    weekdays: list[Weekday] = Field(default_factory=list, description="Every week on these days")
    dates: list[IsoDate] = Field(default_factory=list, description="And/or on these dates")
    services: list[str] = Field(default_factory=list, description="Service ids; empty = all")
    quota: Count | None = Field(
        default=None, description="Tickets for the whole session; none = no limit"
    )
    on_holidays: bool = Field(
        default=False, strict=True, description="Also runs on public holidays"
    )


class CalendarSection(_Strict):
    hours: dict[Weekday, tuple[Clock, Clock]] = Field(
        min_length=1, description='Regular hours per weekday: ["HH:MM", "HH:MM"]'
    )
    national_holidays: bool = Field(
        default=True, strict=True, description="Closed on national holidays"
    )
    cuti_bersama: list[IsoDate] = Field(default_factory=list, description="Extra closed days")
    extra_open_days: list[IsoDate] = Field(default_factory=list, description="Open despite holiday")
    sessions: list[SessionSection] = Field(default_factory=list, description="Special sessions")


class StepSection(_Strict):
    station: StationType = Field(description="Desk type: INFO, CS, BIO, BIO_PRIORITY, ...")
    minutes: float = Field(strict=True, ge=0, le=24 * 60, description="SOP standard minutes")
    label: str = Field(default="", max_length=120, description="What happens at this step")
    after_working_days: int = Field(
        default=0, strict=True, ge=0, le=60, description="0 = same visit; >0 = a later visit"
    )
    rating: bool = Field(
        default=False, strict=True, description="Ask for a satisfaction rating after"
    )


class ServiceSection(_Strict):
    id: Id = Field(description="Service id, e.g. paspor-walkin")
    prefix: Prefix = Field(description="Ticket letters, e.g. A for A-001")
    name_id: str = Field(min_length=1, max_length=120, description="Name in Bahasa Indonesia")
    name_en: str = Field(min_length=1, max_length=120, description="Name in English")
    kind: ServiceKind = Field(description="booking_required, walk_in, pickup, complaint, ...")
    journey: list[StepSection] = Field(min_length=1, description="Steps in order")
    daily_quota: Count | None = Field(
        default=None, description="Tickets per office day; none = no limit"
    )
    active: bool = Field(
        default=True, strict=True, description="Inactive services issue no tickets"
    )
    description_id: str = Field(
        default="", max_length=1000, description="Kiosk information text (id)"
    )
    description_en: str = Field(
        default="", max_length=1000, description="Kiosk information text (en)"
    )
    priority_stations: dict[StationType, StationType] | None = Field(
        default=None, description="Where priority tickets go instead; default {BIO: BIO_PRIORITY}"
    )


class CounterSection(_Strict):
    id: Id = Field(description="Counter id, e.g. cs-1")
    name: str = Field(min_length=1, max_length=80, description="Shown on displays and tickets")
    stations: list[StationType] = Field(min_length=1, description="Station types it serves")
    services: list[str] = Field(default_factory=list, description="Only these; empty = all")


class BrandingSection(_Strict):
    display_name: str = Field(
        default="", max_length=80, description="Short name; default office.name"
    )
    address: str = Field(default="", max_length=120, description="One address line for tickets")
    footer_id: str = Field(
        default="", max_length=120, description="Ticket footer in Bahasa Indonesia"
    )
    footer_en: str = Field(default="", max_length=120, description="Ticket footer in English")


class OfficeFile(_Strict):
    office: OfficeSection
    priority: PrioritySection = Field(default_factory=PrioritySection)
    booking: BookingSection = Field(default_factory=BookingSection)
    calendar: CalendarSection
    services: list[ServiceSection] = Field(min_length=1)
    counters: list[CounterSection] = Field(min_length=1)
    branding: BrandingSection | None = None


# --- what the file produces --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Bilingual:
    """A text in Bahasa Indonesia (``id``) and English (``en``)."""

    id: str
    en: str


@dataclass(frozen=True, slots=True)
class PriorityCategory:
    code: str
    name: Bilingual


@dataclass(frozen=True, slots=True)
class Branding:
    display_name: str
    address: str
    footer: Bilingual


@dataclass(frozen=True, slots=True)
class OfficeDefinition:
    """Everything one office file defines, as domain objects.

    ``warnings`` lists things that are allowed but probably unintended (``path: message``).
    """

    office: Office
    services: tuple[Service, ...]
    counters: tuple[CounterProfile, ...]
    calendar: CalendarConfig
    priority_categories: tuple[PriorityCategory, ...]
    branding: Branding | None = None
    service_descriptions: Mapping[ServiceId, Bilingual] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()


# --- reading and validating --------------------------------------------------------


class _OfficeYamlLoader(yaml.SafeLoader):
    """Safe loading made strict for a hand-written file.

    Duplicate keys and aliases are refused; dates and clock times stay text (YAML 1.1
    reads ``16:00`` as 960), so the loaded content is also JSON-safe for storage.
    """

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            message = "aliases (*name) are not allowed"
            raise yaml.composer.ComposerError(None, None, message, self.get_mark())
        return super().compose_node(parent, index)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        seen: set[object] = set()
        for key_node, _value in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else id(key_node)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep)


_OfficeYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if not tag.endswith(":timestamp")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
for _digit in "0123456789":
    _OfficeYamlLoader.yaml_implicit_resolvers[_digit].insert(
        0, ("tag:yaml.org,2002:str", re.compile(r"^\d{1,2}:\d{2}$"))
    )


def load_office_file(path: Path) -> tuple[dict[str, Any], OfficeDefinition]:
    """Read and validate a YAML office file.

    Returns:
        The file's content (JSON-safe, as stored by ``antre office load``) and its definition.

    Raises:
        OfficeConfigError: the file is not valid YAML, not UTF-8, too large, or not valid.
        FileNotFoundError: there is no such file.
    """
    if path.stat().st_size > MAX_FILE_BYTES:
        raise OfficeConfigError([f"(file): larger than {MAX_FILE_BYTES} bytes"])
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_OfficeYamlLoader)
    except UnicodeDecodeError as error:
        raise OfficeConfigError([f"(file): not UTF-8 text: {error}"]) from error
    except yaml.YAMLError as error:
        where = str(error).replace('"<unicode string>"', f'"{path}"')
        raise OfficeConfigError([f"(file): not valid YAML: {where}"]) from error
    return data, parse_office_config(data)


def parse_office_config(data: object) -> OfficeDefinition:
    """Validate an office file's content (a mapping) and build its domain objects.

    Raises:
        OfficeConfigError: listing every problem as ``path: message``; schema problems
            are reported first, cross-reference problems once the schema is satisfied.
    """
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
    try:
        return _build(parsed)
    except ValueError as error:  # a domain rule the checks above missed: still refuse cleanly
        raise OfficeConfigError([f"(file): {error}"]) from error


def _describe(item: Any) -> str:
    path = "".join(_path_part(part) for part in item["loc"])
    message = str(item["msg"]).removeprefix("Value error, ")
    given = item.get("input")
    if item["type"] not in {"missing", "extra_forbidden", "value_error"} and isinstance(
        given, str | int | float
    ):
        message += f", got {given!r}"
    return f"{path.lstrip('.') or '(file)'}: {message}"


def _path_part(part: object) -> str:
    if isinstance(part, int):
        return f"[{part}]"
    return " (key)" if part == "[key]" else f".{part}"


# --- rules across sections ---------------------------------------------------------


def _cross_checks(parsed: OfficeFile) -> list[str]:
    return [
        *_unique("services", "id", [service.id for service in parsed.services]),
        *_unique("services", "prefix", [service.prefix for service in parsed.services]),
        *_unique("counters", "id", [counter.id for counter in parsed.counters]),
        *_unique("calendar.sessions", "code", [s.code for s in parsed.calendar.sessions]),
        *_unique("priority.categories", "", parsed.priority.categories),
        *_priority_problems(parsed.priority),
        *_calendar_problems(parsed),
        *_reference_problems(parsed),
        *_journey_problems(parsed),
    ]


def _unique(section: str, key: str, values: list[str]) -> list[str]:
    seen: set[str] = set()
    problems = []
    for index, value in enumerate(values):
        if value in seen:
            problems.append(f"{section}[{index}]{'.' if key else ''}{key}: {value!r} is used twice")
        seen.add(value)
    return problems


def _priority_problems(section: PrioritySection) -> list[str]:
    problems = [
        f"priority.categories[{index}]: must be lower-case letters, digits and '_' "
        f"(e.g. child_under_five), got {code!r}"
        for index, code in enumerate(section.categories)
        if not CATEGORY_RE.fullmatch(code)
    ]
    problems += [
        f"priority.labels.{code}: {code!r} is not one of priority.categories"
        for code in section.labels
        if code not in section.categories
    ]
    return problems


def _calendar_problems(parsed: OfficeFile) -> list[str]:
    calendar = parsed.calendar
    problems = [
        f"calendar.hours.{day}: opens ({opens:%H:%M}) must be before closes ({closes:%H:%M})"
        for day, (opens, closes) in calendar.hours.items()
        if opens >= closes
    ]
    for index, session in enumerate(calendar.sessions):
        problems += _session_problems(f"calendar.sessions[{index}]", session)
    closed = set(calendar.cuti_bersama)
    problems += [
        f"calendar.extra_open_days[{index}]: {day} is also in calendar.cuti_bersama"
        for index, day in enumerate(calendar.extra_open_days)
        if day in closed
    ]
    return problems


def _session_problems(path: str, session: SessionSection) -> list[str]:
    problems = []
    if session.opens >= session.closes:
        problems.append(
            f"{path}: opens ({session.opens:%H:%M}) must be before closes ({session.closes:%H:%M})"
        )
    if not session.weekdays and not session.dates:
        problems.append(f"{path}: give weekdays or dates, or the session never runs")
    if session.code == REGULAR:
        problems.append(f"{path}.code: {REGULAR!r} is reserved for the regular hours")
    return problems


def _reference_problems(parsed: OfficeFile) -> list[str]:
    known = {service.id for service in parsed.services}
    problems = [
        f"counters[{index}].services: unknown service {code!r}"
        for index, counter in enumerate(parsed.counters)
        for code in counter.services
        if code not in known
    ]
    problems += [
        f"calendar.sessions[{index}].services: unknown service {code!r}"
        for index, session in enumerate(parsed.calendar.sessions)
        for code in session.services
        if code not in known
    ]
    return problems


def _journey_problems(parsed: OfficeFile) -> list[str]:
    """Steps no counter would ever call: a ticket there would wait forever."""
    problems = []
    for index, service in enumerate(parsed.services):
        if service.journey[0].after_working_days:
            problems.append(
                f"services[{index}].journey[0].after_working_days: "
                "the first step must be on the day of issue (0)"
            )
        if not service.active:
            continue
        for position, step in enumerate(service.journey):
            if step.after_working_days == 0:
                path = f"services[{index}].journey[{position}]"
                problems += _step_problems(parsed, path, service, step.station)
    return problems


def _step_problems(
    parsed: OfficeFile, path: str, service: ServiceSection, station: StationType
) -> list[str]:
    if not _served(parsed, station, service.id):
        return [f"{path}: no counter serves {station.value} for {service.id}"]
    routed = _priority_routes(service).get(station, station)
    if parsed.priority.categories and not _served(parsed, routed, service.id):
        return [
            f"{path}: priority tickets at {station.value} go to {routed.value}, but no counter "
            f"serves {routed.value} for {service.id} (add it to a counter's stations, or set "
            "priority_stations: {} on the service)"
        ]
    return []


def _served(parsed: OfficeFile, station: StationType, service_id: str) -> bool:
    return any(
        station in counter.stations and (not counter.services or service_id in counter.services)
        for counter in parsed.counters
    )


def _priority_routes(service: ServiceSection) -> dict[StationType, StationType]:
    if service.priority_stations is None:
        return {StationType.BIO: StationType.BIO_PRIORITY}
    return dict(service.priority_stations)


def _warnings(parsed: OfficeFile) -> list[str]:
    """Things that are allowed but probably unintended."""
    return [*_later_visit_warnings(parsed), *_label_warnings(parsed)]


def _later_visit_warnings(parsed: OfficeFile) -> list[str]:
    """A later-visit step needs a service to come back to: one that starts at its station."""
    warnings = []
    for index, service in enumerate(parsed.services):
        for position, step in enumerate(service.journey):
            if step.after_working_days and service.active and not _reentry(parsed, step.station):
                warnings.append(
                    f"services[{index}].journey[{position}]: {step.station.value} is on a later "
                    f"visit, but no active service starts at {step.station.value} with a counter "
                    "serving it, so the applicant cannot take a ticket for it"
                )
    return warnings


def _reentry(parsed: OfficeFile, station: StationType) -> bool:
    return any(
        other.active and other.journey[0].station is station and _served(parsed, station, other.id)
        for other in parsed.services
    )


def _label_warnings(parsed: OfficeFile) -> list[str]:
    return [
        f"priority.categories[{index}]: no labels for {code!r}; kiosks will show the code"
        for index, code in enumerate(parsed.priority.categories)
        if code not in parsed.priority.labels and code not in SOP_PRIORITY_LABELS
    ]


# --- building the domain objects ---------------------------------------------------


def _build(parsed: OfficeFile) -> OfficeDefinition:
    return OfficeDefinition(
        office=_office(parsed),
        services=tuple(_service(section) for section in parsed.services),
        counters=tuple(_counter(section) for section in parsed.counters),
        calendar=_calendar(parsed.calendar),
        priority_categories=tuple(
            _category(parsed.priority, code) for code in parsed.priority.categories
        ),
        branding=_branding(parsed),
        service_descriptions={
            ServiceId(section.id): Bilingual(section.description_id, section.description_en)
            for section in parsed.services
            if section.description_id or section.description_en
        },
        warnings=tuple(_warnings(parsed)),
    )


def _office(parsed: OfficeFile) -> Office:
    return Office(
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


def _category(section: PrioritySection, code: str) -> PriorityCategory:
    label = section.labels.get(code)
    if label is not None:
        return PriorityCategory(code, Bilingual(label.id, label.en))
    name_id, name_en = SOP_PRIORITY_LABELS.get(code, (code, code))
    return PriorityCategory(code, Bilingual(name_id, name_en))


def _branding(parsed: OfficeFile) -> Branding | None:
    section = parsed.branding
    if section is None:
        return None
    return Branding(
        display_name=section.display_name or parsed.office.name,
        address=section.address,
        footer=Bilingual(section.footer_id, section.footer_en),
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
        priority_stations=tuple(_priority_routes(section).items()),
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
            OpeningHours(WEEKDAYS.index(day), opens, closes)
            for day, (opens, closes) in section.hours.items()
        ),
        sessions=tuple(_session(session) for session in section.sessions),
        extra_closed_days=frozenset(section.cuti_bersama),
        national_holidays=section.national_holidays,
        extra_open_days=frozenset(section.extra_open_days),
    )


def _session(section: SessionSection) -> SpecialSession:
    return SpecialSession(
        **section.model_dump(include={"code", "name_id", "name_en", "opens", "closes", "quota"}),
        weekdays=frozenset(WEEKDAYS.index(day) for day in section.weekdays),
        dates=frozenset(section.dates),
        services=frozenset(ServiceId(code) for code in section.services),
        on_holidays=section.on_holidays,
    )
