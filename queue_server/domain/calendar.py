"""Office calendars: opening hours, holidays, special sessions, working-day arithmetic."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

from queue_server.domain.ids import ServiceId

#: Python weekday numbers: Monday is 0 ... Sunday is 6.
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True, slots=True)
class OpeningHours:
    """Regular service hours on one weekday (local office time)."""

    weekday: int
    opens: time
    closes: time


@dataclass(frozen=True, slots=True)
class SpecialSession:
    """A session outside the regular hours with its own services and quota.

    Examples: Saturday passport pickup ("Soetta Apaan Tu"), the evening service
    ("Soetta Lestari"). A session happens on the listed ``weekdays`` (every week) and on
    the listed ``dates``; ``services`` empty means every service.
    """

    code: str
    name_id: str
    name_en: str
    opens: time
    closes: time
    weekdays: frozenset[int] = frozenset()
    dates: frozenset[date] = frozenset()
    services: frozenset[ServiceId] = frozenset()
    quota: int | None = None
    #: Whether the session also runs on public holidays (normally not).
    on_holidays: bool = False


#: The name of an admin-entered closed day given without one, per kind.
CLOSED_DAY_NAMES = {
    "holiday": "Hari libur nasional",
    "cuti_bersama": "Cuti bersama",
    "closure": "Kantor tutup",
}


@dataclass(frozen=True, slots=True)
class ClosedDay:
    """An admin-entered closed day: its name (may be empty) and kind
    (``holiday``, ``cuti_bersama`` or ``closure``)."""

    day: date
    name: str = ""
    kind: str = "cuti_bersama"

    @property
    def title(self) -> str:
        """The name, or the kind's name when none was given."""
        return self.name or CLOSED_DAY_NAMES.get(self.kind, CLOSED_DAY_NAMES["cuti_bersama"])


@dataclass(frozen=True, slots=True)
class CalendarConfig:
    """Everything an office's calendar is built from."""

    hours: tuple[OpeningHours, ...]
    sessions: tuple[SpecialSession, ...] = ()
    #: Admin-entered collective leave days ("cuti bersama") and office closures.
    extra_closed_days: frozenset[date] = frozenset()
    #: National holidays from the maintained ``holidays`` library (country ID).
    national_holidays: bool = True
    #: Days that are open although a holiday says otherwise (rare; by decree).
    extra_open_days: frozenset[date] = field(default_factory=frozenset)
    #: The names and kinds of the ``extra_closed_days`` (a day missing here: "Cuti bersama").
    closed_days: tuple[ClosedDay, ...] = ()


@dataclass(frozen=True, slots=True)
class ActiveSession:
    """A session that is open at some moment, with its bounds in local time."""

    code: str
    opens: datetime
    closes: datetime
    quota: int | None
    special: bool
    #: The special session's name (empty for regular hours).
    name_id: str = ""
    name_en: str = ""


REGULAR = "regular"
#: Working-day and opening look-ups never scan further than this.
MAX_SCAN_DAYS = 400


