"""`antre serve --processes N`: kiosk requests and HTTP spread over real server processes.

One server per database and module: SQLite with two processes, PostgreSQL with four, each
with its managed Mosquitto on a random loopback port. Kiosks and a display are paho
clients with their own accounts; officers use HTTP.
"""

from __future__ import annotations

import http.client
import json
import os
import queue
import secrets
import signal
import subprocess
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion
from sqlalchemy import create_engine, text

from queue_server.bootstrap import opened_services, server_config
from queue_server.mqtt.broker import Account, DeviceKind, free_port, hash_password, stop_orphan
from queue_server.services.unit import Actor
from tests.mqtt.test_broker import Device
from tests.mqtt.test_serve_outbox import (
    OFFICE,
    Officer,
    Site,
    at_counters,
    check_delivery,
    running,
)
from tests.support.postgres import PostgresServer

KIOSKS = 4
RESEND_S = 3.0
ANSWERS_S = 60.0
LOG_S = 30.0


@dataclass
class Server:
    site: Site
    process: subprocess.Popen[bytes]
    http_port: int
    mqtt_port: int
    processes: int
    kiosks: list[Account]
    display: Account


def add_devices(database_url: str, accounts: list[Account]) -> None:
    """Register the devices (as ``antre device add`` does, without a process each)."""
    with opened_services(server_config(database_url)) as services:
        for account in accounts:
            assert account.kind is not None
            password_hash = hash_password(account.password)
            kind = account.kind.value
            services.devices.add(OFFICE, account.username, kind, password_hash, actor=Actor("test"))


