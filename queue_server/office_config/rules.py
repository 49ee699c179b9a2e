"""Rules across sections of the office file (references, uniqueness, routing)."""

from __future__ import annotations

from queue_server.domain.calendar import (
    REGULAR,
)
from queue_server.domain.ids import (
    StationType,
)
from queue_server.i18n.notes import Note, note
from queue_server.office_config.schema import (
    CATEGORY_RE,
    SOP_PRIORITY_LABELS,
    LaneSection,
    OfficeFile,
    PrioritySection,
    RegistrationWindowSection,
    ServiceSection,
    SessionSection,
)

OPENS_BEFORE_CLOSES = "opens ({opens}) must be before closes ({closes})"
UNKNOWN_SERVICE = "unknown service {code}"

# --- rules across sections ---------------------------------------------------------


def cross_checks(parsed: OfficeFile) -> list[Note]:
    return [
        *_unique("services", "id", [service.id for service in parsed.services]),
        *_unique("services", "prefix", [service.prefix for service in parsed.services]),
        *_unique("counters", "id", [counter.id for counter in parsed.counters]),
        *_unique("calendar.sessions", "code", [s.code for s in parsed.calendar.sessions]),
        *_unique("priority.categories", "", parsed.priority.categories),
        *_unique("drive_thru.lanes", "id", [lane.id for lane in _lanes(parsed)]),
        *_priority_problems(parsed.priority),
        *_calendar_problems(parsed),
        *_counter_break_problems(parsed),
        *_reference_problems(parsed),
        *_journey_problems(parsed),
        *_unique("registration", "code", [window.code for window in parsed.registration]),
        *_registration_problems(parsed),
    ]


def _lanes(parsed: OfficeFile) -> list[LaneSection]:
    return list(parsed.drive_thru.lanes) if parsed.drive_thru else []


def _registration_problems(parsed: OfficeFile) -> list[Note]:
    known = {service.id for service in parsed.services}
    sessions = {session.code: session for session in parsed.calendar.sessions}
    problems = []
    for index, window in enumerate(parsed.registration):
        path = f"registration[{index}]"
        problems += [
            note(f"{path}.services", UNKNOWN_SERVICE, code=repr(code))
            for code in window.services
            if code not in known
        ]
        opens = (-window.opens_days_before, window.opens)
        closes = (-window.closes_days_before, window.closes)
        if opens >= closes:
            problems.append(note(path, "registration must open before it closes"))
        problems += _window_session_problems(path, window, sessions)
    return problems


def _window_session_problems(
    path: str, window: RegistrationWindowSection, sessions: dict[str, SessionSection]
) -> list[Note]:
    if window.session is None:
        missing = [
            name
            for name in ("quota", "arrive_from", "arrive_until")
            if getattr(window, name) is None
        ]
        problems = [
            note(f"{path}.{name}", "is required for a window without a session") for name in missing
        ]
        if window.arrive_from and window.arrive_until and window.arrive_from >= window.arrive_until:
            problems.append(note(f"{path}.arrive_until", "must be after arrive_from"))
        return problems
    session = sessions.get(window.session)
    if session is None:
        return [note(f"{path}.session", "unknown session {code}", code=repr(window.session))]
    problems = [
        note(f"{path}.{name}", "comes from the session; remove it here")
        for name in ("quota", "arrive_from", "arrive_until")
        if getattr(window, name) is not None
    ]
    problems += [
        note(
            f"{path}.services",
            "{code} is not served in session {session}",
            code=repr(code),
            session=repr(session.code),
        )
        for code in window.services
        if session.services and code not in session.services
    ]
    return problems


def _unique(section: str, key: str, values: list[str]) -> list[Note]:
    seen: set[str] = set()
    problems = []
    for index, value in enumerate(values):
        if value in seen:
            path = f"{section}[{index}]{'.' if key else ''}{key}"
            problems.append(note(path, "{value} is used twice", value=repr(value)))
        seen.add(value)
    return problems


def _priority_problems(section: PrioritySection) -> list[Note]:
    problems = [
        note(
            f"priority.categories[{index}]",
            "must be lower-case letters, digits and '_' (e.g. child_under_five), got {code}",
            code=repr(code),
        )
        for index, code in enumerate(section.categories)
        if not CATEGORY_RE.fullmatch(code)
    ]
    problems += [
        note(f"priority.labels.{code}", "{code} is not one of priority.categories", code=repr(code))
        for code in section.labels
        if code not in section.categories
    ]
    return problems


def _calendar_problems(parsed: OfficeFile) -> list[Note]:
    calendar = parsed.calendar
    problems = [
        note(
            f"calendar.hours.{day}",
            OPENS_BEFORE_CLOSES,
            opens=f"{opens:%H:%M}",
            closes=f"{closes:%H:%M}",
        )
        for day, (opens, closes) in calendar.hours.items()
        if opens >= closes
    ]
    for index, session in enumerate(calendar.sessions):
        problems += _session_problems(f"calendar.sessions[{index}]", session)
    closed = {closed.date for closed in calendar.cuti_bersama}
    problems += [
        note(f"calendar.cuti_bersama[{index}].date", "{value} is used twice", value=str(day.date))
        for index, day in enumerate(calendar.cuti_bersama)
        if any(other.date == day.date for other in calendar.cuti_bersama[:index])
    ]
    problems += [
        note(
            f"calendar.extra_open_days[{index}]",
            "{day} is also in calendar.cuti_bersama",
            day=str(day),
        )
        for index, day in enumerate(calendar.extra_open_days)
        if day in closed
    ]
    return problems


