"""A controllable clock for use cases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class FakeClock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


#: Monday 23 November 2026, 10:00 WITA (02:00 UTC): a normal working morning.
MONDAY_10_WITA = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
