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


def test_one_link_feeds_the_board_and_the_announcer_through_a_broker_restart(
    live: LiveServer,
) -> None:
    """The board and the announcer share the display's one session: each call is spoken
    once, also the call made after the broker came back."""
    from displays.announcer.config import AnnouncerConfig
    from displays.announcer.player import RecordingPlayer
    from displays.announcer.queue import Announcer
    from displays.feed import CallFeed
    from tests.displays.test_queue import SilentSpeaker

    announcer = Announcer(AnnouncerConfig(chime=False), SilentSpeaker(), RecordingPlayer(0.0))
    model = BoardModel()
    config = BoardLinkConfig(OFFICE, "lobby-1", live.passwords["lobby-1"], port=live.port)
    feed = CallFeed(announcer, now=live.services.clock)  # the office runs on a fake clock
    link = BoardLink(config, model, on_call=feed)
    link.start()
    try:
        assert wait_until(lambda: model.connected and bool(model.state().services))
        first = call_one(live, "cs-1")
        assert wait_until(lambda: len(announcer.announced) == 1)
        assert live.runtime is not None and live.runtime.broker is not None
        live.runtime.broker.supervisor.stop()
        live.runtime.broker.process.stop()
        assert wait_until(lambda: not model.connected)
        live.runtime.broker.process.relaunch()
        assert wait_until(lambda: model.connected)
        second = call_one(live, "cs-2")
        assert wait_until(lambda: len(announcer.announced) == 2)
        heard = [call.ticket for call in model.state().recent_calls if call.id]
        assert heard == [second, first]
    finally:
        link.close()
        assert announcer.stop(5)
    assert len(set(announcer.announced)) == 2 and feed.too_old == []


def test_a_counter_display_follows_its_counter(live: LiveServer) -> None:
    from displays.counter.model import CounterModel

    live.add_device("counter-2", "counter-display")
    model = CounterModel("cs-2")
    config = BoardLinkConfig(OFFICE, "counter-2", live.passwords["counter-2"], port=live.port,
                             kind="counter-display", counter="cs-2")
    link = BoardLink(config, model)
    assert link.subscriptions() == [
        topics.counter_state(OFFICE, "cs-2"), topics.config(OFFICE, "counter-display"),
        topics.event_called(OFFICE)]
    link.start()
    try:
        assert wait_until(lambda: model.connected)
        call_one(live, "cs-1")  # another counter: not shown
        label = call_one(live, "cs-2")
        assert wait_until(lambda: model.view().ticket == label)
        view = model.view()
        assert view.status == "called" and view.is_open and view.known
    finally:
        link.close()
