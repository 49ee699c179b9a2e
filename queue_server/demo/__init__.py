"""The demo office shipped for `antre serve --demo` and for trying Antre out.

``banjarmasin.yaml`` is a realistic office file (SOP journeys, weekday hours, holidays).
:func:`demo_settings` is what ``antre serve --demo`` loads: the same office marked as a
demo (``office.demo``), open around the clock every day of the year, so the demo can be
tried at night, at weekends and on holidays, with its QR links pointing at the server
that runs it.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

DEMO_OFFICE_FILE = Path(__file__).with_name("banjarmasin.yaml")
WEEK = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: Opening hours of the demo calendar: the whole day, every day.
AROUND_THE_CLOCK = ["00:00", "24:00"]


def demo_settings(
    office_file: dict[str, Any], public_base_url: str | None = None
) -> dict[str, Any]:
    """The demo office as ``antre serve --demo`` loads it (``office_file`` is unchanged).

    Args:
        office_file: the content of ``banjarmasin.yaml``.
        public_base_url: where the server that runs the demo is reached (None: the file's).
    """
    settings = copy.deepcopy(office_file)
    settings["office"]["demo"] = True
    if public_base_url is not None:
        settings["office"]["public_base_url"] = public_base_url
    calendar = settings["calendar"]
    calendar["hours"] = {day: list(AROUND_THE_CLOCK) for day in WEEK}
    calendar["national_holidays"] = False
    calendar["cuti_bersama"] = []
    settings["registration"] = [_demo_window(window) for window in settings.get("registration", [])]
    return settings


def _demo_window(window: dict[str, Any]) -> dict[str, Any]:
    """A registration window of the demo: one without a session takes registrations for
    the same day around the clock, and checks in all day, so it can be tried any time."""
    if window.get("session"):
        return window
    same_day = {"opens_days_before": 0, "opens": "00:00", "closes_days_before": 0}
    hours = {"closes": "24:00", "arrive_from": "00:00", "arrive_until": "24:00"}
    return window | same_day | hours
