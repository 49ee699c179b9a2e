"""The demo office shipped for `antre serve --demo` and for trying Antre out.

``banjarmasin.yaml`` is a realistic office file (SOP journeys, weekday hours, holidays).
:func:`demo_settings` is what ``antre serve --demo`` loads: the same office marked as a
demo (``office.demo``), open around the clock every day of the year, so the demo can be
tried at night, at weekends and on holidays, with its QR links pointing at the server
that runs it. With ``--demo-time`` the office keeps its real calendar and the server's clock
starts at the given local moment (:func:`demo_clock`), so a Saturday session, a holiday or
the 19:00 registration opening can be shown at any hour.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

DEMO_OFFICE_FILE = Path(__file__).with_name("banjarmasin.yaml")
WEEK = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: Opening hours of the demo calendar: the whole day, every day.
AROUND_THE_CLOCK = ["00:00", "24:00"]


DEMO_TIME_FORMAT = "%Y-%m-%d %H:%M"


def demo_settings(
    office_file: dict[str, Any], public_base_url: str | None = None, *, real_calendar: bool = False
) -> dict[str, Any]:
    """The demo office as ``antre serve --demo`` loads it (``office_file`` is unchanged).

    Args:
        office_file: the content of ``banjarmasin.yaml``.
        public_base_url: where the server that runs the demo is reached (None: the file's).
        real_calendar: keep the file's hours, holidays and sessions (``--demo-time``).
    """
    settings = copy.deepcopy(office_file)
    settings["office"]["demo"] = True
    if public_base_url is not None:
        settings["office"]["public_base_url"] = public_base_url
    if real_calendar:
        return settings
    calendar = settings["calendar"]
    calendar["hours"] = {day: list(AROUND_THE_CLOCK) for day in WEEK}
    calendar["national_holidays"] = False
    calendar["cuti_bersama"] = []
    settings["registration"] = [_demo_window(window) for window in settings.get("registration", [])]
    return settings


def demo_start(text: str, timezone: str) -> datetime:
    """``--demo-time``'s ``YYYY-MM-DD HH:MM`` in the office's ``timezone``.

    Raises:
        ValueError: not such a moment.
    """
    naive = datetime.strptime(text.strip(), DEMO_TIME_FORMAT)
    return naive.replace(tzinfo=ZoneInfo(timezone))


def demo_clock(
    start: datetime, *, ticks: Callable[[], float] = time.monotonic
) -> Callable[[], datetime]:
    """A clock that reads ``start`` now and runs on at the real pace from there."""
    first, origin = ticks(), start.astimezone(UTC)
    return lambda: origin + timedelta(seconds=ticks() - first)


def _demo_window(window: dict[str, Any]) -> dict[str, Any]:
    """A registration window of the demo: one without a session takes registrations for
    the same day around the clock, and checks in all day, so it can be tried any time."""
    if window.get("session"):
        return window
    same_day = {"opens_days_before": 0, "opens": "00:00", "closes_days_before": 0}
    hours = {"closes": "24:00", "arrive_from": "00:00", "arrive_until": "24:00"}
    return window | same_day | hours
