"""Nothing is lost: persistent sessions, a broker restart under traffic, malformed payloads."""

from __future__ import annotations

import json
import os
import queue
import signal
import threading
from collections import Counter
from typing import Any

import paho.mqtt.client as mqtt
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from queue_server.persistence.models import KioskRequestRow, TicketRow, VisitRow
from queue_server.protocol.topics import KioskAction
from queue_server.services.unit import Actor
from tests.mqtt.live import (
    PREFIX,
    WAIT_S,
    Kiosk,
    LiveServer,
    new_client,
    session_properties,
    wait_until,
)

CALLED = f"{PREFIX}/event/called"
OFFICER = Actor(name="officer-1", user_id=None)
KIOSKS = 5
REQUESTS_PER_KIOSK = 6


class Display:
    """A display with a persistent session (MQTT v5 clean_start=False, session expiry).

    Each connection is a new paho client with the same client id, as after a reboot.
    """

    def __init__(self, live: LiveServer, device: str) -> None:
        self.device, self.password, self.port = device, live.passwords[device], live.port
        self.calls: queue.Queue[dict[str, Any]] = queue.Queue()
        self.client: mqtt.Client | None = None

    def connect(self) -> bool:
        """Connect (resuming the session); whether the broker still had it."""
        sessions: queue.Queue[bool] = queue.Queue()
        client = new_client(self.device, self.device, self.password)
        client.on_connect = lambda _c, _u, flags, _r, _p: sessions.put(flags.session_present)
        client.on_message = lambda _c, _u, message: self.calls.put(json.loads(message.payload))
        client.connect(
            "127.0.0.1", self.port, keepalive=5, clean_start=False, properties=session_properties()
        )
        client.loop_start()
        self.client = client
        return sessions.get(timeout=WAIT_S)

    def subscribe_to_calls(self) -> None:
        assert self.client is not None
        granted = threading.Event()
        self.client.on_subscribe = lambda *_args: granted.set()
        self.client.subscribe(CALLED, qos=1)
        assert granted.wait(WAIT_S)

    def disconnect(self) -> None:
        assert self.client is not None
        self.client.disconnect()
        self.client.loop_stop()


def call_one(live: LiveServer, counter: str) -> str:
    """Issue a walk-in ticket and call it at ``counter``; its label."""
    kiosk_password = live.passwords.get("kiosk-1") or live.add_device("kiosk-1")
    kiosk = Kiosk(live.port, "kiosk-1", kiosk_password)
    try:
        issued = kiosk.request("issue_ticket", {"service": "walkin"})
    finally:
        kiosk.close()
    live.services.officer.open_counter("kanim-test", counter, actor=OFFICER)
    called = live.services.officer.call_next("kanim-test", counter, actor=OFFICER)
    assert called.label == issued["data"]["label"]  # type: ignore[attr-defined]
    return str(called.label)  # type: ignore[attr-defined]


def test_a_display_gets_the_call_made_while_it_was_away(live: LiveServer) -> None:
    live.add_device("lobby-1", "display")
    live.start()
    display = Display(live, "lobby-1")
    display.connect()
    display.subscribe_to_calls()
    display.disconnect()
    label = call_one(live, "cs-1")  # published by the server while the display is away
    assert display.connect() is True  # the broker kept the session ...
    try:
        call = display.calls.get(timeout=WAIT_S)  # ... and the call queued in it
        assert (call["ticket"], call["counter"], call["recall"]) == (label, "cs-1", False)
    finally:
        display.disconnect()


def test_calls_published_during_a_broker_outage_arrive_after_it(live: LiveServer) -> None:
    live.add_device("lobby-1", "display")
    runtime = live.start()
    assert runtime.broker is not None
    display = Display(live, "lobby-1")
    display.connect()
    display.subscribe_to_calls()
    try:
        os.kill(runtime.broker.process.pid or 0, signal.SIGTERM)  # saves its sessions, exits
        assert wait_until(lambda: not runtime.client.connected.is_set())
        publishing = threading.Thread(
            target=lambda: [
                runtime.client.publish(CALLED, json.dumps({"seq": seq}).encode(), False)
                for seq in range(20)
            ]
        )
        publishing.start()
        publishing.join(timeout=WAIT_S)
        assert not publishing.is_alive()  # publishing only queues; nobody waits on the broker
        assert runtime.client.connected.wait(WAIT_S)  # supervised back, reconnected
        seqs = [display.calls.get(timeout=WAIT_S)["seq"] for _ in range(20)]
        assert sorted(seqs) == list(range(20))
    finally:
        display.disconnect()


