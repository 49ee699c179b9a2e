"""Remote registration (UP3 / WHOOSH WhatsApp, Soetta Lestari evening quota): pure rules.

A registration window admits some services for a service day. Registration for that day
opens ``opens_days_before`` days earlier at ``opens`` (UP3: 19:00 the day before) and
closes ``closes_days_before`` days earlier at ``closes`` (office-local times). A window
tied to a calendar special session (``session``) shares that session's quota and hours;
otherwise it has its own quota and arrival hours. A registration gives a short code and
a signed QR text that the kiosk checks in.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from queue_server.domain.errors import DomainError, NotFound
from queue_server.domain.ids import ServiceId

#: Letters and digits no one misreads: no 0/O/Q, 1/I/L, 2/Z, 5/S, 8/B.
CODE_ALPHABET = "ACDEFGHJKMNPRTUVWXY34679"
CODE_LENGTH = 6
QR_PREFIX = "ANTRE-REG"
SIGNATURE_CHARS = 20
#: A registration day is looked for at most this many days ahead.
MAX_DAYS_AHEAD = 8
_QR = re.compile(
    rf"{QR_PREFIX}:([a-z0-9-]{{1,40}}):([A-Z0-9]{{4,12}}):(\d{{4}}-\d{{2}}-\d{{2}}):"
    rf"([a-z0-9-]{{1,40}}):([0-9a-f]{{{SIGNATURE_CHARS}}})"
)
_CODE = re.compile(rf"[{CODE_ALPHABET}]{{{CODE_LENGTH}}}")


@dataclass(frozen=True, slots=True)
class RegistrationWindow:
    """One way to register ahead (see the module docstring); times are office-local."""

    code: str
    name_id: str
    name_en: str
    services: tuple[ServiceId, ...]
    opens: time
    closes: time
    opens_days_before: int = 0
    closes_days_before: int = 0
    #: A calendar special session: its quota and hours apply (``quota`` and the arrival
    #: hours below are then not used).
    session: str | None = None
    quota: int | None = None
    arrive_from: time | None = None
    arrive_until: time | None = None

    @property
    def names(self) -> dict[str, str]:
        return {"id": self.name_id, "en": self.name_en}

    def opens_at(self, day: date, zone: ZoneInfo) -> datetime:
        """When registration for service day ``day`` opens."""
        return datetime.combine(day - timedelta(days=self.opens_days_before), self.opens, zone)

    def closes_at(self, day: date, zone: ZoneInfo) -> datetime:
        """When registration for service day ``day`` closes (exclusive)."""
        return datetime.combine(day - timedelta(days=self.closes_days_before), self.closes, zone)

    def is_open(self, day: date, now: datetime, zone: ZoneInfo) -> bool:
        return self.opens_at(day, zone) <= now < self.closes_at(day, zone)

    def open_day(
        self, now: datetime, zone: ZoneInfo, runs: Callable[[date], bool] = lambda day: True
    ) -> date | None:
        """The service day whose registration is open at ``now``, earliest first (only
        days on which ``runs`` says the window's service happens, when given)."""
        today = now.astimezone(zone).date()
        for offset in range(MAX_DAYS_AHEAD):
            day = today + timedelta(days=offset)
            if self.is_open(day, now, zone) and runs(day):
                return day
        return None

    def next_opening(
        self, now: datetime, zone: ZoneInfo, runs: Callable[[date], bool] = lambda day: True
    ) -> datetime | None:
        """When registration next opens after ``now`` for a day that ``runs``."""
        today = now.astimezone(zone).date()
        for offset in range(MAX_DAYS_AHEAD * 4):
            day = today + timedelta(days=offset)
            opens = self.opens_at(day, zone)
            if opens > now and runs(day):
                return opens
        return None


def new_code(choose: Callable[[str], str]) -> str:
    """A fresh short code; ``choose`` picks one character (``secrets.choice``)."""
    return "".join(choose(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str | None:
    """A typed short code in its stored form, or None when it cannot be one."""
    compact = re.sub(r"[\s-]", "", text).upper()
    return compact if _CODE.fullmatch(compact) else None


def signature(key: bytes, office: str, code: str, day: date, service: str) -> str:
    message = f"{QR_PREFIX}:{office}:{code}:{day.isoformat()}:{service}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:SIGNATURE_CHARS]


def qr_text(key: bytes, office: str, code: str, day: date, service: str) -> str:
    """What the registration's QR holds: ``ANTRE-REG:office:code:date:service:signature``."""
    signed = signature(key, office, code, day, service)
    return f"{QR_PREFIX}:{office}:{code}:{day.isoformat()}:{service}:{signed}"


@dataclass(frozen=True, slots=True)
class RegistrationClaim:
    """What a scanned registration QR says, once its signature is checked."""

    office: str
    code: str
    day: date
    service: str


def looks_like_qr(text: str) -> bool:
    return text.strip().upper().startswith(QR_PREFIX + ":")


def read_qr(key: bytes, text: str) -> RegistrationClaim:
    """The claim of a registration QR; a malformed or forged one is refused."""
    match = _QR.fullmatch(text.strip())
    if match is None:
        raise RegistrationInvalid()
    office, code, day_text, service, signed = match.groups()
    try:
        day = date.fromisoformat(day_text)
    except ValueError:
        raise RegistrationInvalid() from None
    expected = signature(key, office, code, day, service)
    if not hmac.compare_digest(expected, signed):
        raise RegistrationInvalid()
    return RegistrationClaim(office, code, day, service)


# --- refusals (id + en through the catalogs) --------------------------------------


class UnknownWindow(NotFound):
    template = "There is no registration window {window}."


class ServiceNotAdmitted(DomainError):
    code = "registration_service"
    template = "{service} cannot be registered for in {window}."
    http_status = 422


class RegistrationNotOpenYet(DomainError):
    code = "registration_not_open"
    template = "Registration for {window} is not open yet; it opens on {date} at {time}."
    #: When it opens (``date`` and ``time`` are it as applicants read it).
    opens: datetime | None = None


def not_open_until(window: RegistrationWindow, opens: datetime) -> RegistrationNotOpenYet:
    """The refusal of a registration sent before ``opens`` (office-local)."""
    refusal = RegistrationNotOpenYet(
        window=window.names, date=opens.strftime("%d-%m-%Y"), time=f"{opens:%H:%M}"
    )
    refusal.opens = opens
    return refusal


class RegistrationClosed(DomainError):
    code = "registration_closed"
    template = "Registration for {window} is closed now."


class RegistrationDayClosed(DomainError):
    code = "registration_day_closed"
    template = "There is no {window} on {date} ({reason}); registration is not possible."


class RegistrationFull(DomainError):
    code = "registration_full"
    template = "Sorry, {window} on {date} is full: no place left. Please try another day."
    #: The service day that is full (``date`` is it as applicants read it).
    day: date | None = None


class RegistrationDuplicate(DomainError):
    """One registration per phone number, window and day (a second would hold two places)."""

    code = "registration_duplicate"
    template = (
        "This phone number is already registered for {window} on {date}; the first "
        "registration stands (its code was sent to it)."
    )
    http_status = 409


class RegistrationInvalid(DomainError):
    code = "registration_invalid"
    template = "This registration code is not valid. Check the code or ask at the information desk."
    http_status = 404


class RegistrationOtherDay(DomainError):
    code = "registration_other_day"
    template = "This registration is for {date}, not for today."


class RegistrationOtherService(DomainError):
    code = "registration_other_service"
    template = "This registration is for {service}, not for the service chosen."


class RegistrationArrival(DomainError):
    code = "registration_arrival"
    template = "Check-in for your registration is open from {opens} until {closes} today."


class RegistrationUsed(DomainError):
    code = "registration_used"
    template = "This registration has already been checked in; your number is {label}."


class RegistrationCancelled(DomainError):
    code = "registration_cancelled"
    template = "This registration was cancelled."
