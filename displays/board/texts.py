"""The board's words (GUI-free): every caption in Indonesian then English, from the catalogs.

A lobby board speaks to everyone at once, so each caption shows both languages:
``"Panggilan terakhir · Last calls"``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from displays.board.model import ServiceWait
from queue_server.i18n import translate

SEPARATOR = " · "
#: The languages of every caption, in order (a display's ``languages`` setting).
_order: list[str] = ["id", "en"]


def set_languages(order: Sequence[str]) -> None:
    """Show captions in ``order`` (``["id", "en"]``, ``["en", "id"]`` or one language)."""
    if not order or any(language not in ("id", "en") for language in order):
        raise ValueError(f"languages must be id/en: {order}")
    _order[:] = list(dict.fromkeys(order))


def bilingual(msgid: str, **params: object) -> str:
    """``msgid`` in Indonesian, then in English when it differs (in the display's order)."""
    texts: list[str] = []
    for language in _order:
        text = translate(msgid, language, **params)
        if text not in texts:
            texts.append(text)
    return SEPARATOR.join(texts)


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
    names = {"id": service.name_id, "en": service.name_en}
    return SEPARATOR.join(dict.fromkeys(names[language] for language in _order))


def clock(now: datetime, timezone: str) -> str:
    """``now`` as ``HH:MM`` in the office's time zone (UTC when the zone is unknown)."""
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return now.astimezone(zone).strftime("%H:%M")
