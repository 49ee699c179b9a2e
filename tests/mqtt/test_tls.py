"""The managed broker's TLS listener, with a self-signed certificate made by openssl."""

from __future__ import annotations

import json
import os
import queue
import socket
import ssl
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest

from queue_server.mqtt.broker import MosquittoProcess, TlsListener, free_port, write_config
from queue_server.mqtt.tls import given_listener, self_signed_listener
from tests.mqtt.live import new_client
from tests.mqtt.test_broker import DISPLAY, KIOSK, OFFICE, SERVER, TIMEOUT_S, Device
from tests.mqtt.test_serve_mqtt import ROOT, antre, wait_for_http
from tests.support.offices import always_open_office

STATUS = f"antre/v1/{OFFICE}/device/kiosk-1/status"


@pytest.fixture
def tls_broker() -> Iterator[MosquittoProcess]:
    with tempfile.TemporaryDirectory(prefix="antre-mqtt-") as folder:
        os.chmod(folder, 0o755)
        broker_folder = Path(folder) / "mqtt"
        listener = self_signed_listener(broker_folder, port=free_port(), host="127.0.0.1")
        with MosquittoProcess(
            broker_folder,
            office=OFFICE,
            accounts=[SERVER, KIOSK, DISPLAY],
            port=free_port(),
            tls=listener,
        ) as broker:
            yield broker


def tls_port(broker: MosquittoProcess) -> int:
    assert broker.tls is not None
    return broker.tls.port


def connect_events(client: mqtt.Client, port: int) -> Any:
    """The first thing that happens after connecting: ("connect", reason) or ("disconnect", …)."""
    events: queue.Queue[tuple[str, Any]] = queue.Queue()
    client.on_connect = lambda _c, _u, _f, reason, _p: events.put(("connect", reason))
    client.on_disconnect = lambda _c, _u, _f, reason, _p: events.put(("disconnect", reason))
    try:
        client.connect("127.0.0.1", port, keepalive=5)
    except (OSError, ssl.SSLError) as error:
        return ("refused", error)
    client.loop_start()
    try:
        return events.get(timeout=TIMEOUT_S)
    finally:
        client.disconnect()
        client.loop_stop()


def test_a_device_publishes_its_status_over_tls(tls_broker: MosquittoProcess) -> None:
    assert tls_broker.tls is not None
    listener = Device(tls_broker.port, SERVER)  # the server stays on the plain loopback port
    kiosk = new_client("kiosk-1", KIOSK.username, KIOSK.password)
    kiosk.tls_set(ca_certs=str(tls_broker.tls.cert_file))  # checks the name 127.0.0.1 too
    acks: queue.Queue[Any] = queue.Queue()
    kiosk.on_publish = lambda _c, _u, _mid, reason, _p: acks.put(reason)
    try:
        listener.subscribe(STATUS)
        kiosk.connect("127.0.0.1", tls_port(tls_broker), keepalive=5)
        kiosk.loop_start()
        kiosk.publish(STATUS, b'{"state": "online"}', qos=1)
        assert not acks.get(timeout=TIMEOUT_S).is_failure
        assert listener.inbox.get(timeout=TIMEOUT_S).payload == b'{"state": "online"}'
        assert isinstance(kiosk.socket(), ssl.SSLSocket)
        assert kiosk.socket().version() in {"TLSv1.2", "TLSv1.3"}  # type: ignore[union-attr]
    finally:
        kiosk.disconnect()
        kiosk.loop_stop()
        listener.close()


def test_plain_mqtt_on_the_tls_port_gets_nowhere(tls_broker: MosquittoProcess) -> None:
    plain = new_client("kiosk-1", KIOSK.username, KIOSK.password)
    kind, reason = connect_events(plain, tls_port(tls_broker))
    assert kind != "connect" or reason.is_failure, (kind, reason)


def test_only_clients_trusting_the_certificate_get_through(tls_broker: MosquittoProcess) -> None:
    assert tls_broker.tls is not None
    with pytest.raises(ssl.SSLCertVerificationError):
        handshake(ssl.create_default_context(), tls_port(tls_broker))  # system CAs only
    trusting = ssl.create_default_context(cafile=str(tls_broker.tls.cert_file))
    trusting.maximum_version = ssl.TLSVersion.TLSv1_2  # the oldest version still accepted
    assert handshake(trusting, tls_port(tls_broker)) == "TLSv1.2"


