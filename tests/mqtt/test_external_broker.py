"""An external broker (``--mqtt-url``) set up by the operator with ``antre mqtt acl``."""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import ValidationError

from queue_server.config import ServerConfig
from queue_server.mqtt import commands
from queue_server.mqtt.broker import MosquittoProcess, free_port
from queue_server.mqtt.client import BrokerAddress
from queue_server.mqtt.external import BrokerUrlError, parse_mqtt_url, redacted
from queue_server.mqtt.runtime import start_mqtt
from queue_server.mqtt.tls import self_signed_listener
from tests.mqtt.live import OFFICE, PREFIX, WAIT_S, Kiosk, LiveServer, port_open, wait_until
from tests.mqtt.test_broker import SERVER
from tests.mqtt.test_broker_security import Probe, count_disconnects
from tests.mqtt.test_devices import connect_reason

SERVER_PASSWORD = "server-pw-1"


def test_broker_urls() -> None:
    assert parse_mqtt_url("mqtt://antre:p%40ss@broker.lan") == BrokerAddress(
        "broker.lan", 1883, "antre", "p@ss"
    )
    secure = parse_mqtt_url("mqtts://a:b@10.0.0.2:9883/", ca_file="/etc/ca.pem")
    assert (secure.port, secure.tls, secure.ca_file) == (9883, True, "/etc/ca.pem")
    assert parse_mqtt_url("mqtts://host").username == ""
    for bad in ["http://host", "mqtt://", "mqtt://host:99999", "mqtt://host/topic"]:
        with pytest.raises(BrokerUrlError):
            parse_mqtt_url(bad)
    assert redacted("mqtt://antre:secret@host:1883") == "mqtt://antre:***@host:1883"
    assert redacted("mqtt://host") == "mqtt://host"


def test_config_checks_the_mqtt_settings() -> None:
    with pytest.raises(ValidationError):
        ServerConfig(mqtt_url="tcp://host")
    with pytest.raises(ValidationError):
        ServerConfig(mqtt_tls_cert="cert.pem")
    assert ServerConfig(mqtt_tls_cert="c.pem", mqtt_tls_key="k.pem").mqtt_tls_enabled
    assert not ServerConfig().mqtt_tls_enabled


def acl_command(live: LiveServer, out: Path, *extra: str) -> int:
    parser = argparse.ArgumentParser()
    commands.register(parser.add_subparsers())
    database = live.config.database_url
    args = parser.parse_args(
        ["mqtt", "acl", "--office", OFFICE, "--out", str(out), "--db", database, *extra]
    )
    handler = args.handler
    assert handler is commands.write_broker_files
    return int(handler(args))


