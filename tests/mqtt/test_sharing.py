"""Several server processes, without a broker: what each subscribes to, its share of a
device's rate, and the leader's wake-up port."""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest

from queue_server.cli import main
from queue_server.mqtt.client import SHARE_GROUP, BrokerAddress, ServerMqtt, mirrored
from queue_server.mqtt.fairness import RateLimit
from queue_server.mqtt.kiosk_requests import Outgoing
from queue_server.mqtt.sharing import follower_account, shared_limits
from queue_server.processes import Followers, FollowerSetup, OutboxWake, WakeSender
from queue_server.protocol import topics

REQUESTS = "antre/v1/+/kiosk/+/request/+"


class Plain:
    def subscriptions(self, office: str | None) -> list[str]:
        return [topics.kiosk_requests(office)]

    def handle(self, topic: str, payload: bytes) -> Outgoing | None:
        return None


class Broker:
    """Stands in for paho's client in ``_on_connect``: records (un)subscriptions."""

    def __init__(self) -> None:
        self.subscribed: list[tuple[str, Any]] = []
        self.unsubscribed: list[str] = []

    def subscribe(self, filters: list[tuple[str, Any]]) -> tuple[int, int]:
        self.subscribed = filters
        return 0, 1

    def unsubscribe(self, filters: list[str]) -> tuple[int, int]:
        self.unsubscribed = filters
        return 0, 2


class Accepted:
    is_failure = False


class Everything(Plain):
    def subscriptions(self, office: str | None) -> list[str]:
        return topics.server_subscriptions(office)


def connect(handler: Plain | None = None, **options: Any) -> Broker:
    client = ServerMqtt(
        broker=BrokerAddress("127.0.0.1", 1, "", ""),
        office=None,
        handler=handler or Plain(),
        **options,
    )
    broker = Broker()
    client._on_connect(broker, None, None, Accepted(), None)  # type: ignore[arg-type]
    return broker


def test_a_single_process_subscribes_plainly_with_no_local_and_drops_a_shared_leftover() -> None:
    broker = connect()
    [(topic, options)] = broker.subscribed
    assert topic == REQUESTS and options.noLocal and options.retainAsPublished
    assert broker.unsubscribed == [f"$share/{SHARE_GROUP}/{REQUESTS}"]


def test_a_process_of_several_subscribes_through_the_shared_group_without_no_local() -> None:
    broker = connect(share_group=SHARE_GROUP)
    [(topic, options)] = broker.subscribed
    assert topic == f"$share/{SHARE_GROUP}/{REQUESTS}"
    assert not options.noLocal  # a protocol error on a shared subscription
    assert broker.unsubscribed == [REQUESTS]  # what a single-process run left in the session


def test_the_leader_keeps_device_reports_to_itself_in_order() -> None:
    broker = connect(Everything(), share_group=SHARE_GROUP)
    subscribed = {topic: options for topic, options in broker.subscribed}
    assert set(subscribed) == {
        f"$share/{SHARE_GROUP}/{REQUESTS}",
        "antre/v1/+/device/+/status",
        "antre/v1/+/device/+/health",
    }
    assert subscribed["antre/v1/+/device/+/status"].noLocal


def test_a_follower_keeps_no_session_and_mirrors_what_displays_read() -> None:
    broker = connect(share_group=SHARE_GROUP, mirror=lambda *_: None, persistent=False)
    mirrors = [topic for topic, _options in broker.subscribed[1:]]
    assert "antre/v1/+/board" in mirrors and "antre/v1/+/event/called" in mirrors
    assert all(not topic.startswith("$share") for topic in mirrors)
    assert broker.unsubscribed == []
    assert mirrored("antre/v1/kanim/counter/cs-1/state")
    assert mirrored("antre/v1/kanim/config/display")
    assert mirrored("antre/v1/kanim/lane/lajur-1/state")  # the officers' drive-thru pages
    assert "antre/v1/+/lane/+/state" in mirrors
    assert not mirrored("antre/v1/kanim/kiosk/k-1/request/issue_ticket")
    assert not mirrored("antre/v1/kanim/device/k-1/status")


def test_each_process_allows_its_share_of_a_device_rate_and_the_whole_burst() -> None:
    from queue_server.mqtt.client import DeviceLimits

    limits = DeviceLimits(rate=RateLimit(per_s=10.0, burst=30), backlog=100)
    assert shared_limits(limits, 1) == limits
    four = shared_limits(limits, 4)
    assert four.rate == RateLimit(per_s=2.5, burst=30) and four.backlog == 100
    assert follower_account("antre-server", 1) == "antre-server"
    assert follower_account("antre-server", 3) == "antre-server-3"


