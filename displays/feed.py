"""The announcer fed from the display's MQTT link: each ``event/called`` payload, once.

The link hands every ``event/called`` payload to :class:`CallFeed` on paho's thread. A call
older than ``max_age_s`` is not spoken: after a display was off, its persistent session
delivers the calls it missed, and hearing them minutes late only confuses the lobby (the
board still lists them). The rest goes to :meth:`Announcer.submit`, which drops an id it has
already seen (a redelivery) and queues the call; a recall has a new id and is spoken again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from pydantic import ValidationError

from displays.announcer.queue import Announcer
from queue_server.protocol.states import CalledEvent

log = logging.getLogger(__name__)


class CallFeed:
    """Passes fresh calls to ``announcer``; optionally only those of one counter."""

    def __init__(
        self,
        announcer: Announcer,
        *,
        max_age_s: float = 120.0,
        counter: str | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.announcer = announcer
        self.max_age = timedelta(seconds=max_age_s)
        self.counter = counter
        self._now = now
        self.too_old: list[int] = []

    def __call__(self, payload: bytes) -> bool:
        """Queue the call in ``payload``; False when it is not a call, too old, for another
        counter, or already seen."""
        try:
            event = CalledEvent.model_validate_json(payload)
        except ValidationError as exc:
            log.warning("ignored an event/called payload: %d contract errors", exc.error_count())
            return False
        if self.counter is not None and event.counter != self.counter:
            return False
        if self._now() - event.ts > self.max_age:
            self.too_old.append(event.id)
            log.info("call %s is %s old: shown, not spoken", event.id, self._now() - event.ts)
            return False
        return self.announcer.submit(event)
