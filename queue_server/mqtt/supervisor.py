"""Keep the managed Mosquitto running: restart it with back-off when it exits unexpectedly.

Log noise stays bounded: one warning when the broker goes away, one line when it is back;
failed attempts in between are logged at debug level only.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from queue_server.mqtt.broker import START_TIMEOUT_S, BrokerError, MosquittoProcess
from queue_server.periodic import Periodic

log = logging.getLogger(__name__)


def backoff_delays(first_s: float = 1.0, max_s: float = 30.0) -> Iterator[float]:
    """1 s, 2 s, 4 s … doubling up to ``max_s``, then ``max_s`` for ever."""
    delay_s = first_s
    while True:
        yield delay_s
        delay_s = min(delay_s * 2, max_s)


class BrokerSupervisor(Periodic):
    """A thread that watches one :class:`MosquittoProcess` and brings it back.

    Stop it before the broker itself is stopped, so that the broker is not restarted.
    """

    def __init__(
        self,
        broker: MosquittoProcess,
        *,
        poll_s: float = 0.5,
        first_delay_s: float = 1.0,
        max_delay_s: float = 30.0,
    ) -> None:
        super().__init__(
            self._watch,
            interval_s=poll_s,
            name="mqtt-broker-watch",
            stop_timeout_s=START_TIMEOUT_S + 5,
        )
        self._broker = broker
        self._first_delay_s, self._max_delay_s = first_delay_s, max_delay_s
        self.restarts = 0

    def _watch(self) -> None:
        code = self._broker.exit_code()
        if code is None:
            return
        log.warning("the MQTT broker exited (code %s); restarting it", code)
        if self._bring_back():
            self.restarts += 1
            log.info("the MQTT broker is back on port %s", self._broker.port)

    def _bring_back(self) -> bool:
        for delay_s in backoff_delays(self._first_delay_s, self._max_delay_s):
            if self.pause(delay_s):
                return False
            try:
                self._broker.relaunch()
            except BrokerError as error:
                log.debug("broker restart failed: %s", error)
                continue
            return True
        return False  # pragma: no cover - backoff_delays never ends
