"""The reports use case: one call answers one question over a range of office days.

"How long did people wait for biometrics last Tuesday, and did we meet the 10-minute
standard?" is ``report(ReportRequest(office, "compliance", tuesday, tuesday, station="BIO"))``:
one row per service and step at BIO with the waiting times and the share of services
within the SOP standard time.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from queue_server.domain.errors import DomainError
from queue_server.domain.ids import StationType
from queue_server.services.offices import OfficeSnapshot
from queue_server.services.reports import figures, lanes, records
from queue_server.services.reports.figures import Group, OfficeFacts, Table
from queue_server.services.unit import UseCases

MAX_RANGE_DAYS = 366


class ReportKind(StrEnum):
    WAITING = "waiting"
    SERVICE_TIME = "service_time"
    COMPLIANCE = "compliance"
    VOLUMES = "volumes"
    RATINGS = "ratings"
    ESTIMATES = "estimates"
    DRIVE_THRU = "drive_thru"


#: The groupings each kind accepts; the first is the default. Empty: not grouped.
GROUPS: dict[ReportKind, tuple[Group, ...]] = {
    ReportKind.WAITING: tuple(Group),
    ReportKind.SERVICE_TIME: tuple(Group),
    ReportKind.RATINGS: tuple(figures.RATING_GROUPS),
    ReportKind.COMPLIANCE: (),
    ReportKind.VOLUMES: (),
    ReportKind.ESTIMATES: (),
    ReportKind.DRIVE_THRU: (),
}


class ReportError(DomainError):
    http_status = 422


class UnknownReportKind(ReportError):
    code = "unknown_report_kind"
    template = "There is no report {kind}; choose one of: {choices}."


class MissingReportDate(ReportError):
    code = "missing_report_date"
    template = "Say which office days the report covers: ?from=YYYY-MM-DD (and &to=YYYY-MM-DD)."


class BadReportDate(ReportError):
    code = "bad_report_date"
    template = "{value} is not a date; write it as YYYY-MM-DD, e.g. 2026-11-24."


class ReportRangeReversed(ReportError):
    code = "report_range_reversed"
    template = "The report ends ({last}) before it starts ({first})."


class ReportRangeTooLong(ReportError):
    code = "report_range_too_long"
    template = "A report covers at most {days} days; choose a shorter range."


class BadReportGroup(ReportError):
    code = "bad_report_group"
    template = "This report cannot be grouped by {group}; choose one of: {choices}."


class UnknownStation(ReportError):
    code = "unknown_station"
    template = "There is no station {station}; choose one of: {choices}."


@dataclass(frozen=True)
class Report:
    """A report's table with the time zone its hours and office days are in."""

    request: ReportRequest
    timezone: str
    table: Table


@dataclass(frozen=True)
class Recap:
    """The daily recap: its tables and the names to print them with."""

    day: date
    office_name: str
    timezone: str
    #: Service code -> its names ({"id": ..., "en": ...}).
    service_names: dict[str, dict[str, str]]
    #: volumes, compliance, counters, officers, ratings
    tables: dict[str, Table]


@dataclass(frozen=True)
class ReportRequest:
    office: str
    kind: ReportKind
    first: date
    last: date
    group: Group | None = None
    station: str | None = None
    service: str | None = None


def parse_kind(value: str) -> ReportKind:
    try:
        return ReportKind(value)
    except ValueError:
        raise UnknownReportKind(kind=value[:40], choices=", ".join(ReportKind)) from None


def parse_day(value: str | None) -> date:
    if value is None or value == "":
        raise MissingReportDate()
    try:
        if len(value) != len("YYYY-MM-DD"):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise BadReportDate(value=value[:40]) from None


def check_range(first: date, last: date) -> None:
    if last < first:
        raise ReportRangeReversed(first=first.isoformat(), last=last.isoformat())
    if (last - first).days + 1 > MAX_RANGE_DAYS:
        raise ReportRangeTooLong(days=MAX_RANGE_DAYS)


def check_group(kind: ReportKind, group: str | None) -> Group | None:
    """The grouping asked for, the kind's default when none, refused if it does not fit."""
    allowed = GROUPS[kind]
    if group is None or group == "":
        return allowed[0] if allowed else None
    if group not in allowed:
        choices = ", ".join(allowed) or "-"
        raise BadReportGroup(group=group[:40], choices=choices)
    return Group(group)


