"""The simulated lobby displays, listening in a process of their own.

Each display connects with its own MQTT account, as a real one does, and counts the calls
it is shown and the board states it gets. They run apart from the driver so that their
message handling (every call and board state, once per display) does not hold the
driver's interpreter while kiosks and officers wait for answers; at the end of the day
:meth:`Lobby.collect` says what each display saw against the calls the officers were given.
"""

from __future__ import annotations

import json
import queue
import threading
import time
from collections import Counter
from typing import Any

import paho.mqtt.client as mqtt

from queue_server.protocol.dedupe import SeenCalls
from queue_server.simulate.driver import Endpoints, client_for, connect

#: Real seconds the displays get to connect, and to show the last calls at the end.
READY_WITHIN_S = 30.0
SETTLE_WITHIN_S = 10.0


class Display:
    """A lobby display: counts the calls it is shown (each id once, as a real display
    announces it) and the retained states it gets."""

    def __init__(self, port: int, office: str, username: str, password: str) -> None:
        self.called: list[str] = []
        self.states = 0
        self._seen = SeenCalls(capacity=100_000)
        self._lock = threading.Lock()
        self.client = client_for(port, username, password)
        self.client.on_message = self._on_message
        base = f"antre/v1/{office}"
        connect(self.client, port, [f"{base}/event/called", f"{base}/board"])

    def _on_message(self, _c: mqtt.Client, _u: object, message: mqtt.MQTTMessage) -> None:
        with self._lock:
            if message.topic.endswith("/event/called"):
                call = json.loads(message.payload)
                if self._seen.first_time(call.get("id")):  # a redelivery is shown once
                    self.called.append(str(call.get("ticket")))
            else:
                self.states += 1

    def seen(self) -> tuple[list[str], int]:
        with self._lock:
            return list(self.called), self.states

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def shown(displays: list[Display], called_labels: list[str]) -> dict[str, Any]:
    """What the displays showed of ``called_labels`` (waiting up to ``SETTLE_WITHIN_S`` for
    the last calls): calls per display, calls missing on any, board states received."""
    deadline = time.monotonic() + SETTLE_WITHIN_S
    while time.monotonic() < deadline and any(
        len(d.seen()[0]) < len(called_labels) for d in displays
    ):
        time.sleep(0.05)
    seen = [d.seen() for d in displays]
    wanted = Counter(called_labels)
    return {
        "display_called": [len(called) for called, _states in seen],
        "display_missing": sum(sum((wanted - Counter(called)).values()) for called, _ in seen),
        "display_states": sum(states for _called, states in seen),
    }


def watch(endpoints: Endpoints, orders: Any, results: Any) -> None:
    """The displays' process: connect, say ready, then for the list of called labels it
    gets on ``orders`` put what the displays showed on ``results`` (None: just stop)."""
    displays: list[Display] = []
    try:
        displays = [
            Display(endpoints.mqtt_port, endpoints.office, name, password)
            for name, password in endpoints.display_passwords
        ]
        results.put(("ready", None))
        called_labels = orders.get()
        if called_labels is not None:
            results.put(("ok", shown(displays, called_labels)))
    except Exception as error:  # reported by the parent
        results.put(("error", f"{type(error).__name__}: {error}"))
    finally:
        for display in displays:
            display.close()


class DisplaysFailed(Exception):
    """The displays' process could not connect or report."""


class Lobby:
    """The parent's handle on the displays' process (a ``multiprocessing`` context's)."""

    def __init__(self, context: Any, endpoints: Endpoints) -> None:
        self._orders, self._results = context.Queue(), context.Queue()
        self._process = context.Process(
            target=watch,
            args=(endpoints, self._orders, self._results),
            name="antre-simulate-displays",
        )

    def __enter__(self) -> Lobby:
        self._process.start()
        try:
            self._expect("ready", READY_WITHIN_S)
        except BaseException:
            self.__exit__()
            raise
        return self

    def collect(self, called_labels: list[str]) -> dict[str, Any]:
        """What each display showed of the calls the officers were given."""
        self._orders.put(called_labels)
        return dict(self._expect("ok", SETTLE_WITHIN_S + READY_WITHIN_S))

    def __exit__(self, *_exc: object) -> None:
        if self._process.is_alive():
            self._orders.put(None)
            self._process.join(timeout=10)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(timeout=5)

    def _expect(self, wanted: str, within_s: float) -> Any:
        deadline = time.monotonic() + within_s
        while True:
            try:
                status, value = self._results.get(timeout=0.2)
                break
            except queue.Empty:
                if not self._process.is_alive():  # it could not even start
                    raise DisplaysFailed("the displays' process stopped") from None
                if time.monotonic() >= deadline:
                    raise DisplaysFailed(
                        f"the displays did not answer within {within_s:.0f} s"
                    ) from None
        if status != wanted:
            raise DisplaysFailed(str(value))
        return value