@pytest.fixture
def operator_broker(live: LiveServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    """A Mosquitto the operator runs with the files of ``antre mqtt acl``; its port."""
    live.add_device("kiosk-1")
    live.add_device("kiosk-2")
    monkeypatch.setattr("sys.stdin", io.StringIO(SERVER_PASSWORD + "\n"))
    with tempfile.TemporaryDirectory(prefix="antre-ext-") as folder:
        Path(folder).chmod(0o755)  # like /etc/mosquitto: the broker's own user reaches it
        assert acl_command(live, Path(folder), "--server-password-stdin") == 0
        port = free_port()
        # The operator's own mosquitto.conf: a listener, plus what antre.conf says. Started
        # as root, mosquitto drops to its 'mosquitto' user before it reads passwd and acl,
        # as Debian's mosquitto service does.
        config = Path(folder) / "mosquitto.conf"
        config.write_text(
            f"listener {port} 127.0.0.1\n" + (Path(folder) / "antre.conf").read_text()
        )
        broker = subprocess.Popen(
            ["mosquitto", "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            assert wait_until(lambda: port_open(port))
            yield port
        finally:
            broker.terminate()
            broker.wait(timeout=10)


def test_acl_command_adds_an_account_per_server_process(live: LiveServer, tmp_path: Path) -> None:
    assert acl_command(live, tmp_path, "--processes", "3") == 0
    acl = (tmp_path / "acl").read_text()
    for user in ("antre-server", "antre-server-2", "antre-server-3"):
        assert f"user {user}\ntopic readwrite antre/v1/#" in acl
    assert "antre-server-4" not in acl


def test_acl_command_writes_the_files(
    live: LiveServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    live.add_device("kiosk-1")
    live.add_device("lobby-1", "display")
    assert acl_command(live, tmp_path / "out") == 0
    acl = (tmp_path / "out" / "acl").read_text()
    assert "user antre-server\ntopic readwrite antre/v1/#" in acl
    assert f"user kiosk-1\ntopic write {PREFIX}/device/kiosk-1/status" in acl
    assert f"topic read {PREFIX}/event/called" in acl
    passwd = (tmp_path / "out" / "passwd").read_text().splitlines()
    assert [line.split(":")[0] for line in passwd] == ["kiosk-1", "lobby-1"]
    assert all(line.split(":", 1)[1].startswith("$7$") for line in passwd)
    assert live.passwords["kiosk-1"] not in "".join(passwd)
    assert (tmp_path / "out" / "passwd").stat().st_mode & 0o077 == 0
    assert "mosquitto_passwd" in capsys.readouterr().out  # how to add the server account
    options = (tmp_path / "out" / "antre.conf").read_text().splitlines()
    assert "use_username_as_clientid true" in options
    assert "max_packet_size 73728" in options
    assert f"acl_file {(tmp_path / 'out' / 'acl').resolve()}" in options
    assert acl_command(live, tmp_path / "out", "--office", "nowhere") == 2


def test_the_server_uses_an_external_broker(live: LiveServer, operator_broker: int) -> None:
    url = f"mqtt://antre-server:{SERVER_PASSWORD}@127.0.0.1:{operator_broker}"
    config = live.config.model_copy(update={"mqtt_url": url, "mqtt_port": free_port()})
    live.runtime = start_mqtt(live.services, config, OFFICE)
    assert live.runtime.broker is None  # nothing started
    assert live.runtime.client.connected.wait(WAIT_S)
    server_drops = count_disconnects(live.runtime.client._client)
    kiosk = Kiosk(operator_broker, "kiosk-1", live.passwords["kiosk-1"])
    try:
        assert kiosk.request("issue_ticket", {"service": "walkin"})["data"]["label"] == "B-001"
        # The broker runs antre.conf: a device using the server's client id takes nothing.
        stolen_id = f"antre-server-{OFFICE}"
        thief = Probe(operator_broker, stolen_id, "kiosk-2", live.passwords["kiosk-2"])
        try:
            assert not thief.connected.get(timeout=WAIT_S).is_failure
            assert kiosk.request("issue_ticket", {"service": "walkin"})["data"]["label"] == "B-002"
            assert server_drops == []
        finally:
            thief.close()
    finally:
        kiosk.close()
    assert connect_reason(operator_broker, "kiosk-2", live.passwords["kiosk-2"]).is_failure is False
    assert connect_reason(operator_broker, "kiosk-2", "guess").is_failure is True


def test_the_server_reaches_an_mqtts_broker_with_its_ca(live: LiveServer) -> None:
    with tempfile.TemporaryDirectory(prefix="antre-mqtt-") as folder:
        os.chmod(folder, 0o755)
        broker_folder = Path(folder) / "mqtt"
        listener = self_signed_listener(broker_folder, port=free_port(), host="127.0.0.1")
        with MosquittoProcess(
            broker_folder, office=OFFICE, accounts=[SERVER], port=free_port(), tls=listener
        ):
            url = f"mqtts://{SERVER.username}:{SERVER.password}@127.0.0.1:{listener.port}"
            config = live.config.model_copy(
                update={"mqtt_url": url, "mqtt_ca": str(listener.cert_file)}
            )
            live.runtime = start_mqtt(live.services, config, OFFICE)
            try:
                assert live.runtime.client.connected.wait(WAIT_S)
            finally:
                live.runtime.stop()
                live.runtime = None
