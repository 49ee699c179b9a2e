"""Identifier types and enumerations shared by the whole domain."""

from __future__ import annotations

from enum import StrEnum
from typing import NewType

OfficeId = NewType("OfficeId", str)
ServiceId = NewType("ServiceId", str)
CounterId = NewType("CounterId", str)
TicketId = NewType("TicketId", int)
VisitId = NewType("VisitId", int)
UserId = NewType("UserId", int)


class StationType(StrEnum):
    """Kinds of desk a visit passes through (seed-requirements 2.0)."""

    INFO = "INFO"
    CS = "CS"
    BIO = "BIO"
    BIO_PRIORITY = "BIO_PRIORITY"
    BAP = "BAP"
    LOKET = "LOKET"
    PAY = "PAY"
    PICKUP = "PICKUP"
    COMPLAINT = "COMPLAINT"


class ServiceKind(StrEnum):
    BOOKING_REQUIRED = "booking_required"
    WALK_IN = "walk_in"
    PICKUP = "pickup"
    COMPLAINT = "complaint"
    INFORMATION = "information"


class TicketStatus(StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    DONE = "done"
    NO_SHOW = "no_show"
    PARKED = "parked"
    CANCELLED = "cancelled"
    TRANSFERRED = "transferred"


#: A visit has at most one ticket in one of these states at any time.
LIVE_STATUSES: frozenset[TicketStatus] = frozenset(
    {TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.SERVING, TicketStatus.PARKED}
)
#: A counter holds at most one ticket in one of these states at any time.
AT_COUNTER_STATUSES: frozenset[TicketStatus] = frozenset(
    {TicketStatus.CALLED, TicketStatus.SERVING}
)


class TicketSource(StrEnum):
    KIOSK = "kiosk"
    KIOSK_OFFLINE = "kiosk_offline"
    OFFICER = "officer"
    API = "api"
    DRIVE_THRU = "drive_thru"
    TRANSFER = "transfer"


class Role(StrEnum):
    """Access levels of the Pusat Data SOP (seed-requirements 5.7), plus machines.

    ``kiosk`` is only ever given to machine tokens: it may issue tickets and read
    queue state, nothing else.
    """

    ADMIN = "admin"
    PETUGAS = "petugas"
    LAPORAN = "laporan"
    KIOSK = "kiosk"


class NumberingMode(StrEnum):
    """Whether a visit keeps its first number through its journey."""

    KEEP = "keep"
    PER_STATION = "per_station"
