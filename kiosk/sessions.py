"""What is open today, from the server's retained ``queue/{service}/state`` (pure code).

On a pickup-only day (a Saturday passport pickup session, Soetta "Apaan Tu") the kiosk
offers pickup only and says so. It learns this from the queue states the server keeps
retained on the broker (the kiosk's ACL reads ``queue/+/state``): each says whether its
service is open now and, during a special session, the session's name and hours
(``session_name``, ``session_opens``, ``session_closes``). The server re-publishes them
when a session opens or closes. Before the session opens, a day whose only services
still to open (``next_opening`` today) are pickups is one too ("from 08:00"). An offline
kiosk keeps its last knowledge, bounded by the session's closing time on its own clock
(after 12:00 it no longer says "pickup only").
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

from queue_server.i18n import both, translate
from queue_server.protocol.states import QueueState, QueueStateMessage

#: The banner of the welcome and services screens on a pickup-only day.
PICKUP_ONLY = "Today ({day}): passport pickup only, {opens}–{closes}"
#: A touch on another service (a scanned booking, an information page) on such a day.
NOT_TODAY = (
    "Today only passport pickup is served ({opens}–{closes}). Please come back on a "
    "working day for other services."
)
#: The same before the session opens (its closing time is not known yet).
PICKUP_ONLY_FROM = "Today ({day}): passport pickup only, from {opens}"
NOT_TODAY_FROM = (
    "Today only passport pickup is served (from {opens}). Please come back on a working "
    "day for other services."
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True, slots=True)
class PickupOnlyDay:
    """Only pickup is served today: open now in a special session (``closes`` known), or
    the only services opening later today are pickups (``closes`` None)."""

    services: frozenset[str]
    opens: datetime
    closes: datetime | None

    def _params(self) -> dict[str, object]:
        def clock(moment: datetime) -> dict[str, str]:
            return {"id": moment.strftime("%H.%M"), "en": moment.strftime("%H:%M")}

        day = WEEKDAYS[self.opens.weekday()]
        params: dict[str, object] = {
            "day": {"id": translate(day, "id"), "en": day},
            "opens": clock(self.opens),
        }
        if self.closes is not None:
            params["closes"] = clock(self.closes)
        return params

    def banner(self) -> dict[str, str]:
        """The banner in both languages (the hours in the office's time)."""
        return both(PICKUP_ONLY if self.closes else PICKUP_ONLY_FROM, **self._params())

    def not_today(self) -> dict[str, str]:
        return both(NOT_TODAY if self.closes else NOT_TODAY_FROM, **self._params())


def pickup_only(states: list[QueueState], now: datetime) -> PickupOnlyDay | None:
    """A pickup-only day when every service open at ``now`` is a pickup in a special
    session still open on the kiosk's clock; None otherwise (or nothing known)."""
    open_now = [
        state
        for state in states
        if state.open_now and (state.session_closes is None or now < state.session_closes)
    ]
    if not open_now:
        return _opening_today(states, now)
    for state in open_now:
        if state.kind != "pickup" or state.session_opens is None or state.session_closes is None:
            return None
    first = open_now[0]
    assert first.session_opens is not None and first.session_closes is not None
    return PickupOnlyDay(
        services=frozenset(state.service for state in open_now),
        opens=first.session_opens,
        closes=first.session_closes,
    )


def _opening_today(states: list[QueueState], now: datetime) -> PickupOnlyDay | None:
    """Nothing open yet: a pickup-only day when the services still to open today (the
    office's day, from their ``next_opening``) are all pickups."""
    later = [
        state
        for state in states
        if state.next_opening is not None
        and now < state.next_opening
        and now.astimezone(state.next_opening.tzinfo).date() == state.next_opening.date()
    ]
    if not later or any(state.kind != "pickup" for state in later):
        return None
    opens = min(state.next_opening for state in later if state.next_opening is not None)
    return PickupOnlyDay(
        services=frozenset(state.service for state in later), opens=opens, closes=None
    )


def _opening(state: QueueState) -> tuple[object, ...]:
    return (
        state.open_now,
        state.session,
        state.session_opens,
        state.session_closes,
        state.next_opening,
    )


class OpenSessions:
    """The latest ``queue/{service}/state`` of each service; thread-safe (paho's thread
    writes, the UI thread reads). ``kiosk/link/saved_states.py`` keeps them across a
    restart; the broker's retained states come again on every connect."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._states: dict[str, QueueStateMessage] = {}

    def update(self, state: QueueStateMessage) -> bool:
        """A newer state of its service replaces the older (an older one is dropped).
        True when what is open changed (worth keeping across a restart)."""
        with self._lock:
            known = self._states.get(state.service)
            if known is not None and state.seq < known.seq:
                return False
            self._states[state.service] = state
            return known is None or _opening(known) != _opening(state)

    def pickup_only(self, now: datetime) -> PickupOnlyDay | None:
        with self._lock:
            states: list[QueueState] = list(self._states.values())
        return pickup_only(states, now)
