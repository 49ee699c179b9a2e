"""Browser push through a real waitress server on loopback, with real SSE clients:
the connection is handed to the hub (no worker thread stays busy), the reach is narrow."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from waitress.buffers import OverflowableBuffer

from queue_server.domain.ids import Role
from queue_server.mqtt.broker import hash_password
from queue_server.mqtt.publisher import StatePublisher
from queue_server.mqtt.runtime import start_publisher_without_broker
from queue_server.protocol import topics
from queue_server.push.hub import PushHub
from queue_server.serve import http_server
from queue_server.services.container import Services
from queue_server.services.offices import store_office
from queue_server.services.unit import Actor
from queue_server.web import create_app
from queue_server.web.api_push import ticket_status_json
from queue_server.web.waitress_channel import (
    STREAM_SHARE_ATTRIBUTE,
    AddressShare,
    ChannelConnection,
)
from tests.services.clock import MONDAY_10_WITA
from tests.web.conftest import BASE, OFFICE, PASSWORDS, FakeMonotonic, office_settings
from tests.web.sse import SseClient

STREAM = f"{BASE}/stream"
SYSTEM = Actor(name="test")


class Server:
    def __init__(self, services: Services, monotonic: FakeMonotonic) -> None:
        self.hub = PushHub(ticket_status=ticket_status_json(services), ticket_every_s=0.2)
        self.app: Flask = create_app(services=services, monotonic=monotonic, push=self.hub)
        self.hub.start()
        self.publisher: StatePublisher = start_publisher_without_broker(services, self.hub.publish)
        self.server = http_server(self.app, host="127.0.0.1", port=0, threads=2, per_address=64)
        self.port = int(self.server.effective_port)
        self.clients: list[SseClient] = []
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        last = topics.queue_state(OFFICE, "walkin")  # the start-up refresh's last topic
        deadline = time.monotonic() + 10
        while self.hub.retained(last) is None and time.monotonic() < deadline:
            time.sleep(0.01)

    def sse(self, path: str, headers: dict[str, str] | None = None) -> SseClient:
        client = SseClient(self.port, path, headers=headers)
        self.clients.append(client)
        return client

    def stop(self) -> None:
        for client in self.clients:
            client.close()
        self.publisher.stop()
        self.hub.stop()
        self.server.task_dispatcher.shutdown(timeout=2)
        for channel in list(self.server._map.values()):
            channel.close()
        self.thread.join(timeout=5)

    def request(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, Any, http.client.HTTPResponse]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            data = None if body is None else json.dumps(body)
            sent = {"Content-Type": "application/json", **(headers or {})}
            connection.request(method, path, body=data, headers=sent)
            response = connection.getresponse()
            raw = response.read()
            return response.status, json.loads(raw) if raw else None, response
        finally:
            connection.close()


class Session:
    """A signed-in browser: its cookie and CSRF token."""

    def __init__(self, server: Server, username: str, password: str) -> None:
        self.server = server
        status, body, response = server.request(
            "POST", "/api/v1/auth/login", {"username": username, "password": password}
        )
        assert status == 200, body
        self.cookie = response.getheader("Set-Cookie", "").split(";", 1)[0]
        self.csrf = body["csrf_token"]

    def post(self, path: str, body: Any = None) -> Any:
        status, answer, _ = self.server.request(
            "POST", path, body or {}, {"Cookie": self.cookie, "X-CSRF-Token": self.csrf}
        )
        assert status == 200, answer
        return answer

    def stream(self, path: str = STREAM) -> SseClient:
        return self.server.sse(path, headers={"Cookie": self.cookie})


@pytest.fixture
def server(services: Services, monotonic: FakeMonotonic) -> Iterator[Server]:
    running = Server(services, monotonic)
    yield running
    running.stop()


def topic_of(event: Any) -> str:
    return str(event.json()["topic"])


def test_snapshot_then_a_call_reaches_the_console(server: Server) -> None:
    officer = Session(server, "petugas", PASSWORDS["petugas"])
    stream = officer.stream()
    assert stream.status == 200
    assert stream.headers["content-type"].startswith("text/event-stream")
    assert stream.headers["x-accel-buffering"] == "no"
    snapshot = {topic_of(event) for event in stream.snapshot()}
    assert {"board", "config/display", "counter/cs-1/state", "queue/walkin/state"} <= snapshot
    assert not {topic for topic in snapshot if topic.startswith("config/kiosk")}
    issued = officer.post(f"{BASE}/tickets", {"service": "walkin"})
    officer.post(f"{BASE}/counters/cs-1/open")
    officer.post(f"{BASE}/counters/cs-1/call-next")
    # The call and a board showing it, in either order: a board built for the earlier
    # "open" reads the database when it is built, and may already show the call.
    seen: dict[str, Any] = {}

    def call_and_board(event: Any) -> bool:
        if event.name != "state":
            return False
        topic = topic_of(event)
        if topic == "event/called":
            seen["called"] = event.json()
        elif topic == "board":
            rows = event.json()["message"]["counters"]
            if issued["label"] in {row["ticket_label"] for row in rows}:
                seen["board"] = event
        return {"called", "board"} <= seen.keys()

    stream.until(call_and_board)
    message = seen["called"]
    assert message["retained"] is False
    assert message["message"]["ticket"] == issued["label"]
    assert message["message"]["counter"] == "cs-1"
    stream.close()


def test_a_user_of_another_office_is_refused(server: Server, services: Services) -> None:
    settings = office_settings()
    settings["office"]["id"] = "kanim-lain"
    with services.database.writer() as session, session.begin():
        store_office(session, settings, now=MONDAY_10_WITA)
    services.accounts.create_user(
        "petugas-lain", "Lain", "petugas-lain-password-1", Role.PETUGAS,
        actor=SYSTEM, offices=["kanim-lain"],
    )  # fmt: skip
    other = Session(server, "petugas-lain", "petugas-lain-password-1")
    refused = other.stream()
    assert refused.status == 403
    assert refused.body()["error"]["code"] == "office_forbidden"
    own = other.stream("/api/v1/offices/kanim-lain/stream")
    assert own.status == 200 and own.snapshot() is not None
    unknown = Session(server, "admin", PASSWORDS["admin"]).stream("/api/v1/offices/nowhere/stream")
    assert unknown.status == 404
    anonymous = server.sse(STREAM)
    assert anonymous.status == 401


def test_a_kiosk_token_is_refused(server: Server, services: Services) -> None:
    token = services.accounts.create_token("kiosk-1", Role.KIOSK, actor=SYSTEM)
    refused = server.sse(STREAM, {"Authorization": f"Bearer {token}"})
    assert refused.status == 403
    assert set(refused.body()["error"]["messages"]) == {"id", "en"}


def pair(server: Server, services: Services, device: str, kind: str) -> str:
    services.devices.add(OFFICE, device, kind, hash_password(f"{device}-pw"), actor=SYSTEM)
    status, body, response = server.request(
        "POST", "/api/v1/devices/pair", {"device": device, "password": f"{device}-pw"}
    )
    assert status == 200, body
    assert body == {"device": device, "kind": kind, "office": OFFICE, "counter": None}
    cookie = response.getheader("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    return cookie.split(";", 1)[0]


def test_a_paired_display_gets_only_its_topics(server: Server, services: Services) -> None:
    cookie = pair(server, services, "counter-screen-1", "counter-display")
    stream = server.sse(STREAM, {"Cookie": cookie})
    assert stream.status == 200
    snapshot = {topic_of(event) for event in stream.snapshot()}
    assert "config/counter-display" in snapshot and "board" in snapshot
    assert not {"config/display", "config/kiosk"} & snapshot
    status, me, _ = server.request("GET", "/api/v1/devices/me", headers={"Cookie": cookie})
    assert (status, me["device"]) == (200, "counter-screen-1")
    services.devices.add(OFFICE, "kiosk-9", "kiosk", hash_password("kiosk-9-pw"), actor=SYSTEM)
    status, body, _ = server.request(
        "POST", "/api/v1/devices/pair", {"device": "kiosk-9", "password": "kiosk-9-pw"}
    )
    assert status == 403 and body["error"]["code"] == "device_kind_refused"
    status, body, _ = server.request(
        "POST", "/api/v1/devices/pair", {"device": "counter-screen-1", "password": "wrong"}
    )
    assert status == 401 and set(body["error"]["messages"]) == {"id", "en"}


def test_streams_do_not_hold_worker_threads(server: Server) -> None:
    officer = Session(server, "petugas", PASSWORDS["petugas"])
    # 2 worker threads; 70 streams from one address, beyond its 64 connections: a stream
    # leaves the address's share of connections for its share of streams
    streams = [officer.stream() for _ in range(70)]
    for stream in streams:
        assert stream.status == 200
        stream.snapshot()
    started = time.monotonic()
    status, body, _ = server.request("GET", "/api/v1/offices")
    assert status == 200 and body["items"]
    assert time.monotonic() - started < 5
    assert server.hub.open_streams == 70
    for stream in streams:
        stream.close()


def test_an_address_over_its_share_of_streams_gets_503(server: Server) -> None:
    setattr(server.server, STREAM_SHARE_ATTRIBUTE, AddressShare(2))
    officer = Session(server, "petugas", PASSWORDS["petugas"])
    first, second = officer.stream(), officer.stream()
    assert (first.status, second.status) == (200, 200)
    first.snapshot()  # "ready" comes once the stream was handed over (and counted)
    second.snapshot()
    third = officer.stream()
    assert third.status == 503 and third.headers["retry-after"] == "10"
    assert third.body()["error"]["code"] == "too_many_streams"
    other = SseClient(server.port, STREAM, headers={"Cookie": officer.cookie}, source="127.0.0.2")
    server.clients.append(other)
    assert other.status == 200  # another address has its own share


def test_a_closed_client_is_forgotten(server: Server) -> None:
    officer = Session(server, "petugas", PASSWORDS["petugas"])
    stream = officer.stream()
    stream.snapshot()
    assert server.hub.open_streams == 1
    stream.close()
    deadline = time.monotonic() + 10
    while server.hub.open_streams and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.hub.open_streams == 0


def test_a_phone_follows_its_ticket(server: Server) -> None:
    officer = Session(server, "petugas", PASSWORDS["petugas"])
    issued = officer.post(f"{BASE}/tickets", {"service": "walkin"})
    phone = server.sse(f"/api/v1/public/tickets/{issued['token']}/stream")
    first = phone.next_event()
    assert first.name == "ticket" and first.json()["status"] == "waiting"
    _, polled, _ = server.request("GET", issued["status_url"])
    assert first.json() == polled
    officer.post(f"{BASE}/counters/cs-1/open")
    officer.post(f"{BASE}/counters/cs-1/call-next")
    called = phone.until(lambda event: event.name == "ticket")
    assert called.json()["status"] == "called"
    assert called.json()["counter"] is not None
    missing = server.sse("/api/v1/public/tickets/no-such-token/stream")
    assert missing.status == 404


def held_bytes(channel: Any) -> int:
    """What a channel's output buffers keep in memory, sent or not."""
    held = 0
    for buffer in channel.outbufs:
        inner = getattr(buffer, "buf", None)
        file = getattr(inner, "file", None)
        held += len(file.getbuffer()) if file is not None else len(buffer.strbuf)
    return held


