"""Parsers for what a kiosk scans or an applicant types: pure functions, no I/O.

Each parser returns a typed value or raises :class:`CodeError` (with a bilingual message);
:func:`classify` tells which kind of code a scan is without raising.
"""

from devices.codes.booking import (
    DEFAULT_BOOKING_FORMAT,
    BookingCode,
    BookingCodeFormat,
    parse_booking_code,
)
from devices.codes.classify import Classification, CodeKind, classify
from devices.codes.errors import CodeError, CodeErrorReason
from devices.codes.nik import Nik, Sex, format_nik, parse_nik
from devices.codes.ticket_link import TicketLink, parse_ticket_link
from devices.codes.tokens import TokenClaims, TokenKind, sign_token, verify_token

__all__ = [
    "DEFAULT_BOOKING_FORMAT",
    "BookingCode",
    "BookingCodeFormat",
    "Classification",
    "CodeError",
    "CodeErrorReason",
    "CodeKind",
    "Nik",
    "Sex",
    "TicketLink",
    "TokenClaims",
    "TokenKind",
    "classify",
    "format_nik",
    "parse_booking_code",
    "parse_nik",
    "parse_ticket_link",
    "sign_token",
    "verify_token",
]