def test_a_datagram_from_a_follower_wakes_the_leader_publisher() -> None:
    woken = threading.Event()
    wake = OutboxWake(woken.set).start()
    sender = WakeSender(wake.port)
    try:
        sender(object())
        assert woken.wait(timeout=5)
    finally:
        sender.close()
        wake.stop()


def test_a_follower_says_it_serves_and_the_health_waits_for_every_one() -> None:
    """``/healthz``'s ``processes``: starting until each follower's "serving" datagram came
    (a malformed one counts for nothing), again after a restart, down when left stopped."""
    setups = [_setup(index) for index in (2, 3)]
    followers = Followers(setups)
    for follower in followers._followers:  # as if launched (no process needed here)
        follower.process = subprocess.Popen(["true"])
        follower.process.wait()
    said: list[int] = []
    arrived = threading.Event()

    def serving(index: int) -> None:
        said.append(index)
        followers.serving(index)
        arrived.set()

    wake = OutboxWake(lambda: None, on_serving=serving).start()
    sender = WakeSender(wake.port)
    try:
        assert followers.health() == "starting"
        sender._socket.sendto(b"rx", ("127.0.0.1", wake.port))
        sender.serving(2)
        assert arrived.wait(timeout=5)
        assert said == [2] and followers.health() == "starting"
        arrived.clear()
        sender.serving(3)
        assert arrived.wait(timeout=5)
        assert followers.health() == "ok"
        followers._followers[0].serving = False  # as _launch does on a restart
        assert followers.health() == "starting"
        followers._followers[0].process = None  # kept dying: left stopped
        assert followers.health() == "down"
    finally:
        sender.close()
        wake.stop()


def _setup(index: int) -> FollowerSetup:
    return FollowerSetup(
        index=index,
        config={"database_url": "sqlite:///x.db"},
        broker={"host": "127.0.0.1", "port": 1883, "username": f"antre-server-{index}"},
        wake_port=5000,
        http_fd=7,
        processes=3,
    )


def test_the_setup_line_carries_the_follower_settings() -> None:
    setup = FollowerSetup(
        index=2,
        config={"database_url": "sqlite:///x.db"},
        broker={"host": "127.0.0.1", "port": 1883, "username": "antre-server-2", "password": "pw"},
        wake_port=5000,
        http_fd=7,
        processes=2,
    )
    again = FollowerSetup.from_line(setup.to_line())
    assert again == setup
    assert again.broker_address().username == "antre-server-2"
    assert again.server_config().database_url == "sqlite:///x.db"


def test_processes_need_the_mqtt_side_and_a_count_from_1_to_32(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = f"sqlite:///{tmp_path / 'antre.db'}"
    assert main(["serve", "--db", database, "--processes", "2", "--no-mqtt"]) == 2
    refused = capsys.readouterr().err
    assert "--processes 2 needs the MQTT side" in refused and "memerlukan sisi MQTT" in refused
    assert not (tmp_path / "antre.db").exists()  # refused before touching anything
    with pytest.raises(SystemExit):
        main(["serve", "--db", database, "--processes", "0"])
    assert "a whole number from 1 to 32" in capsys.readouterr().err


def test_a_follower_hands_display_messages_to_its_mirror_and_requests_to_its_workers() -> None:
    mirrored_messages: list[tuple[str, bytes, bool]] = []
    client = ServerMqtt(
        broker=BrokerAddress("127.0.0.1", 1, "", ""),
        office=None,
        handler=Plain(),
        share_group=SHARE_GROUP,
        mirror=lambda *message: mirrored_messages.append(message),
        persistent=False,
    )
    board = mqtt.MQTTMessage(topic=b"antre/v1/kanim/board")
    board.payload, board.retain = b'{"seq": 1}', True
    client._on_message(client._client, None, board)
    assert mirrored_messages == [("antre/v1/kanim/board", b'{"seq": 1}', True)]
    request = mqtt.MQTTMessage(topic=b"antre/v1/kanim/kiosk/k-1/request/issue_ticket")
    request.payload = b"{}"
    client._on_message(client._client, None, request)
    assert len(mirrored_messages) == 1 and client._queue.waiting("k-1") == 1
