"""Estimate inputs that may be a moment stale: open and busy counters, service times.

A newcomer's wait estimate needs which counters are open, who is at each counter since
when, how long the latest tickets at the station took and (for desks serving several
stations) how many wait at each station. These change rarely compared with how often
kiosks issue, so each process keeps them for ``ttl_s`` and drops them at once when its
own event bus says they changed (a counter opened or closed, a ticket called or
finished). Another process's change shows within ``ttl_s``. Positions (people ahead)
are always read fresh.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Collection
from datetime import date, datetime
from typing import TypeVar

from sqlalchemy.orm import Session

from queue_server.domain.events import CounterChanged, DomainEvent, OfficeReloaded, TicketChanged
from queue_server.domain.ids import AT_COUNTER_STATUSES, StationType, TicketStatus
from queue_server.services import queries

T = TypeVar("T")


class StationStats:
    def __init__(self, *, ttl_s: float = 2.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl_s, self._clock = ttl_s, clock
        self._entries: dict[tuple[str, str], tuple[float, object]] = {}
        self._lock = threading.Lock()

    def open_counters(self, session: Session, office_id: str) -> set[str]:
        return self._cached(
            (office_id, "open"), lambda: queries.open_counter_codes(session, office_id)
        )

    def open_from(self, office_id: str, codes: Collection[str]) -> None:
        """The open counters, known from rows read in the same snapshot (not read again)."""
        self._store((office_id, "open"), set(codes))

    def recent_minutes(self, session: Session, office_id: str, station: StationType) -> list[float]:
        return self.recent_service(session, office_id, station).minutes

    def recent_service(
        self, session: Session, office_id: str, station: StationType
    ) -> queries.RecentService:
        return self._cached(
            (office_id, station.value),
            lambda: queries.recent_service(session, office_id, station),
        )

    def at_counters(self, session: Session, office_id: str) -> dict[str, queries.AtCounter]:
        return self._cached((office_id, "busy"), lambda: queries.at_counters(session, office_id))

    def waiting_per_station(self, session: Session, office_id: str) -> dict[str, int]:
        return self._cached(
            (office_id, "waiting"), lambda: queries.waiting_per_station(session, office_id)
        )

    def joins(
        self,
        session: Session,
        office_id: str,
        station: StationType,
        now: datetime,
        office_day: date,
    ) -> queries.Joins:
        return self._cached(
            (office_id, f"joins:{station.value}"),
            lambda: queries.joins_per_minute(session, office_id, station, now, office_day),
        )

    def bookings(
        self,
        session: Session,
        office_id: str,
        office_day: date,
        now: datetime,
        late_minutes: float,
    ) -> queries.ExpectedBookings:
        return self._cached(
            (office_id, "bookings"),
            lambda: queries.expected_bookings(session, office_id, office_day, now, late_minutes),
        )

    def breaks(self, session: Session, office_id: str, now: datetime) -> queries.CounterBreaks:
        return self._cached(
            (office_id, "breaks"), lambda: queries.counter_breaks(session, office_id, now)
        )

    def preload(
        self,
        session: Session,
        office_id: str,
        stations: Collection[StationType],
        now: datetime,
        office_day: date,
    ) -> None:
        """Read the recent service and the joins of those of ``stations`` not cached, in one
        statement each for all of them (the queue states of several services)."""
        recent = [s for s in stations if not self._has((office_id, s.value))]
        if recent:
            for station, value in queries.recent_services(session, office_id, recent).items():
                self._store((office_id, station.value), value)
        joins = [s for s in stations if not self._has((office_id, f"joins:{s.value}"))]
        if joins:
            found = queries.joins_by_station(session, office_id, joins, now, office_day)
            for station, rate in found.items():
                self._store((office_id, f"joins:{station.value}"), rate)

    def __call__(self, event: DomainEvent) -> None:
        """The event-bus subscriber: forget what the event changed."""
        if isinstance(event, CounterChanged):
            self._forget((event.office, "open"))
            self._forget((event.office, "breaks"))
        elif isinstance(event, OfficeReloaded):
            with self._lock:
                self._entries = {k: v for k, v in self._entries.items() if k[0] != event.office}
        elif isinstance(event, TicketChanged):
            if event.status in AT_COUNTER_STATUSES or event.previous in AT_COUNTER_STATUSES:
                self._forget((event.office, "busy"))
            if event.status is TicketStatus.DONE:
                self._forget((event.office, event.station.value))

    def _cached(self, key: tuple[str, str], load: Callable[[], T]) -> T:
        now = self._clock()
        with self._lock:
            entry = self._entries.get(key)
        if entry is not None and now - entry[0] < self._ttl_s:
            return entry[1]  # type: ignore[return-value]
        value = load()
        with self._lock:
            self._entries[key] = (now, value)
        return value

    def _has(self, key: tuple[str, str]) -> bool:
        with self._lock:
            entry = self._entries.get(key)
        return entry is not None and self._clock() - entry[0] < self._ttl_s

    def _store(self, key: tuple[str, str], value: object) -> None:
        with self._lock:
            self._entries[key] = (self._clock(), value)

    def _forget(self, key: tuple[str, str]) -> None:
        with self._lock:
            self._entries.pop(key, None)