def handshake(context: ssl.SSLContext, port: int) -> str | None:
    with (
        socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT_S) as raw,
        context.wrap_socket(raw, server_hostname="127.0.0.1") as wrapped,
    ):
        return wrapped.version()


def test_wrong_password_over_tls_is_refused(tls_broker: MosquittoProcess) -> None:
    assert tls_broker.tls is not None
    intruder = new_client("kiosk-1", KIOSK.username, "wrong")
    intruder.tls_set(ca_certs=str(tls_broker.tls.cert_file))
    kind, reason = connect_events(intruder, tls_port(tls_broker))
    assert kind == "connect" and reason.is_failure


def test_the_certificate_is_made_once_and_reused(tmp_path: Path) -> None:
    first = self_signed_listener(tmp_path, port=8883, host="192.168.1.10")
    made = first.cert_file.read_bytes()
    again = self_signed_listener(tmp_path, port=8883, host="192.168.1.10")
    assert again.cert_file.read_bytes() == made
    assert first.key_file.stat().st_mode & 0o077 == 0
    names = subprocess.run(
        ["openssl", "x509", "-noout", "-ext", "subjectAltName", "-in", str(first.cert_file)],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout
    assert "IP Address:192.168.1.10" in names and "DNS:localhost" in names


def test_a_given_certificate_is_copied_beside_the_broker(tmp_path: Path) -> None:
    made = self_signed_listener(tmp_path / "elsewhere", port=8883, host="0.0.0.0")
    given = given_listener(
        tmp_path / "mqtt", cert_file=made.cert_file, key_file=made.key_file, port=8884, host="::"
    )
    assert given.cert_file.parent == tmp_path / "mqtt" / "tls"
    assert given.key_file.read_bytes() == made.key_file.read_bytes()


def test_the_plain_listener_stays_on_loopback_while_tls_serves_the_lan(tmp_path: Path) -> None:
    listener = TlsListener(port=8883, cert_file=tmp_path / "c", key_file=tmp_path / "k")
    config = write_config(tmp_path, port=1883, tls=listener).read_text().splitlines()
    assert "listener 1883 127.0.0.1" in config
    tls_block = config[config.index("listener 8883 0.0.0.0") :]
    assert (
        tls_block[1:]
        == [
            f"certfile {tmp_path / 'c'}",
            f"keyfile {tmp_path / 'k'}",
            "tls_version tlsv1.2",
            "require_certificate false",
            "",
        ][: len(tls_block) - 1]
    )


def test_antre_serve_with_mqtt_tls_answers_a_kiosk_over_tls(tmp_path: Path) -> None:
    database = str(tmp_path / "antre.db")
    antre("office", "load", str(always_open_office(tmp_path)), "--db", database)
    added = antre(
        "device", "add", "kiosk-1", "--kind", "kiosk", "--office", OFFICE, "--db", database
    )
    password = next(line.split()[2] for line in added.splitlines() if "MQTT password:" in line)
    http_port, tls_port_number = free_port(), free_port()
    command = [sys.executable, "-m", "queue_server.cli", "serve", "--db", database]
    command += ["--port", str(http_port), "--mqtt-port", str(free_port()), "--mqtt-tls"]
    command += ["--mqtt-tls-host", "127.0.0.1", "--mqtt-tls-port", str(tls_port_number)]
    with (tmp_path / "serve.log").open("w") as log:
        server = subprocess.Popen(
            command,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for_http(http_port)
            kiosk = new_client("kiosk-1", "kiosk-1", password)
            kiosk.tls_set(ca_certs=str(tmp_path / "mqtt" / "tls" / "broker.crt"))
            answers: queue.Queue[bytes] = queue.Queue()
            kiosk.on_message = lambda _c, _u, message: answers.put(message.payload)
            kiosk.connect("127.0.0.1", tls_port_number, keepalive=5)
            kiosk.loop_start()
            try:
                prefix = f"antre/v1/{OFFICE}/kiosk/kiosk-1"
                kiosk.subscribe(f"{prefix}/response/+", qos=1)
                request = {"transaction": str(uuid.uuid4()), "data": {"service": "walkin"}}
                kiosk.publish(f"{prefix}/request/issue_ticket", json.dumps(request), qos=1)
                answer = json.loads(answers.get(timeout=TIMEOUT_S))
                assert (answer["status"], answer["data"]["label"]) == ("ok", "B-001"), answer
            finally:
                kiosk.disconnect()
                kiosk.loop_stop()
        finally:
            server.terminate()
            server.wait(timeout=30)
