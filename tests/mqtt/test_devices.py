"""`antre device add`: one broker account per device, password shown once, never stored."""

from __future__ import annotations

import os
import queue
import tempfile
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion

from queue_server.cli import main
from queue_server.config import ServerConfig
from queue_server.mqtt.broker import Account, DeviceKind, MosquittoProcess, free_port
from queue_server.services.container import build_services
from tests.mqtt.test_broker import SERVER, TIMEOUT_S

OFFICE_FILE = Path(__file__).parents[1] / "services" / "office.yaml"


def added_password(output: str) -> str:
    line = next(line for line in output.splitlines() if line.startswith("MQTT password: "))
    return line.split()[2]


def test_device_add_then_connect_with_the_printed_password(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "antre.db"
    assert main(["office", "load", str(OFFICE_FILE), "--db", str(database)]) == 0
    command = [
        "device",
        "add",
        "kiosk-7",
        "--kind",
        "kiosk",
        "--office",
        "kanim-test",
        "--db",
        str(database),
    ]
    assert main(command) == 0
    password = added_password(capsys.readouterr().out)
    assert main(command) == 2
    assert "Perangkat bernama kiosk-7 sudah ada" in capsys.readouterr().err
    assert (
        main(
            [
                "device",
                "add",
                "Kiosk/7",
                "--kind",
                "kiosk",
                "--office",
                "kanim-test",
                "--db",
                str(database),
            ]
        )
        == 2
    )
    services = build_services(ServerConfig(database_url=f"sqlite:///{database}", nik_key="x"))
    try:
        accounts = services.devices.accounts("kanim-test")
    finally:
        services.close()
    assert [(a.id, a.kind) for a in accounts] == [("kiosk-7", "kiosk")]
    assert password not in accounts[0].password_hash
    assert accounts[0].password_hash.startswith("$7$")
    broker_accounts = [
        SERVER,
        *(Account(a.id, "", DeviceKind(a.kind), a.password_hash) for a in accounts),
    ]
    with tempfile.TemporaryDirectory(prefix="antre-mqtt-") as folder:
        os.chmod(folder, 0o755)
        with MosquittoProcess(
            Path(folder) / "mqtt", office="kanim-test", accounts=broker_accounts, port=free_port()
        ) as broker:
            assert connect_reason(broker.port, "kiosk-7", password).is_failure is False
            assert connect_reason(broker.port, "kiosk-7", "guess").is_failure is True


def connect_reason(port: int, username: str, password: str) -> Any:
    reasons: queue.Queue[Any] = queue.Queue()
    client = mqtt.Client(
        callback_api_version=CallbackAPIVersion.VERSION2,
        client_id=username,
        protocol=MQTTProtocolVersion.MQTTv5,
    )
    client.username_pw_set(username, password)
    client.on_connect = lambda _c, _u, _f, reason, _p: reasons.put(reason)
    client.connect("127.0.0.1", port, keepalive=5)
    client.loop_start()
    try:
        return reasons.get(timeout=TIMEOUT_S)
    finally:
        client.disconnect()
        client.loop_stop()