class OfficeCalendar:
    """Answers "is it open?", "which session?" and "N working days later?" for one office.

    National holidays come from the ``holidays`` library (country ID, public and
    government categories; the latter holds the government's cuti bersama decree);
    ``extra_closed_days`` adds what the admin enters, ``extra_open_days`` overrides both.
    """

    def __init__(self, *, config: CalendarConfig, timezone: str) -> None:
        self._config = config
        self._zone = ZoneInfo(timezone)
        self._hours = {hours.weekday: hours for hours in config.hours}
        self._national: dict[int, dict[date, str]] = {}
        self._closed = {closed.day: closed.title for closed in config.closed_days}

    def holiday_name(self, day: date) -> str | None:
        if day in self._config.extra_open_days:
            return None
        if day in self._config.extra_closed_days:
            return self._closed.get(day, CLOSED_DAY_NAMES["cuti_bersama"])
        if not self._config.national_holidays:
            return None
        return self._national_year(day.year).get(day)

    def closed_days(self, year: int) -> list[tuple[date, str, str]]:
        """The year's holidays as ``(day, name, source)``, in date order: ``national``
        (the built-in list, when the office follows it) and ``office`` (the admin's
        closed days); the days open despite a holiday are left out."""
        found = {}
        if self._config.national_holidays:
            found = {day: (name, "national") for day, name in self._national_year(year).items()}
        for closed in self._config.closed_days:
            if closed.day.year == year:
                found[closed.day] = (closed.title, "office")
        return [
            (day, name, source)
            for day, (name, source) in sorted(found.items())
            if day not in self._config.extra_open_days
        ]

    def is_holiday(self, day: date) -> bool:
        return self.holiday_name(day) is not None

    def is_working_day(self, day: date) -> bool:
        """A weekday with regular opening hours that is not a holiday."""
        return day.weekday() in self._hours and not self.is_holiday(day)

    def add_working_days(self, start: date, days: int) -> date:
        """The ``days``-th working day strictly after ``start`` (``start`` itself if 0)."""
        if days < 0:
            raise ValueError("days must not be negative")
        day, remaining = start, days
        for _ in range(MAX_SCAN_DAYS * max(1, days)):
            if remaining == 0:
                return day
            day += timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        raise ValueError("no working days found; check the office hours and holidays")

    def sessions_on(self, day: date, service: ServiceId) -> list[ActiveSession]:
        """The sessions open for ``service`` on ``day``, earliest first."""
        sessions: list[ActiveSession] = []
        hours = self._hours.get(day.weekday())
        if hours is not None and not self.is_holiday(day):
            sessions.append(self._session(day, REGULAR, hours.opens, hours.closes, None, False))
        for special in self._config.sessions:
            if self._runs(special, day, service):
                opened = self._session(
                    day, special.code, special.opens, special.closes, special.quota, True
                )
                sessions.append(replace(opened, name_id=special.name_id, name_en=special.name_en))
        return sorted(sessions, key=lambda session: session.opens)

    def session_at(self, moment: datetime, service: ServiceId) -> ActiveSession | None:
        """The session open for ``service`` at ``moment`` (closing time exclusive)."""
        local = moment.astimezone(self._zone)
        for session in self.sessions_on(local.date(), service):
            if session.opens <= local < session.closes:
                return session
        return None

    def next_opening(self, moment: datetime, service: ServiceId) -> datetime | None:
        """When ``service`` next opens after ``moment`` (within 31 days), or None."""
        local = moment.astimezone(self._zone)
        for offset in range(32):
            for session in self.sessions_on(local.date() + timedelta(days=offset), service):
                if session.opens > local:
                    return session.opens
        return None

    def day_plan(self, day: date) -> tuple[str | None, list[ActiveSession]]:
        """What ``day`` holds for the whole office: the holiday's name (None on an ordinary
        day) and every session that day, regular hours and special sessions, earliest first."""
        plan: list[ActiveSession] = []
        hours = self._hours.get(day.weekday())
        if hours is not None and not self.is_holiday(day):
            plan.append(self._session(day, REGULAR, hours.opens, hours.closes, None, False))
        for special in self._config.sessions:
            on_day = day in special.dates or day.weekday() in special.weekdays
            if on_day and (special.on_holidays or not self.is_holiday(day)):
                opened = self._session(
                    day, special.code, special.opens, special.closes, special.quota, True
                )
                plan.append(replace(opened, name_id=special.name_id, name_en=special.name_en))
        return self.holiday_name(day), sorted(plan, key=lambda session: session.opens)

    def _runs(self, special: SpecialSession, day: date, service: ServiceId) -> bool:
        if special.services and service not in special.services:
            return False
        if day not in special.dates and day.weekday() not in special.weekdays:
            return False
        return special.on_holidays or not self.is_holiday(day)

    def _session(
        self, day: date, code: str, opens: time, closes: time, quota: int | None, special: bool
    ) -> ActiveSession:
        return ActiveSession(
            code=code,
            opens=datetime.combine(day, opens, tzinfo=self._zone),
            closes=datetime.combine(day, closes, tzinfo=self._zone),
            quota=quota,
            special=special,
        )

    def _national_year(self, year: int) -> dict[date, str]:
        cached = self._national.get(year)
        if cached is None:
            found = holidays.country_holidays(
                "ID", years=year, categories=("public", "government"), language="id"
            )
            cached = dict(found.items())
            self._national[year] = cached
        return cached
