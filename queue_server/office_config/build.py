"""Building the domain objects from a validated office file."""

from __future__ import annotations

from queue_server.domain.calendar import (
    WEEKDAYS,
    CalendarConfig,
    ClosedDay,
    OpeningHours,
    SpecialSession,
)
from queue_server.domain.ids import (
    CounterId,
    OfficeId,
    ServiceId,
)
from queue_server.domain.model import (
    BookingPolicy,
    CounterProfile,
    JourneyStep,
    Office,
    PriorityPolicy,
    Service,
)
from queue_server.domain.registration import RegistrationWindow
from queue_server.office_config.definition import (
    Bilingual,
    Branding,
    DriveThruLane,
    OfficeDefinition,
    PriorityCategory,
    ServiceContent,
)
from queue_server.office_config.rules import (
    office_warnings,
    priority_routes,
)
from queue_server.office_config.schema import (
    SOP_PRIORITY_LABELS,
    CalendarSection,
    CounterSection,
    OfficeFile,
    PrioritySection,
    RegistrationWindowSection,
    ServiceSection,
    SessionSection,
)

# --- building the domain objects ---------------------------------------------------


def build_definition(parsed: OfficeFile) -> OfficeDefinition:
    return OfficeDefinition(
        office=_office(parsed),
        services=tuple(_service(section) for section in parsed.services),
        counters=tuple(_counter(section) for section in parsed.counters),
        calendar=_calendar(parsed.calendar),
        priority_categories=tuple(
            _category(parsed.priority, code) for code in parsed.priority.categories
        ),
        branding=_branding(parsed),
        service_descriptions=_descriptions(parsed),
        public_base_url=parsed.office.public_base_url,
        demo=parsed.office.demo,
        warnings=tuple(office_warnings(parsed)),
        service_content={
            ServiceId(code): ServiceContent(
                requirements_id=tuple(item.requirements_id),
                requirements_en=tuple(item.requirements_en),
                info=Bilingual(item.info_id, item.info_en),
            )
            for code, item in (parsed.content.services if parsed.content else {}).items()
        },
        content_version=parsed.content.version if parsed.content else 0,
        drive_thru_lanes=tuple(
            DriveThruLane(lane.id, lane.name)
            for lane in (parsed.drive_thru.lanes if parsed.drive_thru else [])
        ),
        registration_windows=tuple(_window(section) for section in parsed.registration),
    )


def _window(section: RegistrationWindowSection) -> RegistrationWindow:
    return RegistrationWindow(
        **section.model_dump(exclude={"services"}),
        services=tuple(ServiceId(code) for code in section.services),
    )


def _descriptions(parsed: OfficeFile) -> dict[ServiceId, Bilingual]:
    """The kiosk's text per service: the content section's information, else the
    service's own description."""
    texts = {
        ServiceId(section.id): Bilingual(section.description_id, section.description_en)
        for section in parsed.services
        if section.description_id or section.description_en
    }
    for code, item in (parsed.content.services if parsed.content else {}).items():
        if item.info_id or item.info_en:
            texts[ServiceId(code)] = Bilingual(item.info_id, item.info_en)
    return texts


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
        rating_timeout_seconds=parsed.office.rating_timeout_seconds,
        notify_near_ahead=parsed.office.notify_near_ahead,
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
        ticker=Bilingual(section.ticker_id, section.ticker_en),
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
                step.station,
                step.minutes,
                step.label,
                step.after_working_days,
                step.rating,
                after_days=step.after_days,
            )
            for step in section.journey
        ),
        daily_quota=section.daily_quota,
        active=section.active,
        priority_stations=tuple(priority_routes(section).items()),
        ready_after_working_days=section.ready_after_working_days,
    )


def _counter(section: CounterSection) -> CounterProfile:
    return CounterProfile(
        id=CounterId(section.id),
        name=section.name,
        stations=frozenset(section.stations),
        services=frozenset(ServiceId(code) for code in section.services),
        breaks=tuple(sorted(section.breaks)),
    )


def _calendar(section: CalendarSection) -> CalendarConfig:
    return CalendarConfig(
        hours=tuple(
            OpeningHours(WEEKDAYS.index(day), opens, closes)
            for day, (opens, closes) in section.hours.items()
        ),
        sessions=tuple(_session(session) for session in section.sessions),
        extra_closed_days=frozenset(closed.date for closed in section.cuti_bersama),
        closed_days=tuple(
            ClosedDay(closed.date, closed.name, closed.kind) for closed in section.cuti_bersama
        ),
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
