"""The office file's schema: pydantic models with messages an admin can act on."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import date, time
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from queue_server.domain.ids import (
    NumberingMode,
    ServiceKind,
    StationType,
)
from queue_server.domain.model import (
    INDONESIAN_TIMEZONES,
)
from queue_server.i18n.notes import NoteError

MAX_FILE_BYTES = 1_000_000
ID_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?")
CATEGORY_RE = re.compile(r"[a-z][a-z0-9_]{0,39}")
HHMM_RE = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")
#: "24:00" closes at the end of the day (opening hours and sessions never span midnight).
END_OF_DAY = "24:00"
ISO_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
#: What an extra closed day is: a national holiday the built-in list lacks, a cuti bersama
#: day of the joint decree, or the office's own closure.
ClosedDayKind = Literal["holiday", "cuti_bersama", "closure"]
#: Names of the SOP priority categories, used when the file gives no labels.
SOP_PRIORITY_LABELS: dict[str, tuple[str, str]] = {
    "disabled": ("Penyandang disabilitas", "Person with a disability"),
    "elderly": ("Lanjut usia", "Elderly"),
    "child_under_five": ("Membawa balita", "With a child under five"),
    "pregnant": ("Ibu hamil", "Pregnant"),
}


class OfficeConfigError(ValueError):
    """The office file is not valid; ``problems`` lists each one as ``path: message``."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(problems))


# --- field types with messages an admin can act on ---------------------------------


def _check_id(value: str) -> str:
    if not ID_RE.fullmatch(value):
        raise NoteError(
            "must be lower-case letters, digits and '-' (e.g. paspor-walkin), got {value}",
            value=repr(value),
        )
    return value


def _check_prefix(value: str) -> str:
    if not re.fullmatch(r"[A-Z]{1,2}", value):
        raise NoteError("must be 1-2 capital letters (e.g. A), got {value}", value=repr(value))
    return value


def _check_timezone(value: str) -> str:
    if value not in INDONESIAN_TIMEZONES:
        raise NoteError("must be one of {zones}", zones=", ".join(sorted(INDONESIAN_TIMEZONES)))
    return value


def _check_base_url(value: str) -> str:
    parts = urlsplit(value)
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.query
        or parts.fragment
        or not value.isascii()
        or any(char.isspace() for char in value)
    ):
        raise NoteError(
            "must be the address applicants' phones open, like https://antrian.example.go.id "
            "(http or https, no query), got {value}",
            value=repr(value),
        )
    return value.rstrip("/")


def _clock(value: object) -> object:
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise NoteError(
            'must be a time in quotes like "16:00", got the number {value}', value=repr(value)
        )
    if value == END_OF_DAY:
        return time.max
    if isinstance(value, str):
        match = HHMM_RE.fullmatch(value)
        if match is None:
            raise NoteError("{value} is not a time HH:MM", value=repr(value))
        return time(int(match.group(1)), int(match.group(2)))
    return value


def _iso_date(value: object) -> object:
    if isinstance(value, str) and not ISO_DATE_RE.fullmatch(value):
        raise NoteError("{value} is not an ISO date YYYY-MM-DD", value=repr(value))
    if not isinstance(value, str | date):
        raise NoteError("must be an ISO date YYYY-MM-DD")
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError as error:  # 2026-02-30, 2026-13-01, 0000-01-01: said in id and en
            raise NoteError(
                "{value} is not a date (there is no such day)", value=repr(value)
            ) from error
    return value


#: Text direction controls (embeddings, overrides, isolates): they can make a name read
#: as something else on a display or in the console.
_DIRECTION_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _refuse_controls(value: str, allowed: str) -> str:
    for position, char in enumerate(value, start=1):
        if char in allowed:
            continue
        if unicodedata.category(char) == "Cc" or char in _DIRECTION_CONTROLS:
            raise NoteError(
                "contains the control character U+{code} at character {position}; remove it",
                code=f"{ord(char):04X}",
                position=position,
            )
    return value


def _check_line(value: str) -> str:
    return _refuse_controls(value, "")


def _check_text(value: str) -> str:
    return _refuse_controls(value, "\n\t")


