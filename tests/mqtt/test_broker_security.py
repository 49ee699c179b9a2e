"""The managed broker against hostile devices: stolen client ids, huge and retained publishes,
floods. A live Mosquitto on a random loopback port, the server over SQLite.

No timed assertions: every check waits (bounded) for something that must happen, then
looks at what happened before it.
"""

from __future__ import annotations

import json
import queue
import threading
import uuid
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.client import MQTTMessage

from queue_server.mqtt.client import ServerMqtt
from queue_server.mqtt.runtime import SERVER_USER
from queue_server.persistence.models import VisitRow
from tests.mqtt.live import OFFICE, PREFIX, WAIT_S, Kiosk, LiveServer, new_client, wait_until

ISSUE = {"service": "walkin", "language": "en"}


def request(data: dict[str, Any], transaction: str | None = None) -> bytes:
    return json.dumps({"transaction": transaction or str(uuid.uuid4()), "data": data}).encode()


def count_disconnects(client: mqtt.Client) -> list[object]:
    """Note every disconnect of ``client`` (on top of its own handler)."""
    seen: list[object] = []
    handler = client.on_disconnect

    def noting(*args: Any) -> None:
        seen.append(args[3] if len(args) > 3 else None)
        if handler is not None:
            handler(*args)

    client.on_disconnect = noting
    return seen


class Probe:
    """A bare client: its connect result, its disconnects and what it receives."""

    def __init__(self, port: int, client_id: str, username: str, password: str) -> None:
        self.connected: queue.Queue[Any] = queue.Queue()
        self.disconnected = threading.Event()
        self.inbox: queue.Queue[MQTTMessage] = queue.Queue()
        self.client = new_client(client_id, username, password)
        self.client.on_connect = lambda _c, _u, _f, reason, _p: self.connected.put(reason)
        self.client.on_disconnect = lambda *_args: self.disconnected.set()
        self.client.on_message = lambda _c, _u, message: self.inbox.put(message)
        self.client.connect("127.0.0.1", port, keepalive=5)
        self.client.loop_start()

    def subscribe(self, topic: str) -> None:
        done = threading.Event()
        self.client.on_subscribe = lambda *_args: done.set()
        self.client.subscribe(topic, qos=1)
        assert done.wait(WAIT_S)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def test_a_device_account_cannot_take_the_servers_or_another_kiosks_client_id(
    live: LiveServer,
) -> None:
    live.add_device("kiosk-1")
    thief_password = live.add_device("kiosk-2")
    runtime = live.start()
    server_drops = count_disconnects(runtime.client._client)
    kiosk = Kiosk(live.port, "kiosk-1", live.passwords["kiosk-1"])
    kiosk_drops = count_disconnects(kiosk.client)
    thieves: list[Probe] = []
    try:
        assert kiosk.request("issue_ticket", ISSUE)["status"] == "ok"
        for stolen_id in [f"{SERVER_USER}-{OFFICE}", SERVER_USER, "kiosk-1"]:
            thief = Probe(live.port, stolen_id, "kiosk-2", thief_password)
            thieves.append(thief)
            assert not thief.connected.get(timeout=WAIT_S).is_failure
        # Had any thief taken a session, its owner's socket was closed before this round
        # trip (which needs both the kiosk's and the server's connection) could complete.
        second = kiosk.request("issue_ticket", ISSUE)
        assert second["status"] == "ok" and second["data"]["label"] == "B-002"
        assert server_drops == [] and kiosk_drops == []
        assert runtime.client.connected.is_set()
    finally:
        for thief in thieves:
            thief.close()
        kiosk.close()


def test_an_oversized_publish_is_refused_and_the_server_stays_healthy(live: LiveServer) -> None:
    password = live.add_device("kiosk-1")
    live.add_device("kiosk-2")
    runtime = live.start()
    server_drops = count_disconnects(runtime.client._client)
    flooder = Probe(live.port, "kiosk-1", "kiosk-1", password)
    kiosk = Kiosk(live.port, "kiosk-2", live.passwords["kiosk-2"])
    try:
        assert not flooder.connected.get(timeout=WAIT_S).is_failure
        huge = b'{"transaction": "' + b"x" * 1_000_000 + b'"}'
        flooder.client.publish(f"{PREFIX}/kiosk/kiosk-1/request/issue_ticket", huge, qos=1)
        assert flooder.disconnected.wait(WAIT_S), "the broker accepted a 1 MB publish"
        answer = kiosk.request("issue_ticket", ISSUE)
        assert answer["status"] == "ok" and answer["data"]["label"] == "B-001"
        assert server_drops == [] and runtime.client.connected.is_set()
        # Just under the contract's limit still reaches the server, which answers it.
        assert kiosk.subscribed.wait(WAIT_S)
        near_limit = b'{"transaction": "' + b"x" * (64 * 1024 - 100) + b'"}'
        kiosk.send("issue_ticket", near_limit)
        assert kiosk.next_answer()["error"]["code"] == "invalid_field"
    finally:
        flooder.close()
        kiosk.close()


