"""One ``antre serve`` carries every office of its database over one broker, and
``/healthz`` tells when the MQTT link is down."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import yaml

from queue_server.mqtt.broker import free_port
from queue_server.web.app import create_app
from tests.mqtt.live import LiveServer, wait_until
from tests.mqtt.test_serve_mqtt import (
    ROOT,
    add_kiosk,
    antre,
    issue,
    serve_command,
    wait_for_http,
)
from tests.support.offices import always_open_office


def second_office(folder: Path) -> Path:
    """The always-open test office under another id."""
    settings = yaml.safe_load(always_open_office(folder).read_text())
    settings["office"]["id"] = "kanim-kedua"
    settings["office"]["name"] = "Kantor Imigrasi Kedua"
    path = folder / "second.yaml"
    path.write_text(yaml.safe_dump(settings))
    return path


def test_two_offices_in_one_database_are_both_served(tmp_path: Path) -> None:
    database = str(tmp_path / "antre.db")
    antre("office", "load", str(always_open_office(tmp_path)), "--db", database)
    antre("office", "load", str(second_office(tmp_path)), "--db", database)
    first = add_kiosk(database, "kiosk-pertama", "kanim-test")
    second = add_kiosk(database, "kiosk-kedua", "kanim-kedua")
    http_port, mqtt_port = free_port(), free_port()
    with (tmp_path / "serve.log").open("w") as log:
        server = subprocess.Popen(
            serve_command(database, http_port, mqtt_port), cwd=ROOT, stdout=log, stderr=log
        )
        try:
            wait_for_http(http_port)
            answers = [
                issue(mqtt_port, "kanim-test", "kiosk-pertama", first),
                issue(mqtt_port, "kanim-kedua", "kiosk-kedua", second),
            ]
            # A state follows its commit by up to publisher.STATE_EVERY_S (more on a busy
            # machine): read it again until it shows the ticket, for 10 s at most.
            own, deadline = "", time.monotonic() + 10
            while time.monotonic() < deadline:
                own = retained(mqtt_port, "kiosk-pertama", first, "kanim-test")
                if own and json.loads(own)["waiting"] == 1:
                    break
                time.sleep(0.05)
            other = retained(mqtt_port, "kiosk-pertama", first, "kanim-kedua")
        finally:
            server.terminate()
            server.wait(timeout=30)
    assert [answer["status"] for answer in answers] == ["ok", "ok"]
    assert all(answer["data"]["label"] == "B-001" for answer in answers)  # type: ignore[index]
    assert json.loads(own)["waiting"] == 1  # each office's queue state is published
    assert other == ""  # and a kiosk reads only its own office's topics


def retained(mqtt_port: int, device: str, password: str, office: str) -> str:
    """The retained walk-in queue state of ``office`` as ``device`` may read it ("" if not)."""
    credentials = ["-h", "127.0.0.1", "-p", str(mqtt_port), "-u", device, "-P", password]
    topic = f"antre/v1/{office}/queue/walkin/state"
    result = subprocess.run(
        ["mosquitto_sub", *credentials, "-V", "mqttv5", "-t", topic, "-C", "1", "-W", "3"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    return result.stdout.strip()


def test_health_is_unavailable_while_the_mqtt_link_is_down(live: LiveServer) -> None:
    runtime = live.start()
    client = create_app(live.config, services=live.services, mqtt_health=runtime.health)
    client_app = client.test_client()
    answer = client_app.get("/healthz")
    assert answer.status_code == 200
    healthy = dict.fromkeys(("database", "broker", "mqtt", "outbox"), "ok")
    assert answer.get_json()["checks"] == healthy
    assert runtime.broker is not None
    runtime.broker.supervisor.stop()  # no restart: the broker stays away
    runtime.broker.process.stop()
    assert wait_until(lambda: not runtime.client.connected.is_set())

    answer = client_app.get("/healthz")

    assert answer.status_code == 503
    assert answer.get_json()["status"] == "unavailable"
    down = {"database": "ok", "broker": "down", "mqtt": "down", "outbox": "ok"}
    assert answer.get_json()["checks"] == down
