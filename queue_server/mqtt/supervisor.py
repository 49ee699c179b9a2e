"""Keep the managed Mosquitto running: restart it with back-off when it exits unexpectedly.

Log noise stays bounded: one warning when the broker goes away, one line when it is back;
failed attempts in between are logged at debug level only.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator

from queue_server.mqtt.broker import START_TIMEOUT_S, BrokerError, MosquittoProcess

log = logging.getLogger(__name__)


def backoff_delays(first_s: float = 1.0, max_s: float = 30.0) -> Iterator[float]:
    """1 s, 2 s, 4 s … doubling up to ``max_s``, then ``max_s`` for ever."""
    delay_s = first_s
    while True:
        yield delay_s
        delay_s = min(delay_s * 2, max_s)


class BrokerSupervisor:
    """A thread that watches one :class:`MosquittoProcess` and brings it back."""

    def __init__(
        self,
        broker: MosquittoProcess,
        *,
        poll_s: float = 0.5,
        first_delay_s: float = 1.0,
        max_delay_s: float = 30.0,
    ) -> None:
        self._broker = broker
        self._poll_s, self._first_delay_s, self._max_delay_s = poll_s, first_delay_s, max_delay_s
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="mqtt-broker-watch", daemon=True)
        self.restarts = 0

    def start(self) -> BrokerSupervisor:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop watching (before the broker itself is stopped, so it is not restarted)."""
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join(timeout=START_TIMEOUT_S + 5)

    def _watch(self) -> None:
        while not self._stopping.wait(self._poll_s):
            code = self._broker.exit_code()
            if code is None:
                continue
            log.warning("the MQTT broker exited (code %s); restarting it", code)
            if self._bring_back():
                self.restarts += 1
                log.info("the MQTT broker is back on port %s", self._broker.port)

    def _bring_back(self) -> bool:
        for delay_s in backoff_delays(self._first_delay_s, self._max_delay_s):
            if self._stopping.wait(delay_s):
                return False
            try:
                self._broker.relaunch()
            except BrokerError as error:
                log.debug("broker restart failed: %s", error)
                continue
            return True
        return False  # pragma: no cover - backoff_delays never ends