def check_station(station: str | None) -> str | None:
    if station is None or station == "":
        return None
    if station not in StationType.__members__.values():
        raise UnknownStation(station=station[:40], choices=", ".join(StationType))
    return station


def office_facts(snapshot: OfficeSnapshot) -> OfficeFacts:
    standards: dict[tuple[str, int], float] = {
        (service.id, index): step.standard_minutes
        for service in snapshot.services.values()
        for index, step in enumerate(service.journey)
    }
    quotas: dict[str, int | None] = {
        service.id: service.daily_quota for service in snapshot.services.values()
    }
    sessions = {
        special.code: (special.quota, frozenset(str(code) for code in special.services))
        for special in snapshot.definition.calendar.sessions
    }
    return OfficeFacts(ZoneInfo(snapshot.office.timezone), standards, quotas, sessions)


class ReportService(UseCases):
    def report(self, request: ReportRequest) -> Report:
        """The table of ``request.kind`` over the office days ``first..last`` (inclusive)."""
        check_range(request.first, request.last)
        with self.read() as session:
            snapshot = self.catalog.get(session, request.office)
            table = _build(session, office_facts(snapshot), request)
            return Report(request, snapshot.office.timezone, table)

    def recap(self, office: str, day: date) -> Recap:
        """The daily recap's tables (replacing the handover recap kept by hand)."""
        base = ReportRequest(office, ReportKind.VOLUMES, day, day)
        with self.read() as session:
            snapshot = self.catalog.get(session, office)
            facts = office_facts(snapshot)
            tables = {
                "volumes": _build(session, facts, base),
                "compliance": _build(session, facts, replace(base, kind=ReportKind.COMPLIANCE)),
                "counters": _build(
                    session, facts, replace(base, kind=ReportKind.SERVICE_TIME, group=Group.COUNTER)
                ),
                "officers": _build(
                    session, facts, replace(base, kind=ReportKind.SERVICE_TIME, group=Group.OFFICER)
                ),
                "ratings": _build(
                    session, facts, replace(base, kind=ReportKind.RATINGS, group=Group.STATION)
                ),
            }
        names = {
            str(code): {"id": service.name_id, "en": service.name_en}
            for code, service in snapshot.services.items()
        }
        return Recap(day, snapshot.public_name, snapshot.office.timezone, names, tables)


def _build(session: Session, facts: OfficeFacts, request: ReportRequest) -> Table:
    office, first, last = request.office, request.first, request.last
    group = request.group or check_group(request.kind, None)
    if request.kind is ReportKind.DRIVE_THRU:  # the drive-thru lanes (Si Peluru)
        return lanes.lanes_table(session, office, facts.timezone, first, last)
    if request.kind is ReportKind.RATINGS:
        ratings = [
            rating
            for rating in records.load_ratings(session, office, first, last)
            if _wanted(request, rating.station, rating.service)
        ]
        return figures.ratings_table(ratings, group or Group.STATION)
    everything = records.load_tickets(session, office, first, last)
    tickets = [t for t in everything if _wanted(request, t.station, t.service)]
    if request.kind is ReportKind.WAITING:
        return figures.waiting_table(tickets, group or Group.SERVICE, facts)
    if request.kind is ReportKind.SERVICE_TIME:
        return figures.service_table(tickets, group or Group.SERVICE, facts)
    if request.kind is ReportKind.COMPLIANCE:
        return figures.compliance_table(tickets, facts)
    if request.kind is ReportKind.ESTIMATES:
        # People ahead count every ticket at the station, not only the chosen service's.
        estimator = figures.NaiveEstimator(
            everything, records.load_calls(session, office, first, last), facts
        )
        return figures.estimates_table(tickets, estimator)
    # Volumes are per service: a station filter does not apply to them.
    tickets = [t for t in everything if request.service in (None, t.service)]
    issued = [
        count
        for count in records.issued_visits(session, office, first, last)
        if request.service in (None, count.service)
    ]
    used = [
        count
        for count in records.quota_used(session, office, first, last)
        if request.service in (None, count.service)
    ]
    sessions = [
        count
        for count in records.session_quota_used(session, office, first, last)
        if request.service is None
        or not facts.sessions.get(count.service, (None, frozenset()))[1]
        or request.service in facts.sessions[count.service][1]
    ]
    return figures.volumes_table(tickets, issued, used, facts, sessions)


def _wanted(request: ReportRequest, station: str, service: str) -> bool:
    return request.station in (None, station) and request.service in (None, service)
