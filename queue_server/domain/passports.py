"""Passport-ready records: the application number's shape and the expected ready date (pure).

The application number (SPRI ``nomor permohonan``) has no published format. The ASSUMPTION,
the same as the kiosk's (``kiosk/scan_routes.py``), is 10 to 20 digits but never 16 (16
digits is a NIK, which is never stored), optionally after ``PERMOHONAN:`` or ``APP:`` as
the pickup QR may carry. Replace :data:`APPLICATION_PATTERN` in both places once real
samples are seen.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum

from queue_server.domain.calendar import OfficeCalendar
from queue_server.domain.ids import StationType
from queue_server.domain.model import Service

APPLICATION_PATTERN = re.compile(r"(?:(?:PERMOHONAN|APP)\s*[:#]?\s*)?([0-9]{10,15}|[0-9]{17,20})")
MAX_APPLICATION_CHARS = 40
NIK_DIGITS = 16
#: Working days from the end of the biometrics step to the passport being ready (SOP).
DEFAULT_READY_WORKING_DAYS = 4
#: The stations whose end starts the count (a priority ticket's biometrics is at BIO_PRIORITY).
BIOMETRICS_STATIONS = (StationType.BIO, StationType.BIO_PRIORITY)


class ReadySource(StrEnum):
    """How a passport came to be marked ready."""

    CSV = "csv"  # an uploaded list
    API = "api"  # a machine token's call (the printing system)
    CONSOLE = "console"  # an officer signed in to the browser console


class ApplicationProblem(StrEnum):
    """Why a text is not an application number (the English msgid of the reason)."""

    EMPTY = "the application number is empty"
    NIK = "16 digits is a NIK, not an application number (NIKs are not accepted here)"
    MALFORMED = "the application number must be 10 to 20 digits (not 16)"


def parse_application(text: str) -> str | ApplicationProblem:
    """The application number in ``text`` (its digits), or why it is not one."""
    if len(text) > MAX_APPLICATION_CHARS:
        return ApplicationProblem.MALFORMED
    compact = "".join(text.split()).upper()
    if not compact:
        return ApplicationProblem.EMPTY
    if compact.isdigit() and len(compact) == NIK_DIGITS:
        return ApplicationProblem.NIK
    found = APPLICATION_PATTERN.fullmatch(compact)
    if found is None:
        return ApplicationProblem.MALFORMED
    return found.group(1)


def ready_working_days(service: Service | None) -> int:
    """How many working days after biometrics the service's passport is ready.

    The service's ``ready_after_working_days`` if the office file sets it, else its PICKUP
    step's ``after_working_days``, else :data:`DEFAULT_READY_WORKING_DAYS`.
    """
    if service is None:
        return DEFAULT_READY_WORKING_DAYS
    if service.ready_after_working_days is not None:
        return service.ready_after_working_days
    for step in service.journey:
        if step.station is StationType.PICKUP and step.after_working_days > 0:
            return step.after_working_days
    return DEFAULT_READY_WORKING_DAYS


def expected_ready_date(calendar: OfficeCalendar, biometrics_day: date, working_days: int) -> date:
    """The ``working_days``-th working day after ``biometrics_day``: weekends, national
    holidays, cuti bersama and the office's closed days are skipped."""
    return calendar.add_working_days(biometrics_day, working_days)
