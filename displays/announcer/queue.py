"""The announcement queue: one worker plays one call at a time, first come first served.

A call is a chime, then its sentence in each configured language. Calls that arrive while
one plays wait for it, so announcements never overlap or cut each other. A call id seen
before (an at-least-once redelivery) is dropped; a recall has a new id and is announced
again. At most ``max_waiting`` calls wait: one more drops the oldest waiting call, because a
lobby gains nothing from hearing a call minutes late (the boards still show it).
"""

from __future__ import annotations

import logging
import tempfile
import threading
from collections import deque
from pathlib import Path

from pydantic import ValidationError

from displays.announcer.chime import write_chime
from displays.announcer.config import AnnouncerConfig
from displays.announcer.phrases import phrases
from displays.announcer.player import Player
from displays.announcer.speaker import Speaker
from queue_server.protocol.dedupe import SeenCalls
from queue_server.protocol.states import CalledEvent

log = logging.getLogger(__name__)


class Announcer:
    """Announces calls one after another on a single worker thread."""

    def __init__(
        self,
        config: AnnouncerConfig,
        speaker: Speaker,
        player: Player,
        seen: SeenCalls | None = None,
    ) -> None:
        self._config = config
        self._speaker = speaker
        self._player = player
        self._seen = seen if seen is not None else SeenCalls()
        self._waiting: deque[CalledEvent] = deque()
        self._cond = threading.Condition()
        self._stopping = False
        self._workdir = tempfile.TemporaryDirectory(prefix="antre-announcer-")
        self._chime = write_chime(Path(self._workdir.name) / "chime.wav", config.volume)
        self.announced: list[int] = []
        self.dropped: list[int] = []
        self._thread = threading.Thread(target=self._run, name="announcer", daemon=True)
        self._thread.start()

    def submit(self, event: CalledEvent) -> bool:
        """Queue ``event``; False when its id was seen before or the announcer is stopping."""
        with self._cond:
            if self._stopping or not self._seen.first_time(event.id):
                return False
            self._waiting.append(event)
            if len(self._waiting) > self._config.max_waiting:
                dropped = self._waiting.popleft()
                self.dropped.append(dropped.id)
                log.warning("announcement queue full: dropped call %s", dropped.id)
            self._cond.notify()
            return True

    def submit_payload(self, payload: bytes) -> bool:
        """Queue the call in an ``event/called`` MQTT payload (False when it is not one).

        A payload that does not match the contract is logged (its error count only) and
        changes nothing.
        """
        try:
            event = CalledEvent.model_validate_json(payload)
        except ValidationError as exc:
            log.warning("ignored an event/called payload: %d contract errors", exc.error_count())
            return False
        return self.submit(event)

    def waiting(self) -> int:
        """The number of calls waiting (not counting the one playing)."""
        with self._cond:
            return len(self._waiting)

    def stop(self, timeout: float = 30.0) -> bool:
        """Finish the call playing, drop the waiting ones and end the worker.

        Args:
            timeout: Seconds to wait for the worker.

        Returns:
            True when the worker ended within ``timeout``.
        """
        with self._cond:
            self._stopping = True
            self.dropped += [event.id for event in self._waiting]
            self._waiting.clear()
            self._cond.notify_all()
        self._thread.join(timeout)
        ended = not self._thread.is_alive()
        if ended:
            self._workdir.cleanup()
        return ended

    def _next(self) -> CalledEvent | None:
        with self._cond:
            while not self._waiting and not self._stopping:
                self._cond.wait()
            return None if self._stopping else self._waiting.popleft()

    def _run(self) -> None:
        while (event := self._next()) is not None:
            try:
                self._announce(event)
            except Exception:
                log.exception("announcing call %s failed", event.id)

    def _announce(self, event: CalledEvent) -> None:
        files: list[Path] = []
        try:
            for index, (language, text) in enumerate(phrases(event, self._config)):
                out = Path(self._workdir.name) / f"{event.id}-{index}-{language}.wav"
                files.append(self._speaker.synthesize(text, language, out))
            if self._config.chime:
                self._player.play(self._chime)
            for path in files:
                self._player.play(path)
            self.announced.append(event.id)
        finally:
            for path in files:
                path.unlink(missing_ok=True)
