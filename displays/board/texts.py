"""The board's words (GUI-free): every caption in Indonesian then English, from the catalogs.

A lobby board speaks to everyone at once, so each caption shows both languages:
``"Panggilan terakhir · Last calls"``.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from displays.board.model import ServiceWait
from queue_server.i18n import translate

SEPARATOR = " · "


def bilingual(msgid: str, **params: object) -> str:
    """``msgid`` in Indonesian, then in English when it differs."""
    indonesian = translate(msgid, "id", **params)
    english = translate(msgid, "en", **params)
    return indonesian if indonesian == english else f"{indonesian}{SEPARATOR}{english}"


def now_calling() -> str:
    return bilingual("Now calling")


def last_calls() -> str:
    return bilingual("Last calls")


def connection_lost() -> str:
    return bilingual("Connection lost")


def waiting_line() -> str:
    return bilingual("Waiting and estimated wait")


def recall_mark() -> str:
    return bilingual("Recall")


def no_call_yet() -> str:
    return bilingual("No call yet")


def waiting(service: ServiceWait) -> str:
    """``"14 menunggu · 14 waiting"``."""
    return bilingual("{count} waiting", count=service.waiting)


def estimate(service: ServiceWait) -> str:
    """The estimated wait of a newcomer, or "closed" / "no counter open"."""
    if not service.open_now:
        return bilingual("Closed")
    if service.estimated_wait_minutes is None:
        return bilingual("No counter open")
    minutes = max(0, round(service.estimated_wait_minutes))
    if minutes == 0:
        return bilingual("No wait")
    return bilingual("About {minutes} min", minutes=minutes)


def service_name(service: ServiceWait) -> str:
    """The service's own bilingual name."""
    if service.name_id == service.name_en:
        return service.name_id
    return f"{service.name_id}{SEPARATOR}{service.name_en}"


def clock(now: datetime, timezone: str) -> str:
    """``now`` as ``HH:MM`` in the office's time zone (UTC when the zone is unknown)."""
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return now.astimezone(zone).strftime("%H:%M")
