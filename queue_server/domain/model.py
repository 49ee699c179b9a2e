"""Frozen value objects describing an office, its services and its counters."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from queue_server.domain.ids import (
    CounterId,
    NumberingMode,
    OfficeId,
    ServiceId,
    ServiceKind,
    StationType,
)

#: Timezones of Indonesian offices: WIB, WITA, WIT.
INDONESIAN_TIMEZONES: frozenset[str] = frozenset(
    {"Asia/Jakarta", "Asia/Pontianak", "Asia/Makassar", "Asia/Jayapura"}
)

DEFAULT_PRIORITY_CATEGORIES: tuple[str, ...] = (
    "disabled",
    "elderly",
    "child_under_five",
    "pregnant",
)


@dataclass(frozen=True, slots=True)
class PriorityPolicy:
    """Fair interleaving of priority and regular tickets at one counter.

    When both classes are waiting a counter calls at most ``priority_run`` priority
    tickets in a row and at most ``regular_run`` regular tickets in a row (Antre's
    default is 1 priority : 2 regular; the SOPs give no ratio). When one class is empty
    the other is served.
    """

    categories: tuple[str, ...] = DEFAULT_PRIORITY_CATEGORIES
    priority_run: int = 1
    regular_run: int = 2

    def __post_init__(self) -> None:
        if self.priority_run < 1 or self.regular_run < 1:
            raise ValueError("priority_run and regular_run must be at least 1")


@dataclass(frozen=True, slots=True)
class BookingPolicy:
    """How early or late a booked applicant may check in, around the slot time."""

    early_minutes: int = 60
    late_minutes: int = 30

    def window(self, slot: datetime) -> tuple[datetime, datetime]:
        return slot - timedelta(minutes=self.early_minutes), slot + timedelta(
            minutes=self.late_minutes
        )


@dataclass(frozen=True, slots=True)
class Office:
    id: OfficeId
    name: str
    timezone: str = "Asia/Jakarta"
    numbering: NumberingMode = NumberingMode.KEEP
    priority: PriorityPolicy = field(default_factory=PriorityPolicy)
    booking: BookingPolicy = field(default_factory=BookingPolicy)
    no_show_grace_minutes: int = 30
    #: How long a counter's screen asks for a rating after a step that asks for one.
    rating_timeout_seconds: int = 30
    #: "Your number is near" goes out when this many or fewer people are ahead.
    notify_near_ahead: int = 3

    def __post_init__(self) -> None:
        if self.timezone not in INDONESIAN_TIMEZONES:
            raise ValueError(f"timezone must be one of {sorted(INDONESIAN_TIMEZONES)}")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def local(self, moment: datetime) -> datetime:
        """``moment`` (timezone-aware) in the office's local time."""
        if moment.tzinfo is None:
            raise ValueError("moments must be timezone-aware")
        return moment.astimezone(self.zone)

    def office_day(self, moment: datetime) -> date:
        """The office day a moment belongs to: the local calendar date."""
        return self.local(moment).date()


@dataclass(frozen=True, slots=True)
class JourneyStep:
    """One stop of a service's journey with its SOP standard time ("Mutu Baku")."""

    station: StationType
    standard_minutes: float
    label: str = ""
    #: >0 when the step happens on a later visit (e.g. PICKUP 4 working days after BIO).
    after_working_days: int = 0
    #: The applicant is asked for a satisfaction rating after this step (SOP: BIO, PICKUP).
    rating: bool = False
    #: >0 when the step happens on a later visit this many calendar days after the previous
    #: one (e.g. BIO once the BAP is approved, "dalam 4 (empat) hari").
    after_days: int = 0

    @property
    def later_visit(self) -> bool:
        """Whether the step happens on a later visit rather than the same one."""
        return self.after_working_days > 0 or self.after_days > 0


@dataclass(frozen=True, slots=True)
class Service:
    id: ServiceId
    prefix: str
    name_id: str
    name_en: str
    kind: ServiceKind
    journey: tuple[JourneyStep, ...]
    daily_quota: int | None = None
    active: bool = True
    #: Priority tickets at these stations are routed to the mapped station (BIO -> BIO_PRIORITY).
    priority_stations: tuple[tuple[StationType, StationType], ...] = (
        (StationType.BIO, StationType.BIO_PRIORITY),
    )
    #: Working days from biometrics to the passport being ready; None: the PICKUP step's
    #: ``after_working_days``, else 4 (see :mod:`queue_server.domain.passports`).
    ready_after_working_days: int | None = None

    def __post_init__(self) -> None:
        if not (1 <= len(self.prefix) <= 2 and self.prefix.isalpha() and self.prefix.isupper()):
            raise ValueError(f"service prefix must be 1-2 capital letters, got {self.prefix!r}")
        if not self.journey:
            raise ValueError(f"service {self.id} needs at least one journey step")
        if self.journey[0].later_visit:
            raise ValueError(f"service {self.id}: the first step must be on the day of issue")
        if self.daily_quota is not None and self.daily_quota < 0:
            raise ValueError("daily_quota must not be negative")

    def station_for(self, step_index: int, *, priority: bool) -> StationType:
        station = self.journey[step_index].station
        if priority:
            return dict(self.priority_stations).get(station, station)
        return station

    def next_same_day_step(self, step_index: int) -> int | None:
        """Index of the step after ``step_index`` if it happens on the same visit."""
        following = step_index + 1
        if following < len(self.journey) and not self.journey[following].later_visit:
            return following
        return None

    @property
    def standard_minutes_total(self) -> float:
        return sum(step.standard_minutes for step in self.journey)


@dataclass(frozen=True, slots=True)
class CounterProfile:
    """What a counter (loket, booth, desk) can serve."""

    id: CounterId
    name: str
    stations: frozenset[StationType]
    #: Empty means every service whose current step is at one of ``stations``.
    services: frozenset[ServiceId] = frozenset()
    #: Planned closings every working day, local (from, to): the lunch rota. The wait
    #: estimate counts on them; nothing else enforces them.
    breaks: tuple[tuple[time, time], ...] = ()

    def serves(self, station: StationType, service: ServiceId) -> bool:
        return station in self.stations and (not self.services or service in self.services)