def test_a_long_stream_does_not_keep_what_it_sent(server: Server) -> None:
    officer = Session(server, "petugas", PASSWORDS["petugas"])
    stream = officer.stream()
    stream.snapshot()
    filler = "x" * 8000
    for batch in range(30):  # 2.4 MB through one connection, read as it comes
        for n in range(batch * 10, batch * 10 + 10):
            payload = json.dumps({"seq": n, "n": n, "filler": filler}).encode()
            server.hub.publish(topics.board(OFFICE), payload, True)
        last = stream.until(
            lambda event, n=n: event.name == "state" and event.json()["message"].get("n") == n,
            limit=40,
        )
        assert last.json()["topic"] == "board"
    channels = [
        channel for channel in server.server._map.values() if getattr(channel, "stream", None)
    ]
    assert len(channels) == 1
    assert held_bytes(channels[0]) < 200_000


def test_a_client_that_stops_reading_is_dropped(server: Server) -> None:
    officer = Session(server, "petugas", PASSWORDS["petugas"])
    reader, stalled = officer.stream(), officer.stream()
    reader.snapshot()
    stalled.snapshot()
    stalled.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    filler = "x" * 8000
    deadline = time.monotonic() + 20
    n = 0
    while server.hub.open_streams > 1 and time.monotonic() < deadline:
        for _ in range(10):
            n += 1
            payload = json.dumps({"seq": n, "n": n, "filler": filler}).encode()
            server.hub.publish(topics.board(OFFICE), payload, True)
        reader.until(
            lambda event, n=n: event.name == "state" and event.json()["message"].get("n") == n,
            limit=40,
        )
    assert server.hub.open_streams == 1  # the reader is still served
    assert n * len(filler) > 256 * 1024


