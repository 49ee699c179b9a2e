"""Where a scanned code leads the applicant, whatever screen the kiosk shows (pure code).

The kind comes from :func:`devices.codes.classify`, with one kiosk addition: an
application number (passport pickup). Its format is not published; the ASSUMPTION here
is the SPRI ``nomor permohonan`` as 10 to 20 digits (never 16: that is a NIK), optionally
after ``PERMOHONAN:`` or ``APP:`` as the pickup QR may carry. Replace
:data:`APPLICATION_PATTERN` once real samples are seen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from devices.codes import (
    BookingCode,
    CodeKind,
    Nik,
    TicketLink,
    classify,
)
from devices.smartcard.errors import DocumentDataError
from devices.smartcard.mrz import MrzKey, key_from_mrz
from queue_server.i18n import both

APPLICATION_PATTERN = re.compile(r"(?:(?:PERMOHONAN|APP)\s*[:#]?\s*)?([0-9]{10,15}|[0-9]{17,20})")
UNKNOWN_CODE = (
    "This code is not one the kiosk knows. Scan your M-Paspor QR code, your application "
    "QR code or your Antre ticket."
)
MRZ_UNREADABLE = (
    "The code of the passport's photo page could not be read. Please scan it again, "
    "or type the passport number and dates."
)
#: A typed application number that is 16 digits: a NIK typed by mistake.
TYPED_NIK = (
    "These 16 digits look like a NIK (from the KTP), not an application number. Type the "
    "application number printed on your application receipt."
)
#: A typed application number of the wrong length.
TYPED_MALFORMED = (
    "An application number has 10 to 20 digits. Please check the number on your "
    "application receipt."
)
NIK_DIGITS = 16
MAX_SCAN_CHARS = 512
#: A TD3 MRZ: both lines, or the second alone (with the ``<`` fillers no other code has).
MRZ_LENGTHS = frozenset({44, 88})


#: A remote registration's QR (WhatsApp or web): ``ANTRE-REG:office:code:date:service:sig``;
#: the server checks the signature, the kiosk only reads the service to ask for.
REGISTRATION_PATTERN = re.compile(
    r"ANTRE-REG:[a-z0-9-]{1,40}:[A-Z0-9]{4,12}:\d{4}-\d{2}-\d{2}:([a-z0-9-]{1,40}):[0-9a-f]{20}"
)
REGISTRATION_UNREADABLE = (
    "This registration QR code cannot be read. Type the registration code, or ask at the "
    "information desk."
)


#: A registration's short code, as the server makes it (``queue_server.domain.registration``
#: CODE_ALPHABET and CODE_LENGTH; a test keeps the two equal): no 0/O/Q, 1/I/L, 2/Z, 5/S, 8/B.
REGISTRATION_CODE_ALPHABET = "ACDEFGHJKMNPRTUVWXY34679"
REGISTRATION_CODE_LENGTH = 6
#: A typed registration code that cannot be one (the server answers for the rest).
TYPED_CODE_MALFORMED = (
    "A registration code has 6 letters and digits, as in the message or on the page you "
    "registered on. Please check it."
)


class ScanKind(StrEnum):
    BOOKING = "booking"  # M-Paspor booking QR: that service's check-in
    APPLICATION = "application"  # application QR or number: passport pickup
    TICKET = "ticket"  # an Antre ticket's QR: its status (and rating)
    REGISTRATION = "registration"  # a remote registration's QR: its ticket (checked in)
    NIK = "nik"  # 16 digits: accepted only where the kiosk asks for a NIK
    MRZ = "mrz"  # a passport photo page's MRZ: opens the chip where identity is asked
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class ScanRoute:
    """A scan's kind and what to carry on with.

    Attributes:
        value: the booking code, the application number or the ticket token; never a NIK
            (``nik`` holds it, not shown in ``repr``).
        problem: a bilingual message when the code has a known shape but is not valid,
            or is unknown.
    """

    kind: ScanKind
    value: str | None = None
    nik: Nik | None = field(default=None, repr=False)
    mrz: MrzKey | None = field(default=None, repr=False)
    problem: dict[str, str] | None = None
    #: A registration's service (the ticket to ask for); ``value`` is then the QR text.
    service: str | None = None


def route_scan(text: str) -> ScanRoute:
    """The route of one scanned (or typed) text; never raises, never logs the text."""
    text = text.strip()
    if not text or len(text) > MAX_SCAN_CHARS:
        return ScanRoute(ScanKind.UNKNOWN, problem=both(UNKNOWN_CODE))
    compact = "".join(text.split())
    if "<" in compact and len(compact) in MRZ_LENGTHS:
        try:
            return ScanRoute(ScanKind.MRZ, mrz=key_from_mrz(compact))
        except DocumentDataError:
            return ScanRoute(ScanKind.MRZ, problem=both(MRZ_UNREADABLE))
    if text.upper().startswith("ANTRE-REG:"):
        registration = REGISTRATION_PATTERN.fullmatch(text)
        if registration is None:
            return ScanRoute(ScanKind.REGISTRATION, problem=both(REGISTRATION_UNREADABLE))
        return ScanRoute(ScanKind.REGISTRATION, value=text, service=registration.group(1))
    application = APPLICATION_PATTERN.fullmatch(text.upper())
    if application is not None:
        return ScanRoute(ScanKind.APPLICATION, value=application.group(1))
    found = classify(text)
    if found.kind is CodeKind.TICKET_LINK:
        if isinstance(found.value, TicketLink):
            return ScanRoute(ScanKind.TICKET, value=found.value.token)
        return ScanRoute(ScanKind.TICKET, problem=_problem(found.problem))
    if found.kind is CodeKind.NIK:
        if isinstance(found.value, Nik):
            return ScanRoute(ScanKind.NIK, nik=found.value)
        return ScanRoute(ScanKind.NIK, problem=_problem(found.problem))
    if found.kind is CodeKind.BOOKING_CODE and isinstance(found.value, BookingCode):
        return ScanRoute(ScanKind.BOOKING, value=found.value.code)
    return ScanRoute(ScanKind.UNKNOWN, problem=both(UNKNOWN_CODE))


def typed_application(text: str) -> str | dict[str, str]:
    """The application number typed on the keypad (its digits), or why it is not one,
    in both languages (a NIK typed by mistake is named as such)."""
    digits = "".join(text.split())
    if digits.isdigit() and len(digits) == NIK_DIGITS:
        return both(TYPED_NIK)
    found = APPLICATION_PATTERN.fullmatch(digits)
    if found is None or not digits.isdigit():
        return both(TYPED_MALFORMED)
    return found.group(1)


def typed_registration(text: str) -> str | dict[str, str]:
    """The registration short code typed on the keyboard (upper case, no spaces or
    dashes), or why it cannot be one, in both languages."""
    code = "".join(text.replace("-", " ").split()).upper()
    if len(code) != REGISTRATION_CODE_LENGTH or any(
        char not in REGISTRATION_CODE_ALPHABET for char in code
    ):
        return both(TYPED_CODE_MALFORMED)
    return code


def _problem(error: object) -> dict[str, str]:
    messages = getattr(error, "messages", None)
    return dict(messages) if isinstance(messages, dict) else both(UNKNOWN_CODE)
