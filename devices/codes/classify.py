"""Tell what a scan is: a signed Antre token, a ticket link, a NIK or an M-Paspor code."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from devices.codes.booking import (
    DEFAULT_BOOKING_FORMAT,
    BookingCode,
    BookingCodeFormat,
    parse_booking_code,
)
from devices.codes.errors import CodeError
from devices.codes.nik import Nik, parse_nik
from devices.codes.ticket_link import TicketLink, looks_like_ticket_link, parse_ticket_link
from devices.codes.tokens import TokenClaims, looks_like_token, verify_token

_SIXTEEN_DIGITS = re.compile(r"\s*[0-9]{16}\s*")
MAX_DISPLAY_CHARS = 80


class CodeKind(StrEnum):
    SIGNED_TOKEN = "signed_token"
    TICKET_LINK = "ticket_link"
    NIK = "nik"
    BOOKING_CODE = "booking_code"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Classification:
    """What a scan turned out to be.

    Attributes:
        kind: the kind of code, decided by its shape.
        value: the parsed value, or ``None`` when it did not validate (see ``problem``) or,
            for a signed token, when no key was given to verify it.
        problem: why a code of this shape was refused, with its bilingual message.
        display: a short text safe to print or log (a NIK is masked).
    """

    kind: CodeKind
    value: TokenClaims | TicketLink | Nik | BookingCode | None
    problem: CodeError | None
    display: str


def classify(
    text: str,
    *,
    token_key: bytes | None = None,
    booking_format: BookingCodeFormat = DEFAULT_BOOKING_FORMAT,
    now: dt.datetime | None = None,
) -> Classification:
    """Classify and, where possible, parse one scanned text. Never raises.

    The shape decides the kind, in this order: ``AT1.`` prefix (signed token), a URL or
    ``/api/`` path (ticket link), exactly 16 digits (NIK), the office's booking pattern.

    Args:
        text: the scanned text.
        token_key: HMAC key to verify signed tokens with; without it they are only
            recognised.
        booking_format: the office's M-Paspor code format.
        now: the current time, for token expiry and NIK birth dates (default: now).
    """
    if looks_like_token(text):
        if token_key is None:
            return Classification(CodeKind.SIGNED_TOKEN, None, None, _shorten(text))
        return _attempt(CodeKind.SIGNED_TOKEN, text, lambda: verify_token(text, token_key, now=now))
    if looks_like_ticket_link(text):
        return _attempt(CodeKind.TICKET_LINK, text, lambda: parse_ticket_link(text))
    if _SIXTEEN_DIGITS.fullmatch(text):
        today = now.date() if now else None
        return _nik(text, today)
    if booking_format.match(text) is not None:
        return _attempt(
            CodeKind.BOOKING_CODE, text, lambda: parse_booking_code(text, booking_format)
        )
    return Classification(CodeKind.UNKNOWN, None, None, _shorten(text))


def _attempt(
    kind: CodeKind,
    text: str,
    parse: Callable[[], TokenClaims | TicketLink | BookingCode],
) -> Classification:
    try:
        return Classification(kind, parse(), None, _shorten(text))
    except CodeError as err:
        return Classification(kind, None, err, _shorten(text))


def _nik(text: str, today: dt.date | None) -> Classification:
    masked = "*" * 12 + text.strip()[-4:]
    try:
        return Classification(CodeKind.NIK, parse_nik(text, today=today), None, masked)
    except CodeError as err:
        return Classification(CodeKind.NIK, None, err, masked)


def _shorten(text: str) -> str:
    """Printable, single-line and bounded, for terminals and logs."""
    printable = "".join(char if char.isprintable() else "?" for char in text.strip())
    if len(printable) <= MAX_DISPLAY_CHARS:
        return printable
    return printable[: MAX_DISPLAY_CHARS - 1] + "…"