def test_a_broker_restart_under_traffic_loses_and_doubles_nothing(live: LiveServer) -> None:
    passwords = {f"kiosk-{index}": live.add_device(f"kiosk-{index}") for index in range(KIOSKS)}
    runtime = live.start()
    assert runtime.broker is not None
    kiosks = [Kiosk(live.port, device, password) for device, password in passwords.items()]
    answers: list[dict[str, Any]] = []
    halfway = threading.Semaphore(0)

    def issue_all(kiosk: Kiosk) -> None:
        for index in range(REQUESTS_PER_KIOSK):
            answers.append(kiosk.request("issue_ticket", {"service": "walkin"}, retry_s=1.0))
            if index == 1:
                halfway.release()

    workers = [threading.Thread(target=issue_all, args=(kiosk,)) for kiosk in kiosks]
    try:
        for worker in workers:
            worker.start()
        for _ in kiosks:
            assert halfway.acquire(timeout=WAIT_S)
        os.kill(runtime.broker.process.pid or 0, signal.SIGKILL)  # brought back by supervision
        for worker in workers:
            worker.join(timeout=90)
        assert not any(worker.is_alive() for worker in workers)
    finally:
        for kiosk in kiosks:
            kiosk.close()
    total = KIOSKS * REQUESTS_PER_KIOSK
    assert runtime.broker.supervisor.restarts == 1
    assert len(answers) == total and all(answer["status"] == "ok" for answer in answers)
    for kiosk in kiosks:  # retries of one transaction were all given its first answer
        for copies in kiosk.copies.values():
            assert all(copy == copies[0] for copy in copies), copies
    labels = Counter(answer["data"]["label"] for answer in answers)
    assert len(labels) == total and set(labels.values()) == {1}
    assert live.count(VisitRow) == live.count(TicketRow) == live.count(KioskRequestRow) == total


malformed_data = st.one_of(
    st.none(),
    st.integers(),
    st.text(max_size=10),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(
        st.sampled_from(["service", "count", "code", "score", "tickets"]),
        st.none() | st.text(max_size=12) | st.integers(),
        max_size=3,
    ).map(lambda data: {**data, "unexpected": True}),  # unknown fields are always refused
)
malformed_payloads = st.one_of(
    st.binary(max_size=120).map(lambda raw: (None, raw)),
    st.tuples(st.uuids().map(str), malformed_data).map(
        lambda pair: (pair[0], json.dumps({"transaction": pair[0], "data": pair[1]}).encode())
    ),
    st.dictionaries(st.sampled_from(["transaction", "x"]), st.integers(), max_size=2).map(
        lambda value: (None, json.dumps(value).encode())
    ),
)


def test_malformed_payloads_through_the_broker_get_errors_and_change_nothing(
    live: LiveServer,
) -> None:
    password = live.add_device("kiosk-1")
    live.start()
    kiosk = Kiosk(live.port, "kiosk-1", password)
    rows = (VisitRow, TicketRow, KioskRequestRow)
    before = [live.count(row) for row in rows]

    @settings(
        max_examples=60,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(action=st.sampled_from(list(KioskAction)), sent=malformed_payloads)
    def answered_with_an_error(action: KioskAction, sent: tuple[str | None, bytes]) -> None:
        transaction, payload = sent
        kiosk.send(action.value, payload)
        answer = kiosk.next_answer()
        assert answer["status"] == "error" and answer["error"]["code"], answer
        if transaction is not None:
            assert answer["transaction"] == transaction

    try:
        answered_with_an_error()
    finally:
        kiosk.close()
    assert [live.count(row) for row in rows] == before
    assert _valid_request_still_works(live)


def _valid_request_still_works(live: LiveServer) -> bool:
    kiosk = Kiosk(live.port, "kiosk-1", live.passwords["kiosk-1"])
    try:
        return bool(kiosk.request("issue_ticket", {"service": "walkin"})["status"] == "ok")
    finally:
        kiosk.close()
