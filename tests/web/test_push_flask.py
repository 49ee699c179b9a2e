"""The stream and pairing endpoints through Flask's test client: no waitress, so the
stream is a generator fed by the hub (the fallback for other WSGI servers)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from queue_server.mqtt.broker import hash_password
from queue_server.protocol import topics
from queue_server.push.hub import PushHub
from queue_server.services.container import Services
from queue_server.services.unit import Actor
from queue_server.web import create_app
from queue_server.web.api_push import PUSH_EXTENSION
from tests.web.conftest import BASE, LOGIN_ATTEMPTS, OFFICE, AuthActions, FakeMonotonic

STREAM = f"{BASE}/stream"
SYSTEM = Actor(name="test")


class Reader:
    """Reads server-sent events from a streamed test-client response."""

    def __init__(self, response: Any) -> None:
        assert response.status_code == 200, response.get_data()
        self.response = response
        self.chunks = iter(response.response)
        self.buffer = b""

    def next(self) -> tuple[str, Any]:
        for _ in range(200):
            if b"\n\n" in self.buffer:
                block, self.buffer = self.buffer.split(b"\n\n", 1)
                if block.startswith(b":"):
                    return ":", block.decode()
                name, data = block.decode().split("\n", 1)
                return name[len("event: ") :], json.loads(data[len("data: ") :])
            self.buffer += next(self.chunks)
        raise AssertionError("no event")

    def close(self) -> None:
        self.response.close()


@pytest.fixture
def hub(app: Flask) -> Iterator[PushHub]:
    built: PushHub = app.extensions[PUSH_EXTENSION]
    yield built
    built.stop()


def test_a_signed_in_stream_gets_snapshot_ready_and_updates(
    client: FlaskClient, auth: AuthActions, hub: PushHub
) -> None:
    hub.publish(topics.board(OFFICE), b'{"seq":1,"counters":[],"serving":[]}', True)
    auth.login("laporan")
    response = client.get(STREAM, buffered=False)
    assert response.mimetype == "text/event-stream"
    assert response.headers["X-Accel-Buffering"] == "no"
    assert "no-cache" in response.headers["Cache-Control"]
    reader = Reader(response)
    first = reader.next()
    assert first == ("state", {"topic": "board", "retained": True,
                               "message": {"seq": 1, "counters": [], "serving": []}})  # fmt: skip
    assert reader.next() == ("ready", {})
    hub.publish(topics.event_called(OFFICE), b'{"id":7,"seq":2}', False)
    assert reader.next() == (
        "state",
        {"topic": "event/called", "retained": False, "message": {"id": 7, "seq": 2}},
    )
    reader.close()


def test_without_sign_in_or_with_a_kiosk_token_there_is_no_stream(
    client: FlaskClient, kiosk: dict[str, str]
) -> None:
    anonymous = client.get(STREAM)
    assert anonymous.status_code == 401
    assert anonymous.get_json()["error"]["code"] == "unauthenticated"
    machine = client.get(STREAM, headers=kiosk)
    assert machine.status_code == 403
    assert set(machine.get_json()["error"]["messages"]) == {"id", "en"}
    assert client.get(STREAM, headers={"Authorization": "Bearer nope"}).status_code == 401


def test_over_the_bound_the_stream_is_refused_with_retry_after(
    services: Services, monotonic: FakeMonotonic
) -> None:
    app = create_app(services=services, monotonic=monotonic, push=PushHub(max_streams=0))
    client = app.test_client()
    auth = AuthActions(client)
    auth.login("petugas")
    refused = client.get(STREAM)
    assert refused.status_code == 503
    assert refused.headers["Retry-After"] == "10"
    assert refused.get_json()["error"]["code"] == "too_many_streams"
    app.extensions[PUSH_EXTENSION].stop()


def add_device(services: Services, device: str, kind: str, counter: str | None = None) -> str:
    password = f"{device}-password"
    services.devices.add(
        OFFICE, device, kind, hash_password(password), actor=SYSTEM, counter=counter
    )
    return password


def test_pairing_a_counter_display_and_ending_it_by_a_reset(
    client: FlaskClient, services: Services, hub: PushHub
) -> None:
    assert client.get("/api/v1/devices/me").status_code == 401
    password = add_device(services, "screen-cs-1", "counter-display", counter="cs-1")
    paired = client.post(
        "/api/v1/devices/pair", json={"device": "screen-cs-1", "password": password}
    )
    assert paired.status_code == 200
    expected = {"device": "screen-cs-1", "kind": "counter-display", "office": OFFICE,
                "counter": "cs-1"}  # fmt: skip
    assert paired.get_json() == expected
    assert client.get("/api/v1/devices/me").get_json() == expected
    hub.publish(topics.config(OFFICE, "counter-display"), b'{"seq":3}', True)
    hub.publish(topics.config(OFFICE, "display"), b'{"seq":4}', True)
    reader = Reader(client.get(STREAM, buffered=False))
    assert reader.next() == (
        "state",
        {"topic": "config/counter-display", "retained": True, "message": {"seq": 3}},
    )
    assert reader.next() == ("ready", {})
    reader.close()
    other = client.get("/api/v1/offices/kanim-lain/stream")
    assert other.status_code == 403
    services.devices.reset("screen-cs-1", hash_password("new-password"), actor=SYSTEM)
    assert client.get("/api/v1/devices/me").status_code == 401
    assert client.get(STREAM).status_code == 401


def test_pairing_is_refused_for_kiosks_wrong_passwords_and_too_many_tries(
    client: FlaskClient, services: Services
) -> None:
    password = add_device(services, "kiosk-5", "kiosk")
    kiosk = client.post("/api/v1/devices/pair", json={"device": "kiosk-5", "password": password})
    assert kiosk.status_code == 403
    assert "antre_device" not in kiosk.headers.get("Set-Cookie", "")
    add_device(services, "lobby-1", "display")
    for _ in range(LOGIN_ATTEMPTS):
        wrong = client.post("/api/v1/devices/pair", json={"device": "lobby-1", "password": "x"})
        assert wrong.status_code == 401
        assert wrong.get_json()["error"]["code"] == "wrong_device_password"
    limited = client.post(
        "/api/v1/devices/pair", json={"device": "lobby-1", "password": "lobby-1-password"}
    )
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    unknown = client.post("/api/v1/devices/pair", json={"device": "ghost", "password": "x"})
    assert unknown.status_code == 401
    bad = client.post("/api/v1/devices/pair", json={"device": "Not An Id!", "password": "x"})
    assert bad.status_code == 422


def test_unpairing_forgets_the_browser(client: FlaskClient, services: Services) -> None:
    password = add_device(services, "lobby-2", "display")
    client.post("/api/v1/devices/pair", json={"device": "lobby-2", "password": password})
    assert client.get("/api/v1/devices/me").status_code == 200
    assert client.post("/api/v1/devices/unpair").get_json() == {"ok": True}
    assert client.get("/api/v1/devices/me").status_code == 401


def test_a_forged_device_cookie_is_not_a_pairing(client: FlaskClient, services: Services) -> None:
    add_device(services, "lobby-3", "display")
    client.set_cookie("antre_device", '{"d": "lobby-3"}')
    assert client.get("/api/v1/devices/me").status_code == 401
    assert client.get(STREAM).status_code == 401


def test_the_ticket_stream_starts_with_the_public_status(
    client: FlaskClient, auth: AuthActions, hub: PushHub
) -> None:
    auth.login("petugas")
    issued = auth.post(f"{BASE}/tickets", {"service": "walkin"}).get_json()
    reader = Reader(client.get(f"/api/v1/public/tickets/{issued['token']}/stream", buffered=False))
    name, status = reader.next()
    assert name == "ticket"
    assert status == client.get(issued["status_url"]).get_json()
    reader.close()
    assert client.get("/api/v1/public/tickets/unknown/stream").status_code == 404


def test_the_api_document_names_the_streams_event_streams(client: FlaskClient) -> None:
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/offices/{office}/stream", "/api/v1/public/tickets/{token}/stream"):
        assert list(paths[path]["get"]["responses"]["200"]["content"]) == ["text/event-stream"]
    paired = paths["/api/v1/devices/me"]["get"]["responses"]["200"]["content"]
    assert list(paired) == ["application/json"]


def test_antre_serve_raises_its_open_files_limit_to_the_hard_limit() -> None:
    import resource

    from queue_server.serve import raise_open_files_limit

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        lowered = min(soft, 256)
        resource.setrlimit(resource.RLIMIT_NOFILE, (lowered, hard))
        now = raise_open_files_limit()
        assert resource.getrlimit(resource.RLIMIT_NOFILE)[0] == now
        assert now == (hard if hard != resource.RLIM_INFINITY else max(lowered, 65536))
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_a_request_without_the_pairing_cookie_cannot_unpair(
    client: FlaskClient, services: Services
) -> None:
    # A form posted from another site carries no SameSite=Strict cookie; answering it with
    # a Set-Cookie that clears the pairing would let any web page unpair a screen.
    password = add_device(services, "lobby-4", "display")
    client.post("/api/v1/devices/pair", json={"device": "lobby-4", "password": password})
    stranger = services_client(client)
    refused = stranger.post(
        "/api/v1/devices/unpair", content_type="application/x-www-form-urlencoded"
    )
    assert refused.status_code == 401
    assert refused.get_json()["error"]["code"] == "not_paired"
    assert "antre_device" not in refused.headers.get("Set-Cookie", "")
    assert client.get("/api/v1/devices/me").status_code == 200


def services_client(client: FlaskClient) -> FlaskClient:
    """Another browser of the same application (no cookies)."""
    return client.application.test_client()


def test_a_stream_ends_when_its_session_is_signed_out_or_its_display_reset(
    services: Services, monotonic: FakeMonotonic
) -> None:
    # Before, a stream opened with a session or a pairing kept getting every call for up
    # to an hour after sign-out or `antre device reset`.
    app = create_app(
        services=services, monotonic=monotonic, push=PushHub(recheck_s=0.1, heartbeat_s=0.1)
    )
    hub: PushHub = app.extensions[PUSH_EXTENSION]
    try:
        officer = app.test_client()
        auth = AuthActions(officer)
        auth.login("laporan")
        screen = app.test_client()
        password = add_device(services, "lobby-5", "display")
        screen.post("/api/v1/devices/pair", json={"device": "lobby-5", "password": password})
        readers = [Reader(c.get(STREAM, buffered=False)) for c in (officer, screen)]
        for reader in readers:
            assert reader.next() == ("ready", {})
        auth.logout()
        services.devices.reset("lobby-5", hash_password("new-password"), actor=SYSTEM)
        for reader in readers:
            with pytest.raises(StopIteration):  # the hub closed it: the body ends
                for _ in range(100):
                    reader.next()
    finally:
        hub.stop()