def _counter_break_problems(parsed: OfficeFile) -> list[Note]:
    return [
        note(
            f"counters[{index}].breaks[{number}]",
            OPENS_BEFORE_CLOSES,
            opens=f"{opens:%H:%M}",
            closes=f"{closes:%H:%M}",
        )
        for index, counter in enumerate(parsed.counters)
        for number, (opens, closes) in enumerate(counter.breaks)
        if opens >= closes
    ]


def _session_problems(path: str, session: SessionSection) -> list[Note]:
    problems = []
    if session.opens >= session.closes:
        problems.append(
            note(
                path,
                OPENS_BEFORE_CLOSES,
                opens=f"{session.opens:%H:%M}",
                closes=f"{session.closes:%H:%M}",
            )
        )
    if not session.weekdays and not session.dates:
        problems.append(note(path, "give weekdays or dates, or the session never runs"))
    if session.code == REGULAR:
        problems.append(
            note(f"{path}.code", "{code} is reserved for the regular hours", code=repr(REGULAR))
        )
    return problems


def _reference_problems(parsed: OfficeFile) -> list[Note]:
    known = {service.id for service in parsed.services}
    problems = [
        note(f"counters[{index}].services", UNKNOWN_SERVICE, code=repr(code))
        for index, counter in enumerate(parsed.counters)
        for code in counter.services
        if code not in known
    ]
    problems += [
        note(f"calendar.sessions[{index}].services", UNKNOWN_SERVICE, code=repr(code))
        for index, session in enumerate(parsed.calendar.sessions)
        for code in session.services
        if code not in known
    ]
    if parsed.content is not None:
        problems += [
            note(f"content.services.{code}", UNKNOWN_SERVICE, code=repr(code))
            for code in parsed.content.services
            if code not in known
        ]
    return problems


def _journey_problems(parsed: OfficeFile) -> list[Note]:
    """Steps no counter would ever call: a ticket there would wait forever."""
    problems = []
    for index, service in enumerate(parsed.services):
        for key in ("after_working_days", "after_days"):
            if getattr(service.journey[0], key):
                problems.append(
                    note(
                        f"services[{index}].journey[0].{key}",
                        "the first step must be on the day of issue (0)",
                    )
                )
        problems += [
            note(
                f"services[{index}].journey[{position}]",
                "give after_working_days or after_days, not both",
            )
            for position, step in enumerate(service.journey)
            if step.after_working_days and step.after_days
        ]
        if not service.active:
            continue
        for position, step in enumerate(service.journey):
            if step.after_working_days == 0 and step.after_days == 0:
                path = f"services[{index}].journey[{position}]"
                problems += _step_problems(parsed, path, service, step.station)
    return problems


def _step_problems(
    parsed: OfficeFile, path: str, service: ServiceSection, station: StationType
) -> list[Note]:
    if not _served(parsed, station, service.id):
        return [
            note(
                path,
                "no counter serves {station} for {service}",
                station=station.value,
                service=service.id,
            )
        ]
    routed = priority_routes(service).get(station, station)
    if parsed.priority.categories and not _served(parsed, routed, service.id):
        return [
            note(
                path,
                "priority tickets at {station} go to {routed}, but no counter serves {routed} "
                "for {service} (add it to a counter's stations, or set priority_stations: {{}} "
                "on the service)",
                station=station.value,
                routed=routed.value,
                service=service.id,
            )
        ]
    return []


def _served(parsed: OfficeFile, station: StationType, service_id: str) -> bool:
    return any(
        station in counter.stations and (not counter.services or service_id in counter.services)
        for counter in parsed.counters
    )


def priority_routes(service: ServiceSection) -> dict[StationType, StationType]:
    if service.priority_stations is None:
        return {StationType.BIO: StationType.BIO_PRIORITY}
    return dict(service.priority_stations)


def office_warnings(parsed: OfficeFile) -> list[Note]:
    """Things that are allowed but probably unintended."""
    return [*_later_visit_warnings(parsed), *_label_warnings(parsed), *_url_warnings(parsed)]


def _url_warnings(parsed: OfficeFile) -> list[Note]:
    if parsed.office.public_base_url is not None:
        return []
    return [
        note(
            "office.public_base_url",
            "not set; ticket QR codes cannot link to the ticket's status page (set the "
            "address applicants' phones reach this server at)",
        )
    ]


def _later_visit_warnings(parsed: OfficeFile) -> list[Note]:
    """A later-visit step needs a service to come back to: one that starts at its station."""
    warnings = []
    for index, service in enumerate(parsed.services):
        for position, step in enumerate(service.journey):
            later = step.after_working_days or step.after_days
            if later and service.active and not _reentry(parsed, step.station):
                warnings.append(
                    note(
                        f"services[{index}].journey[{position}]",
                        "{station} is on a later visit, but no active service starts at "
                        "{station} with a counter serving it, so the applicant cannot take a "
                        "ticket for it",
                        station=step.station.value,
                    )
                )
    return warnings


def _reentry(parsed: OfficeFile, station: StationType) -> bool:
    return any(
        other.active and other.journey[0].station is station and _served(parsed, station, other.id)
        for other in parsed.services
    )


def _label_warnings(parsed: OfficeFile) -> list[Note]:
    return [
        note(
            f"priority.categories[{index}]",
            "no labels for {code}; kiosks will show the code",
            code=repr(code),
        )
        for index, code in enumerate(parsed.priority.categories)
        if code not in parsed.priority.labels and code not in SOP_PRIORITY_LABELS
    ]
