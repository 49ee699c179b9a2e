"""A pickup-only Saturday as the kiosk learns it: the server's retained queue states of the
demo services, with only the pickup open in its special session (08:00-12:00 WITA)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from kiosk.demo import DEMO_PAYLOAD
from kiosk.sessions import OpenSessions
from queue_server.protocol.states import QueueStateMessage

WITA = timezone(timedelta(hours=8))
#: Saturday 28 November 2026, 09:00 WITA.
SATURDAY_09 = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)
OPENS = datetime(2026, 11, 28, 8, 0, tzinfo=WITA)
CLOSES = datetime(2026, 11, 28, 12, 0, tzinfo=WITA)
PICKUP = "pengambilan-paspor"


def queue_state(
    seq: int,
    service: dict[str, Any],
    *,
    open_now: bool,
    next_opening: str = "2026-11-30T08:00:00+08:00",
) -> QueueStateMessage:
    values: dict[str, Any] = {
        "seq": seq,
        "service": service["id"],
        "prefix": service["prefix"],
        "name": service["name"],
        "kind": service["kind"],
        "waiting": 0,
        "waiting_per_station": {},
        "people_ahead_of_newcomer": 0,
        "open_counters": 1 if open_now else 0,
        "minutes_per_ticket": 3.0,
        "estimated_wait_minutes": 0.0 if open_now else None,
        "open_now": open_now,
        "session": "sabtu-ambil-paspor" if open_now else None,
        "next_opening": None if open_now else next_opening,
        "quota": {"limit": 100, "used": 0, "left": 100},
        "journey": [],
    }
    if open_now:
        values |= {
            "session_name": {"id": "Pengambilan paspor hari Sabtu", "en": "Saturday pickup"},
            "session_opens": OPENS.isoformat(),
            "session_closes": CLOSES.isoformat(),
        }
    # Through JSON, as the broker delivers it.
    message = QueueStateMessage.model_validate(values)
    return QueueStateMessage.model_validate_json(message.model_dump_json())


def saturday_dawn_sessions() -> OpenSessions:
    """The same before 08:00: nothing open yet, only the pickup opens today."""
    sessions = OpenSessions()
    for seq, service in enumerate(DEMO_PAYLOAD["services"], start=1):
        today = OPENS.isoformat() if service["id"] == PICKUP else "2026-11-30T08:00:00+08:00"
        sessions.update(queue_state(seq, service, open_now=False, next_opening=today))
    return sessions


def saturday_sessions() -> OpenSessions:
    """The retained states of every demo service on Saturday morning: pickup only."""
    sessions = OpenSessions()
    for seq, service in enumerate(DEMO_PAYLOAD["services"], start=1):
        sessions.update(queue_state(seq, service, open_now=service["id"] == PICKUP))
    return sessions
