"""A change made over the configuration API reaches the kiosks' retained ``config/kiosk``
without a restart."""

from __future__ import annotations

import copy
import json
import queue
from typing import Any

import paho.mqtt.client as mqtt
from flask.testing import FlaskClient

from queue_server.bootstrap import load_office
from queue_server.domain.ids import Role
from queue_server.persistence.models import OfficeRow
from queue_server.services.unit import Actor
from queue_server.web.app import create_app
from tests.mqtt.live import PREFIX, WAIT_S, LiveServer, new_client

ADMIN_PASSWORD = "Kuat-sekali-admin-1"
NEW_NAME = {"id": "Paspor tanpa janji (baru)", "en": "Passport walk-in (new)"}


def walkin_name(payload: bytes) -> Any:
    config = json.loads(payload)
    return {service["id"]: service for service in config["services"]}["walkin"]["name"]


def start_with_an_admin_and_a_kiosk(
    live: LiveServer,
) -> tuple[str, mqtt.Client, queue.Queue[bytes]]:
    """Start the server with an admin and kiosk-1 subscribed to ``config/kiosk``: the kiosk's
    password, its connected client and the payloads it receives."""
    password = live.add_device("kiosk-1")
    live.services.accounts.create_user(
        "admin", "Admin", ADMIN_PASSWORD, Role.ADMIN, actor=Actor(name="test")
    )
    live.start()
    inbox: queue.Queue[bytes] = queue.Queue()
    kiosk = new_client("kiosk-1", "kiosk-1", password)
    kiosk.on_connect = lambda client, *_args: client.subscribe(f"{PREFIX}/config/kiosk", qos=1)
    kiosk.on_message = lambda _c, _u, message: inbox.put(bytes(message.payload))
    kiosk.connect("127.0.0.1", live.port, keepalive=5)
    kiosk.loop_start()
    return password, kiosk, inbox


def signed_in_admin(live: LiveServer) -> tuple[FlaskClient, str]:
    """A test client of the live server's app signed in as the admin, and its CSRF token."""
    client = create_app(live.config, services=live.services).test_client()
    login = client.post(
        "/api/v1/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD}
    )
    return client, str(login.get_json()["csrf_token"])


def test_a_renamed_service_reaches_the_retained_kiosk_config(live: LiveServer) -> None:
    password, kiosk, inbox = start_with_an_admin_and_a_kiosk(live)
    try:
        assert walkin_name(inbox.get(timeout=WAIT_S))["en"] == "Passport walk-in"
        client, csrf = signed_in_admin(live)
        config = client.get("/api/v1/offices/kanim-test/config")
        settings = config.get_json()["settings"]
        for service in settings["services"]:
            if service["id"] == "walkin":
                service["name_id"], service["name_en"] = NEW_NAME["id"], NEW_NAME["en"]
        changed = client.put(
            "/api/v1/offices/kanim-test/config/services",
            json={"version": config.get_json()["version"], "value": settings["services"]},
            headers={"X-CSRF-Token": csrf},
        )
        assert changed.status_code == 200, changed.get_json()
        seen = []
        for _ in range(20):  # bounded: the retained config is published again at once
            seen.append(walkin_name(inbox.get(timeout=WAIT_S)))
            if seen[-1] == NEW_NAME:
                break
        assert seen[-1] == NEW_NAME, seen
    finally:
        kiosk.disconnect()
        kiosk.loop_stop()
    # a kiosk connecting now gets the new configuration as the retained message
    late: queue.Queue[mqtt.MQTTMessage] = queue.Queue()
    fresh = new_client("kiosk-1b", "kiosk-1", password)
    fresh.on_connect = lambda client, *_args: client.subscribe(f"{PREFIX}/config/kiosk", qos=1)
    fresh.on_message = lambda _c, _u, message: late.put(message)
    fresh.connect("127.0.0.1", live.port, keepalive=5)
    fresh.loop_start()
    try:
        message = late.get(timeout=WAIT_S)
        assert message.retain and walkin_name(message.payload) == NEW_NAME
    finally:
        fresh.disconnect()
        fresh.loop_stop()


def test_an_office_loaded_from_the_command_line_reaches_a_running_server(
    live: LiveServer,
) -> None:
    """`antre office load` runs in its own process: the running server learns of the new
    version through the outbox and publishes the retained config again."""
    password = live.add_device("kiosk-1")
    live.start()
    inbox: queue.Queue[bytes] = queue.Queue()
    kiosk = new_client("kiosk-1", "kiosk-1", password)
    kiosk.on_connect = lambda client, *_args: client.subscribe(f"{PREFIX}/config/kiosk", qos=1)
    kiosk.on_message = lambda _c, _u, message: inbox.put(bytes(message.payload))
    kiosk.connect("127.0.0.1", live.port, keepalive=5)
    kiosk.loop_start()
    try:
        assert walkin_name(inbox.get(timeout=WAIT_S))["en"] == "Passport walk-in"
        with live.services.database.reader() as session:
            settings = copy.deepcopy(session.get(OfficeRow, "kanim-test").settings)  # type: ignore[union-attr]
        for service in settings["services"]:
            if service["id"] == "walkin":
                service["name_id"], service["name_en"] = NEW_NAME["id"], NEW_NAME["en"]
        load_office(live.config, settings)  # what `antre office load FILE` calls
        seen = []
        for _ in range(20):  # bounded
            seen.append(walkin_name(inbox.get(timeout=WAIT_S)))
            if seen[-1] == NEW_NAME:
                break
        assert seen[-1] == NEW_NAME, seen
    finally:
        kiosk.disconnect()
        kiosk.loop_stop()


WALKIN_CONTENT = {
    "requirements_id": ["KTP asli", "Kartu keluarga asli"],
    "requirements_en": ["Original KTP", "Original family card"],
    "info_id": "Datang sebelum pukul 14.00.",
    "info_en": "Come before 2 pm.",
}


def test_saved_kiosk_content_reaches_the_retained_kiosk_config(live: LiveServer) -> None:
    """The admin console's Content form (``PUT config/content``): the kiosks' retained
    ``config/kiosk`` carries the office's own lists and information; displays get no lists."""
    _, kiosk, inbox = start_with_an_admin_and_a_kiosk(live)
    try:
        first = {s["id"]: s for s in json.loads(inbox.get(timeout=WAIT_S))["services"]}
        assert "requirements" not in first["walkin"]  # no content yet: the key is absent
        client, csrf = signed_in_admin(live)
        version = client.get("/api/v1/offices/kanim-test/config").get_json()["version"]
        saved = client.put(
            "/api/v1/offices/kanim-test/config/content",
            json={"version": version, "value": {"services": {"walkin": WALKIN_CONTENT}}},
            headers={"X-CSRF-Token": csrf},
        )
        assert saved.status_code == 200, saved.get_json()
        walkin: dict[str, Any] = {}
        for _ in range(20):  # bounded: the retained config is published again at once
            services = {s["id"]: s for s in json.loads(inbox.get(timeout=WAIT_S))["services"]}
            walkin = services["walkin"]
            if "requirements" in walkin:
                break
        assert walkin["requirements"] == {
            "id": WALKIN_CONTENT["requirements_id"],
            "en": WALKIN_CONTENT["requirements_en"],
        }
        assert walkin["description"] == {
            "id": "Datang sebelum pukul 14.00.",
            "en": "Come before 2 pm.",
        }
        assert all("requirements" not in s for i, s in services.items() if i != "walkin")
        display = live.services.device_config.config("kanim-test", "display")
        assert all(service.requirements is None for service in display.services)
    finally:
        kiosk.disconnect()
        kiosk.loop_stop()