@pytest.fixture(scope="module", params=[("sqlite", 2), ("postgresql", 4)], ids=["sqlite-2", "pg-4"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    engine, processes = request.param
    folder = tmp_path_factory.mktemp(f"processes-{engine}")
    drop = None
    if engine == "sqlite":
        url = f"sqlite:///{folder / 'antre.db'}"
    else:
        postgres: PostgresServer = request.getfixturevalue("postgres_server")
        name, url = postgres.fresh_database()
        drop = (postgres, name)
    site = Site(folder, url)
    kiosks = [
        Account(f"kiosk-{index}", secrets.token_urlsafe(12), DeviceKind.KIOSK)
        for index in range(1, KIOSKS + 1)
    ]
    display = Account("lobby-1", secrets.token_urlsafe(12), DeviceKind.DISPLAY)
    add_devices(url, [*kiosks, display])
    http_port, mqtt_port = free_port(), free_port()
    args = ("--mqtt-port", str(mqtt_port), "--processes", str(processes))
    with running(site.serve(http_port, *args)) as process:
        started = Server(site, process, http_port, mqtt_port, processes, kiosks, display)
        assert logged(started, "connected to the broker", times=processes)  # every process
        yield started
    if drop is not None:
        drop[0].drop_database(drop[1])


@dataclass
class Kiosk:
    """A kiosk sending ``issue_ticket`` requests, each sent again (same transaction) while
    unanswered after ``RESEND_S``."""

    port: int
    account: Account
    answers: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    sends: Counter[str] = field(default_factory=Counter)
    arrived: queue.Queue[str] = field(default_factory=queue.Queue)

    def __post_init__(self) -> None:
        self.client = mqtt.Client(
            callback_api_version=CallbackAPIVersion.VERSION2,
            client_id=self.account.username,
            protocol=MQTTProtocolVersion.MQTTv5,
        )
        self.client.username_pw_set(self.account.username, self.account.password)
        self.client.on_message = self._on_message
        granted: queue.Queue[int] = queue.Queue()
        self.client.on_subscribe = lambda _c, _u, mid, _codes, _p: granted.put(mid)
        self.client.connect("127.0.0.1", self.port, keepalive=10)
        self.client.loop_start()
        name = self.account.username
        _result, mid = self.client.subscribe(f"antre/v1/{OFFICE}/kiosk/{name}/response/+", qos=1)
        assert granted.get(timeout=10) == mid

    def _on_message(self, _c: mqtt.Client, _u: object, message: mqtt.MQTTMessage) -> None:
        answer = json.loads(message.payload)
        self.answers.setdefault(answer["transaction"], []).append(answer)
        self.arrived.put(answer["transaction"])

    def issue(self, count: int) -> list[str]:
        """Send ``count`` requests one after the other (each answered before the next)."""
        sent = []
        topic = f"antre/v1/{OFFICE}/kiosk/{self.account.username}/request/issue_ticket"
        for _ in range(count):
            transaction = str(uuid.uuid4())
            body = json.dumps({"transaction": transaction, "data": {"service": "walkin"}})
            sent.append(transaction)
            deadline = time.monotonic() + ANSWERS_S
            while transaction not in self.answers and time.monotonic() < deadline:
                self.client.publish(topic, body, qos=1)
                self.sends[transaction] += 1
                self._wait_for(transaction, time.monotonic() + RESEND_S)
        return sent

    def _wait_for(self, transaction: str, until: float) -> None:
        while transaction not in self.answers and time.monotonic() < until:
            try:
                self.arrived.get(timeout=max(0.01, until - time.monotonic()))
            except queue.Empty:
                return

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def kiosks_issue(server: Server, each: int, during: Any = None) -> list[Kiosk]:
    """Every kiosk issues ``each`` tickets at once; ``during()`` runs meanwhile."""
    kiosks = [Kiosk(server.mqtt_port, account) for account in server.kiosks]
    sent: dict[str, list[str]] = {}
    threads = [
        threading.Thread(target=lambda k=k: sent.__setitem__(k.account.username, k.issue(each)))
        for k in kiosks
    ]
    for thread in threads:
        thread.start()
    if during is not None:
        during(kiosks)
    for thread in threads:
        thread.join(timeout=ANSWERS_S * each)
    for kiosk in kiosks:
        kiosk.close()
        unanswered = [t for t in sent[kiosk.account.username] if t not in kiosk.answers]
        assert not unanswered, f"{kiosk.account.username}: {len(unanswered)} unanswered"
    return kiosks


def answers_of(kiosks: list[Kiosk]) -> dict[str, dict[str, Any]]:
    """Each transaction's answer; copies of one (a resend) must be the same answer."""
    by_transaction = {}
    for kiosk in kiosks:
        for transaction, copies in kiosk.answers.items():
            assert all(copy == copies[0] for copy in copies), copies
            assert copies[0]["status"] == "ok", copies[0]
            by_transaction[transaction] = copies[0]
    return by_transaction


def stored(server: Server) -> tuple[int, int, int]:
    """(visits, distinct visit numbers, answered kiosk transactions) in the database."""
    engine = create_engine(server.site.database_url)
    try:
        with engine.connect() as connection:
            visits, numbers = connection.execute(
                text("SELECT count(*), count(DISTINCT office_day || series || number) FROM visits")
            ).one()
            requests = connection.execute(text("SELECT count(*) FROM kiosk_requests")).scalar_one()
    finally:
        engine.dispose()
    return int(visits), int(numbers), int(requests)


def logged(server: Server, line: str, times: int = 1) -> bool:
    """Whether ``line`` is in the processes' log ``times`` times (waits for it a while)."""
    deadline = time.monotonic() + LOG_S
    while time.monotonic() < deadline:
        if server.site.log.read_text(encoding="utf-8", errors="replace").count(line) >= times:
            return True
        time.sleep(0.2)
    return False


def followers_of(pid: int) -> list[int]:
    # A restarted follower is the child of the thread that started it.
    tasks = Path(f"/proc/{pid}/task").iterdir()
    children = [child for task in tasks for child in (task / "children").read_text().split()]
    return [
        int(child)
        for child in children
        if b"queue_server.follower" in Path(f"/proc/{child}/cmdline").read_bytes()
    ]


def processes_health(server: Server, wanted: str = "ok") -> dict[str, Any]:
    """``/healthz``'s answer once its ``processes`` check says ``wanted`` (waits a while)."""
    deadline = time.monotonic() + LOG_S
    while True:
        connection = http.client.HTTPConnection("127.0.0.1", server.http_port, timeout=10)
        try:
            connection.request("GET", "/healthz")
            answer: dict[str, Any] = json.loads(connection.getresponse().read())
        finally:
            connection.close()
        if answer["checks"].get("processes") == wanted or time.monotonic() > deadline:
            return answer
        time.sleep(0.1)


def test_health_says_ok_once_every_follower_serves(server: Server) -> None:
    answer = processes_health(server)
    assert answer["checks"]["processes"] == "ok"
    assert answer["status"] == "ok"


def test_kiosk_requests_are_answered_once_each_by_every_process(server: Server) -> None:
    before = stored(server)
    kiosks = kiosks_issue(server, each=15)
    answers = answers_of(kiosks)
    assert len(answers) == KIOSKS * 15
    for kiosk in kiosks:  # one answer per request sent (a resend may be answered again)
        assert all(len(kiosk.answers[t]) <= sends for t, sends in kiosk.sends.items())
    labels = Counter(answer["data"]["label"] for answer in answers.values())
    assert all(count == 1 for count in labels.values()), labels.most_common(3)
    visits, numbers, requests = stored(server)
    assert visits - before[0] == len(answers) and numbers == visits
    assert requests - before[2] == len(answers)
    for index in range(2, server.processes + 1):  # each follower got its share
        assert logged(server, f"follower {index}: handling device messages")


def test_calls_through_every_process_reach_the_display_once_in_order(server: Server) -> None:
    display = Device(server.mqtt_port, server.display)
    try:
        display.subscribe(f"antre/v1/{OFFICE}/#")
        counters = ["cs-1", "cs-2", "cs-3"]
        committed = at_counters(server.http_port, server.site.token, counters, rounds=4)
        calls: dict[int, list[Any]] = {}
        last_seq: dict[str, int] = {}
        deadline = time.monotonic() + ANSWERS_S
        while len(calls) < len(committed) and time.monotonic() < deadline:
            try:
                message = display.inbox.get(timeout=0.2)
            except queue.Empty:
                continue
            payload = json.loads(message.payload)
            if "seq" in payload and not message.retain:  # retained: an earlier snapshot
                assert payload["seq"] > last_seq.get(message.topic, 0), message.topic
                last_seq[message.topic] = payload["seq"]
            if message.topic.endswith("/event/called"):
                calls.setdefault(payload["id"], []).append(payload)
        check_delivery(calls, committed)
        first_calls = Counter(label for label, _counter, recall in committed if not recall)
        assert all(count == 1 for count in first_calls.values())  # no ticket called twice
    finally:
        display.close()


def test_a_killed_follower_loses_nothing_accepted(server: Server) -> None:
    before = stored(server)
    victim = followers_of(server.process.pid)[0]

    def kill_a_follower(kiosks: list[Kiosk]) -> None:
        deadline = time.monotonic() + ANSWERS_S  # once the kiosks are under way
        while sum(len(k.answers) for k in kiosks) < KIOSKS and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(victim, signal.SIGKILL)

    kiosks = kiosks_issue(server, each=10, during=kill_a_follower)
    answers = answers_of(kiosks)
    assert len(answers) == KIOSKS * 10
    visits, numbers, requests = stored(server)
    assert visits - before[0] == len(answers) and numbers == visits
    assert requests - before[2] == len(answers)
    assert logged(server, "stopped (exit -9); starting it again")
    deadline = time.monotonic() + LOG_S
    while len(followers_of(server.process.pid)) < server.processes - 1:
        assert time.monotonic() < deadline, "the follower was not started again"
        time.sleep(0.2)
    assert processes_health(server)["checks"]["processes"] == "ok"  # it serves again


STREAMS = 6


class TicketStream:
    """One ``/public/tickets/<token>/stream`` connection (whichever process accepts it)."""

    def __init__(self, port: int, token: str) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=ANSWERS_S)
        self.connection.request("GET", f"/api/v1/public/tickets/{token}/stream")
        self.response = self.connection.getresponse()
        assert self.response.status == 200

    def next_ticket(self) -> dict[str, Any]:
        """The next ``event: ticket``'s JSON (pings and other lines skipped)."""
        event = ""
        for _ in range(1000):
            line = self.response.fp.readline().decode().rstrip("\r\n")
            if line.startswith("event: "):
                event = line.removeprefix("event: ")
            elif line.startswith("data: ") and event == "ticket":
                return dict(json.loads(line.removeprefix("data: ")))
        raise AssertionError("no ticket event")

    def close(self) -> None:
        self.connection.close()


def test_browser_streams_on_every_process_follow_the_leader_publications(server: Server) -> None:
    officer = Officer(server.http_port, server.site.token)
    try:
        issued = officer.post("tickets", {"service": "walkin"})
        streams = [TicketStream(server.http_port, issued["token"]) for _ in range(STREAMS)]
        try:
            firsts = [stream.next_ticket() for stream in streams]
            assert all(first == firsts[0] for first in firsts)
            # A call anywhere in the queue changes this ticket's place: each stream, on the
            # leader or a follower (its hub mirrors the leader's messages), says so.
            officer.post("counters/cs-1/open")  # (already open when the earlier tests ran)
            officer.post("counters/cs-1/call-next")
            changed = [stream.next_ticket() for stream in streams]
            assert all(update != firsts[0] for update in changed)
            officer.post("counters/cs-1/finish")
        finally:
            for stream in streams:
                stream.close()
    finally:
        officer.close()


def test_followers_stop_when_the_leader_is_killed(server: Server) -> None:
    """The last test on each server: it kills the leader."""
    followers = followers_of(server.process.pid)
    assert len(followers) == server.processes - 1
    server.process.send_signal(signal.SIGKILL)
    server.process.wait(timeout=10)
    folder = server.site.folder
    broker = folder / "mqtt" if "sqlite" in server.site.database_url else folder / "var" / "mqtt"
    stop_orphan(broker)  # what the next `antre serve` on this folder would do
    deadline = time.monotonic() + LOG_S
    while any(_running(pid) for pid in followers):
        assert time.monotonic() < deadline, "a follower outlived its leader"
        time.sleep(0.2)


def _running(pid: int) -> bool:
    """Whether ``pid`` still runs (a zombie waiting to be reaped does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"