Id = Annotated[str, AfterValidator(_check_id)]
#: One line shown on kiosks, displays, tickets (printed as ESC/POS) and consoles: no
#: control characters (ESC, NUL, line breaks, ...) and no text direction overrides.
Line = Annotated[str, AfterValidator(_check_line)]
#: A kiosk page or description: like ``Line``, but line breaks and tabs are kept.
Text = Annotated[str, AfterValidator(_check_text)]
Timezone = Annotated[str, AfterValidator(_check_timezone)]
BaseUrl = Annotated[str, Field(max_length=200), AfterValidator(_check_base_url)]
Prefix = Annotated[str, AfterValidator(_check_prefix)]
Clock = Annotated[time, BeforeValidator(_clock)]
IsoDate = Annotated[date, BeforeValidator(_iso_date)]
#: Quotas: no office gives more than 100,000 tickets a day or session.
Count = Annotated[int, Field(strict=True, ge=0, le=100_000)]
Minutes = Annotated[int, Field(strict=True, ge=0, le=24 * 60)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- the file's schema -------------------------------------------------------------


class OfficeSection(_Strict):
    id: Id = Field(description="Office id, used in URLs and MQTT topics")
    name: Line = Field(min_length=1, max_length=200, description="Official office name")
    timezone: Timezone = Field(
        default="Asia/Jakarta", description="WIB, WITA or WIT; numbers reset at local midnight"
    )
    numbering: NumberingMode = Field(default=NumberingMode.KEEP, description="keep or per_station")
    no_show_grace_minutes: Minutes = Field(
        default=30, description="How long a no-show may come back"
    )
    rating_timeout_seconds: int = Field(
        default=30,
        strict=True,
        ge=5,
        le=600,
        description="How long the counter's screen asks for a rating after a step that asks",
    )
    notify_near_ahead: int = Field(
        default=3,
        strict=True,
        ge=1,
        le=50,
        description="An applicant who asked for a message is told when this many or fewer "
        "people are ahead",
    )
    demo: bool = Field(
        default=False,
        strict=True,
        description="A demo office: marked DEMO on the ticket page, in the API and the log",
    )
    public_base_url: BaseUrl | None = Field(
        default=None,
        description="Where applicants' phones reach this server; the ticket QR is "
        "<public_base_url>/t/<token>",
    )


class LabelSection(_Strict):
    id: Line = Field(min_length=1, max_length=80, description="Name in Bahasa Indonesia")
    en: Line = Field(min_length=1, max_length=80, description="Name in English")


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
    name_id: Line = Field(min_length=1, max_length=120, description="Name in Bahasa Indonesia")
    name_en: Line = Field(min_length=1, max_length=120, description="Name in English")
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


def _closed_day(value: object) -> object:
    """A plain date (the older form of the list) is a cuti bersama day without a name."""
    if isinstance(value, dict | BaseModel):
        return value
    return {"date": _iso_date(value)}


class ClosedDaySection(_Strict):
    date: IsoDate = Field(description='The day "YYYY-MM-DD"')
    name: str = Field(
        default="", max_length=120, description="e.g. Cuti bersama Idul Fitri; shown to applicants"
    )
    kind: ClosedDayKind = Field(
        default="cuti_bersama", description="holiday, cuti_bersama or closure"
    )


ClosedDay = Annotated[ClosedDaySection, BeforeValidator(_closed_day)]


class CalendarSection(_Strict):
    hours: dict[Weekday, tuple[Clock, Clock]] = Field(
        min_length=1, description='Regular hours per weekday: ["HH:MM", "HH:MM"]'
    )
    national_holidays: bool = Field(
        default=True, strict=True, description="Closed on national holidays"
    )
    cuti_bersama: list[ClosedDay] = Field(
        default_factory=list,
        description='Extra closed days: "YYYY-MM-DD" or {date, name, kind} (kind: holiday, '
        "cuti_bersama, closure)",
    )
    extra_open_days: list[IsoDate] = Field(default_factory=list, description="Open despite holiday")
    sessions: list[SessionSection] = Field(default_factory=list, description="Special sessions")


class StepSection(_Strict):
    station: StationType = Field(description="Desk type: INFO, CS, BIO, BIO_PRIORITY, ...")
    minutes: float = Field(strict=True, ge=0, le=24 * 60, description="SOP standard minutes")
    label: Line = Field(default="", max_length=120, description="What happens at this step")
    after_working_days: int = Field(
        default=0, strict=True, ge=0, le=60, description="0 = same visit; >0 = a later visit"
    )
    after_days: int = Field(
        default=0,
        strict=True,
        ge=0,
        le=60,
        description="Like after_working_days, counted in calendar days (weekends included)",
    )
    rating: bool = Field(
        default=False, strict=True, description="Ask for a satisfaction rating after"
    )


class ServiceSection(_Strict):
    id: Id = Field(description="Service id, e.g. paspor-walkin")
    prefix: Prefix = Field(description="Ticket letters, e.g. A for A-001")
    name_id: Line = Field(min_length=1, max_length=120, description="Name in Bahasa Indonesia")
    name_en: Line = Field(min_length=1, max_length=120, description="Name in English")
    kind: ServiceKind = Field(description="booking_required, walk_in, pickup, complaint, ...")
    journey: list[StepSection] = Field(min_length=1, description="Steps in order")
    daily_quota: Count | None = Field(
        default=None, description="Tickets per office day; none = no limit"
    )
    active: bool = Field(
        default=True, strict=True, description="Inactive services issue no tickets"
    )
    description_id: Text = Field(
        default="", max_length=1000, description="Kiosk information text (id)"
    )
    description_en: Text = Field(
        default="", max_length=1000, description="Kiosk information text (en)"
    )
    priority_stations: dict[StationType, StationType] | None = Field(
        default=None, description="Where priority tickets go instead; default {BIO: BIO_PRIORITY}"
    )
    ready_after_working_days: int | None = Field(
        default=None,
        strict=True,
        ge=1,
        le=60,
        description="Working days from biometrics to the passport being ready; "
        "none = the PICKUP step's after_working_days, else 4",
    )


class CounterSection(_Strict):
    id: Id = Field(description="Counter id, e.g. cs-1")
    name: Line = Field(min_length=1, max_length=80, description="Shown on displays and tickets")
    stations: list[StationType] = Field(min_length=1, description="Station types it serves")
    services: list[str] = Field(default_factory=list, description="Only these; empty = all")
    breaks: list[tuple[Clock, Clock]] = Field(
        default_factory=list,
        max_length=4,
        description='Planned closings every working day, local ["HH:MM", "HH:MM"] (the '
        "lunch rota); the wait estimate counts on them",
    )


class LaneSection(_Strict):
    id: Id = Field(description="Lane id, e.g. lajur-1 (used in URLs)")
    name: Line = Field(min_length=1, max_length=80, description="Shown on the lane's console page")


class DriveThruSection(_Strict):
    lanes: list[LaneSection] = Field(
        min_length=1, max_length=10, description="The drive-thru pickup lanes (Si Peluru)"
    )


class BrandingSection(_Strict):
    display_name: Line = Field(
        default="", max_length=80, description="Short name; default office.name"
    )
    address: Line = Field(default="", max_length=120, description="One address line for tickets")
    footer_id: Line = Field(
        default="", max_length=120, description="Ticket footer in Bahasa Indonesia"
    )
    footer_en: Line = Field(default="", max_length=120, description="Ticket footer in English")
    ticker_id: Line = Field(
        default="", max_length=500, description="Lobby board's information ticker (id)"
    )
    ticker_en: Line = Field(
        default="", max_length=500, description="Lobby board's information ticker (en)"
    )


class ServiceContentSection(_Strict):
    requirements_id: list[Annotated[Line, Field(min_length=1, max_length=200)]] = Field(
        default_factory=list, max_length=30, description="What to bring, one line each (id)"
    )
    requirements_en: list[Annotated[Line, Field(min_length=1, max_length=200)]] = Field(
        default_factory=list, max_length=30, description="What to bring, one line each (en)"
    )
    info_id: Text = Field(
        default="",
        max_length=1000,
        description="Kiosk information text (id); replaces the service's description_id when given",
    )
    info_en: Text = Field(
        default="",
        max_length=1000,
        description="Kiosk information text (en); replaces the service's description_en when given",
    )


class ContentSection(_Strict):
    version: int = Field(
        default=1, strict=True, ge=1, le=10**9, description="Bumped by the server on each change"
    )
    services: dict[str, ServiceContentSection] = Field(
        default_factory=dict, description="Per service id: requirements and information page"
    )


class RegistrationWindowSection(_Strict):
    code: Id = Field(description="Window id, e.g. percepatan (used in DAFTAR <code>)")
    name_id: Line = Field(min_length=1, max_length=120, description="Name in Bahasa Indonesia")
    name_en: Line = Field(min_length=1, max_length=120, description="Name in English")
    services: list[str] = Field(min_length=1, description="Service ids it admits")
    opens_days_before: int = Field(
        default=0, strict=True, ge=0, le=7, description="Registration opens this many days before"
    )
    opens: Clock = Field(description='Local time registration opens "HH:MM"')
    closes_days_before: int = Field(
        default=0, strict=True, ge=0, le=7, description="Registration closes this many days before"
    )
    closes: Clock = Field(description='Local time registration closes "HH:MM" (exclusive)')
    session: Id | None = Field(
        default=None, description="A calendar.sessions code: its quota and hours apply"
    )
    quota: Count | None = Field(
        default=None, description="Registrations per service day (not with a session)"
    )
    arrive_from: Clock | None = Field(
        default=None, description='Check-in from "HH:MM" (not with a session)'
    )
    arrive_until: Clock | None = Field(
        default=None, description='Check-in until "HH:MM" (not with a session)'
    )


class OfficeFile(_Strict):
    office: OfficeSection
    priority: PrioritySection = Field(default_factory=PrioritySection)
    booking: BookingSection = Field(default_factory=BookingSection)
    calendar: CalendarSection
    services: list[ServiceSection] = Field(min_length=1)
    counters: list[CounterSection] = Field(min_length=1)
    branding: BrandingSection | None = None
    content: ContentSection | None = None
    drive_thru: DriveThruSection | None = None
    registration: list[RegistrationWindowSection] = Field(
        default_factory=list, description="Remote registration windows (WhatsApp and web)"
    )
