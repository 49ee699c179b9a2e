"""The board's MQTT link against the real server and Mosquitto: retained states, calls,
a broker restart, and payloads that do not parse."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from displays.board.link import BoardLink, BoardLinkConfig, parse_message
from displays.board.model import BoardModel, BoardState
from queue_server.protocol import topics
from queue_server.protocol.states import Board
from tests.mqtt.live import OFFICE, LiveServer, wait_until
from tests.mqtt.test_resilience import call_one

pytestmark = pytest.mark.slow


class Display:
    """A board link and its model, the model changed under a lock (as on one GUI thread)."""

    def __init__(self, live: LiveServer, device: str) -> None:
        self.model = BoardModel()
        self.lock = threading.Lock()
        self.connections: list[bool] = []
        config = BoardLinkConfig(OFFICE, device, live.passwords[device], port=live.port)
        self.link = BoardLink(config, self.model, post=self._post, changed=self._changed)

    def _post(self, function: Callable[[], None]) -> None:
        with self.lock:
            function()

    def _changed(self) -> None:
        if not self.connections or self.connections[-1] != self.model.connected:
            self.connections.append(self.model.connected)

    def state(self) -> BoardState:
        with self.lock:
            return self.model.state()


def rendered(display: Display) -> bool:
    state = display.state()
    return state.connected and bool(state.office_name) and bool(state.services)


def test_the_board_shows_the_retained_states_and_a_call(live: LiveServer) -> None:
    display = Display(live, "lobby-1")
    display.link.start()
    try:
        assert wait_until(lambda: rendered(display))
        label = call_one(live, "cs-1")
        assert wait_until(lambda: display.state().newest_call is not None)
        state = display.state()
        assert state.newest_call is not None and state.newest_call.ticket == label
        assert wait_until(lambda: [s.ticket for s in display.state().serving] == [label])
    finally:
        display.link.close()


def test_after_a_broker_restart_the_board_is_rendered_again(live: LiveServer) -> None:
    display = Display(live, "lobby-1")
    display.link.start()
    try:
        assert wait_until(lambda: rendered(display))
        assert live.runtime is not None and live.runtime.broker is not None
        live.runtime.broker.supervisor.stop()
        live.runtime.broker.process.stop()
        assert wait_until(lambda: not display.state().connected)
        live.runtime.broker.process.relaunch()
        assert wait_until(lambda: display.state().connected)
        assert display.connections[-3:] == [True, False, True]
        label = call_one(live, "cs-2")
        assert wait_until(lambda: [s.ticket for s in display.state().serving] == [label])
    finally:
        display.link.close()
    # A display that starts after the restart draws the whole board from the retained states.
    fresh = Display(live, "lobby-1")
    fresh.link.start()
    try:
        assert wait_until(lambda: rendered(fresh))
        assert [s.ticket for s in fresh.state().serving] == [label]
    finally:
        fresh.link.close()


@pytest.mark.parametrize(
    ("topic", "payload"),
    [
        (topics.board(OFFICE), b"not json"),
        (topics.board(OFFICE), b'{"seq": 1}'),
        (topics.board(OFFICE), b'{"seq": 0, "counters": [], "serving": []}'),
        (topics.board("other-office"), b'{"seq": 1, "counters": [], "serving": []}'),
        (topics.config(OFFICE, "kiosk"), b"{}"),
        ("antre/v1/kanim-test/nowhere", b"{}"),
        ("elsewhere", b"\xff\xfe"),
    ],
)
def test_a_payload_that_does_not_parse_is_ignored(topic: str, payload: bytes) -> None:
    assert parse_message(OFFICE, topic, payload) is None


def test_a_contract_payload_parses() -> None:
    payload = b'{"seq": 3, "counters": [], "serving": []}'
    assert parse_message(OFFICE, topics.board(OFFICE), payload) == Board(
        seq=3, counters=[], serving=[]
    )