def test_head_answers_the_headers_without_a_stream(server: Server) -> None:
    officer = Session(server, "petugas", PASSWORDS["petugas"])
    status, _, response = server.request("HEAD", STREAM, headers={"Cookie": officer.cookie})
    assert status == 200
    assert (response.getheader("Content-Type") or "").startswith("text/event-stream")
    assert server.hub.open_streams == 0


def test_a_request_pipelined_after_a_stream_is_not_answered_into_it(server: Server) -> None:
    officer = Session(server, "petugas", PASSWORDS["petugas"])
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as raw:
        request = f"GET {STREAM} HTTP/1.1\r\nHost: x\r\nCookie: {officer.cookie}\r\n\r\n"
        raw.sendall((request + "GET /api/v1/offices HTTP/1.1\r\nHost: x\r\n\r\n").encode())
        received = b""
        deadline = time.monotonic() + 10
        while b"event: ready" not in received and time.monotonic() < deadline:
            received += raw.recv(65536)
        assert b"event: ready" in received
        assert received.count(b"HTTP/1.1 ") == 1
        assert b'"items"' not in received


def test_a_client_that_stops_reading_is_dropped_before_the_kernel_holds_megabytes(
    server: Server,
) -> None:
    # The kernel grows a socket's send buffer up to 4 MiB: a stalled client took about
    # 920 KB of calls (all of them) in the hostile review without being dropped, and
    # 1,000 such clients could pin gigabytes of kernel memory. A stream's socket now has
    # a small send buffer, so the hub's 256 KiB limit drops it soon after.
    officer = Session(server, "petugas", PASSWORDS["petugas"])
    reader, stalled = officer.stream(), officer.stream()
    reader.snapshot()
    stalled.snapshot()
    stalled.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    filler = "x" * 8000
    n = 0
    while server.hub.open_streams > 1 and n < 200:  # 200 × 8 KB: 1.6 MB at most
        for _ in range(5):
            n += 1
            payload = json.dumps({"seq": n, "n": n, "filler": filler}).encode()
            server.hub.publish(topics.board(OFFICE), payload, True)
        reader.until(
            lambda event, n=n: event.name == "state" and event.json()["message"].get("n") == n,
            limit=40,
        )
    assert server.hub.open_streams == 1, f"still open after {n * len(filler)} bytes"
    assert n * len(filler) < 640 * 1024


class ClosingChannel:
    """A waitress channel that the main loop closes between the connection's first look
    and its taking the buffer lock (handle_close closes the buffers, then disconnects)."""

    def __init__(self) -> None:
        self.will_close = False
        self.outbuf_lock = threading.Condition()
        self.outbufs = [OverflowableBuffer(1 << 20)]
        self.outbufs[0].close()
        self.total_outbufs_len = self.current_outbuf_count = 0
        self.looks = 0
        self.server = object()

    @property
    def connected(self) -> bool:
        self.looks += 1
        return self.looks == 1  # still connected at the first look only


def test_a_channel_closed_while_written_to_refuses_the_bytes() -> None:
    # Seen in the hostile review: appending to a buffer waitress had just closed raised
    # "I/O operation on closed file" in the hub's thread.
    connection = ChannelConnection(ClosingChannel(), chunked=True)
    assert connection.send(b"event: ready") is False
