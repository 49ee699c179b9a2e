"""``antre serve`` and notifications: with a provider configured (a real loopback webhook)
the worker runs and sends what was queued, then stops with the server; unusable settings
stop the start, naming the variable and nothing else."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

from queue_server.mqtt.broker import free_port
from queue_server.notify import queue
from queue_server.notify.messages import Message, Template
from queue_server.persistence.db import open_database
from queue_server.persistence.models import NotificationRow
from tests.cli.test_serve_operations import serve_without_mqtt
from tests.mqtt.test_serve_mqtt import ROOT, antre, wait_for_http
from tests.notify.provider import running_provider
from tests.support.offices import always_open_office

PHONE_DIGITS = "81234567890"
SECRET = "webhook-secret"
WAIT_S = 30.0


def queue_one(database: Path) -> None:
    db = open_database(f"sqlite:///{database}")
    try:
        with db.writer() as session, session.begin():
            queue.enqueue(
                session,
                Message(
                    "0812-3456-7890", Template.NUMBER_NEAR, "en", {"number": "A-1", "away": "2"}
                ),
                idempotency_key="visit-1:near",
                hash_key=b"test",
                now=datetime.now(UTC),
            )
    finally:
        db.dispose()


def statuses(database: Path) -> list[str]:
    db = open_database(f"sqlite:///{database}")
    try:
        with db.reader() as session:
            return [row.status for row in session.query(NotificationRow)]
    finally:
        db.dispose()


def test_serve_with_a_provider_sends_the_queue_and_stops_the_worker(tmp_path: Path) -> None:
    database = tmp_path / "antre.db"
    antre("office", "load", str(always_open_office(tmp_path)), "--db", str(database))
    queue_one(database)
    port = free_port()
    log = tmp_path / "serve.log"
    with running_provider() as provider:
        provider.reset(secret=SECRET.encode())
        env = {
            **os.environ,
            "ANTRE_NOTIFY_PROVIDER": "webhook",
            "ANTRE_NOTIFY_URL": provider.url + "/webhook",
            "ANTRE_NOTIFY_SECRET": SECRET,
        }
        command = serve_without_mqtt(str(database), port)
        with log.open("w") as output:
            server = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
            )
            try:
                wait_for_http(port)
                deadline = time.monotonic() + WAIT_S
                while not provider.delivered and time.monotonic() < deadline:
                    time.sleep(0.1)
            finally:
                server.send_signal(signal.SIGTERM)
                server.wait(timeout=30)
        assert len(provider.delivered) == 1 and provider.bad_signatures == 0
    assert statuses(database) == ["sent"]
    text = log.read_text()
    assert "sends through the webhook provider" in text
    assert "notifications: the worker stopped" in text
    assert PHONE_DIGITS not in text and SECRET not in text


def test_unusable_notification_settings_stop_the_start(tmp_path: Path) -> None:
    database = str(tmp_path / "antre.db")
    antre("office", "load", str(always_open_office(tmp_path)), "--db", database)
    env = {**os.environ, "ANTRE_NOTIFY_PROVIDER": "webhook", "ANTRE_NOTIFY_URL": "http://h/x"}
    result = subprocess.run(
        serve_without_mqtt(database, free_port()),
        cwd=ROOT,
        env={key: value for key, value in env.items() if key != "ANTRE_NOTIFY_SECRET"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "ANTRE_NOTIFY_SECRET" in result.stderr and "tidak dapat digunakan" in result.stderr
    assert "serving on" not in result.stderr