def test_a_retained_request_is_refused_cleared_and_never_acted_on(live: LiveServer) -> None:
    password = live.add_device("kiosk-1")
    runtime = live.start()
    kiosk = Kiosk(live.port, "kiosk-1", password)
    topic = f"{PREFIX}/kiosk/kiosk-1/request/issue_ticket"
    try:
        assert kiosk.subscribed.wait(WAIT_S)
        first = str(uuid.uuid4())
        kiosk.client.publish(topic, request(ISSUE, first), qos=1, retain=True)
        answer = kiosk.next_answer()
        assert (answer["transaction"], answer["status"]) == (first, "error")
        assert answer["error"]["code"] == "retained_not_allowed"
        assert set(answer["error"]["messages"]) == {"id", "en"}
        assert live.count(VisitRow) == 0

        # The broker no longer holds it: a new subscriber gets a retained marker (subscribed
        # second, so it comes after any retained request) and no request.
        runtime.client.stop()
        probe = Probe(live.port, SERVER_USER, SERVER_USER, _server_password(live))
        marker = f"{PREFIX}/config/probe"
        try:
            probe.client.publish(marker, b"marker", qos=1, retain=True).wait_for_publish(WAIT_S)
            probe.subscribe(f"{PREFIX}/kiosk/kiosk-1/request/+")
            probe.subscribe(marker)
            first_seen = probe.inbox.get(timeout=WAIT_S)
            assert (first_seen.topic, first_seen.payload) == (marker, b"marker")
            probe.client.publish(marker, b"", qos=1, retain=True).wait_for_publish(WAIT_S)
        finally:
            probe.close()

        # A retained request waiting in the broker when the server (re)subscribes: refused.
        second = str(uuid.uuid4())
        kiosk.client.publish(topic, request(ISSUE, second), qos=1, retain=True).wait_for_publish(
            WAIT_S
        )
        again = ServerMqtt(
            broker=runtime.client._broker,
            office=OFFICE,
            handler=runtime.client._handler,
            client_id=f"{SERVER_USER}-{OFFICE}",
        )
        again.start()
        try:
            answer = kiosk.next_answer()
            assert (answer["transaction"], answer["error"]["code"]) == (
                second,
                "retained_not_allowed",
            )
            issued = kiosk.request("issue_ticket", ISSUE)
            assert issued["status"] == "ok" and issued["data"]["label"] == "B-001"
            assert live.count(VisitRow) == 1
        finally:
            again.stop()
    finally:
        kiosk.close()


def _server_password(live: LiveServer) -> str:
    assert live.runtime is not None and live.runtime.broker is not None
    accounts = live.runtime.broker.process.accounts
    return next(account.password for account in accounts if account.username == SERVER_USER)


def test_requests_over_the_devices_rate_are_answered_rate_limited_and_change_nothing(
    tmp_path: Any,
) -> None:
    from tests.mqtt.live import live_server

    live = live_server(tmp_path, mqtt_rate_per_s=0.001, mqtt_rate_burst=3)
    try:
        password = live.add_device("kiosk-1")
        live.start()
        kiosk = Kiosk(live.port, "kiosk-1", password)
        try:
            first, second, third = (str(uuid.uuid4()) for _ in range(3))
            answers = []
            for transaction in [first, first, second, third]:
                kiosk.send("issue_ticket", request(ISSUE, transaction))
                answers.append(kiosk.next_answer())
            assert answers[0]["status"] == "ok" and answers[1] == answers[0]  # stored answer
            assert answers[2]["data"]["label"] == "B-002"
            limited = answers[3]
            assert (limited["transaction"], limited["error"]["code"]) == (third, "rate_limited")
            assert set(limited["error"]["messages"]) == {"id", "en"}
            assert live.count(VisitRow) == 2
        finally:
            kiosk.close()
    finally:
        live.close()


FLOOD = 200


def test_a_flooding_kiosk_does_not_hold_back_another_kiosks_lookup(tmp_path: Any) -> None:
    from tests.mqtt.live import live_server

    # Limits lifted, so the whole flood is queued: this is about the order of service.
    live = live_server(
        tmp_path, mqtt_rate_per_s=10_000, mqtt_rate_burst=10_000, mqtt_backlog_per_device=10_000
    )
    try:
        flooder_password = live.add_device("kiosk-a")
        other_password = live.add_device("kiosk-b")
        runtime = live.start()
        replies: list[str] = []  # the response topics, in the order the server sent them
        send = runtime.client._send

        def recording(topic: str, payload: bytes, *, qos: int, retain: bool) -> None:
            replies.append(topic)
            send(topic, payload, qos=qos, retain=retain)

        runtime.client._send = recording  # type: ignore[method-assign]
        flooder = Kiosk(live.port, "kiosk-a", flooder_password)
        other = Kiosk(live.port, "kiosk-b", other_password)
        try:
            assert flooder.subscribed.wait(WAIT_S) and other.subscribed.wait(WAIT_S)
            topic = f"{PREFIX}/kiosk/kiosk-a/request/issue_ticket"
            sent = [flooder.client.publish(topic, request(ISSUE), qos=1) for _ in range(FLOOD)]
            for info in sent:  # the broker holds the whole flood, ahead of the lookup
                info.wait_for_publish(WAIT_S)
            other.send("lookup", request({"code": "no-such-ticket"}))
            assert other.next_answer(limit_s=60)["error"]["code"] == "not_found"
            lookup_at = replies.index(f"{PREFIX}/kiosk/kiosk-b/response/lookup")
            flood_before = sum("/kiosk-a/" in topic for topic in replies[:lookup_at])
            assert flood_before < FLOOD, "the lookup waited for the whole flood"
            assert wait_until(lambda: flooder.answers.qsize() == FLOOD, limit_s=120)
        finally:
            flooder.close()
            other.close()
    finally:
        live.close()
