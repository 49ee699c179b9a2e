"""`antre serve` runs its own broker: a kiosk simulated with mosquitto_rr (one connection per
account: the broker binds client ids to accounts), using only the credentials from
`antre device add` and docs/protocol.md, gets a ticket."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

from queue_server.mqtt.broker import free_port
from tests.support.offices import always_open_office
from tests.web.sse import SseClient

ROOT = Path(__file__).parents[2]


def serve_command(database: str, http_port: int, mqtt_port: int) -> list[str]:
    return [
        sys.executable, "-m", "queue_server.cli", "serve", "--db", database,
        "--port", str(http_port), "--mqtt-port", str(mqtt_port),
    ]  # fmt: skip


def antre(*args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "queue_server.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout


def add_kiosk(database: str, device: str, office: str) -> str:
    """Register a kiosk with ``antre device add``; its MQTT password."""
    added = antre("device", "add", device, "--kind", "kiosk", "--office", office, "--db", database)
    return next(line.split()[2] for line in added.splitlines() if line.startswith("MQTT password:"))


def issue(mqtt_port: int, office: str, device: str, password: str) -> dict[str, Any]:
    """One issue_ticket request with ``mosquitto_rr``, as docs/protocol.md shows (one
    connection per account: the broker binds client ids to accounts)."""
    credentials = ["-h", "127.0.0.1", "-p", str(mqtt_port), "-u", device, "-P", password]
    transaction = str(uuid.uuid4())
    prefix = f"antre/v1/{office}/kiosk/{device}"
    request = json.dumps({"transaction": transaction, "data": {"service": "walkin"}})
    out = ""
    for _attempt in range(6):  # like a kiosk: resend the same transaction until answered
        asked = subprocess.run(
            [
                "mosquitto_rr", *credentials, "-q", "1", "-W", "5",
                "-t", f"{prefix}/request/issue_ticket",
                "-e", f"{prefix}/response/issue_ticket",
                "-m", request,
            ],
            capture_output=True,
            text=True,
            timeout=20,
        )  # fmt: skip
        out = asked.stdout
        if out.strip():
            break
    else:
        raise AssertionError(f"{device}: no answer")
    answer: dict[str, Any] = json.loads(out)
    assert answer["transaction"] == transaction
    return answer


def test_kiosk_issues_a_ticket_with_the_mosquitto_clients(tmp_path: Path) -> None:
    database = str(tmp_path / "antre.db")
    antre("office", "load", str(always_open_office(tmp_path)), "--db", database)
    password = add_kiosk(database, "kiosk-9", "kanim-test")
    added = antre(
        "device", "add", "lobby-9", "--kind", "display", "--office", "kanim-test", "--db", database
    )
    board_password = added.split("MQTT password: ")[1].split()[0]
    http_port, mqtt_port = free_port(), free_port()
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        serve_command(database, http_port, mqtt_port),
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    board = None
    try:
        wait_for_http(http_port)
        board = paired_board_stream(http_port, "lobby-9", board_password)
        answer = issue(mqtt_port, "kanim-test", "kiosk-9", password)
        assert answer["status"] == "ok", answer
        # the browser board sees the kiosk's ticket, through the broker-side publisher
        walkin = board.until(
            lambda event: (
                event.name == "state"
                and event.json()["topic"] == "queue/walkin/state"
                and event.json()["message"]["waiting"] == 1
            )
        )
        assert walkin.json()["retained"] is True
        assert answer["data"]["label"] == "B-001"
        token = answer["data"]["token"]
        assert answer["data"]["status_path"] == f"/t/{token}"
        with urllib.request.urlopen(
            f"http://127.0.0.1:{http_port}{answer['data']['status_path']}", timeout=10
        ) as page:
            assert "B-001" in page.read().decode("utf-8")
        status = json.load(
            urllib.request.urlopen(
                f"http://127.0.0.1:{http_port}/api/v1/public/tickets/{token}", timeout=10
            )
        )
        assert status["status"] == "waiting"
    finally:
        if board is not None:
            board.close()
        server.terminate()
        server.wait(timeout=30)
        log.close()


def paired_board_stream(http_port: int, device: str, password: str) -> SseClient:
    """A browser paired as the display ``device``, its stream past the snapshot."""
    pairing = urllib.request.Request(
        f"http://127.0.0.1:{http_port}/api/v1/devices/pair",
        data=json.dumps({"device": device, "password": password}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(pairing, timeout=10) as paired:
        cookie = paired.headers["Set-Cookie"].split(";", 1)[0]
    stream = SseClient(http_port, "/api/v1/offices/kanim-test/stream", headers={"Cookie": cookie})
    assert stream.status == 200
    stream.snapshot()
    return stream


def wait_for_http(port: int, limit_s: float = 30) -> None:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("antre serve did not start")


def test_a_server_killed_hard_comes_back_on_the_same_broker_port(tmp_path: Path) -> None:
    """kill -9 leaves the managed Mosquitto running; the next start replaces it."""
    database = str(tmp_path / "antre.db")
    antre("office", "load", str(always_open_office(tmp_path)), "--db", database)
    http_port, mqtt_port = free_port(), free_port()
    command = serve_command(database, http_port, mqtt_port)
    pid_file = tmp_path / "mqtt" / "mosquitto.pid"
    log = (tmp_path / "serve.log").open("w")
    first = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    second = None
    try:
        wait_for_http(http_port)
        orphan = int(pid_file.read_text())
        first.kill()
        first.wait(timeout=10)
        assert Path(f"/proc/{orphan}").exists()  # the broker outlived its server
        second = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        wait_for_http(http_port)
        assert int(pid_file.read_text()) != orphan
        assert not _alive(orphan)
    finally:
        for server in (first, second):
            if server is not None and server.poll() is None:
                server.terminate()
                server.wait(timeout=30)
        log.close()
    assert "previous server left running" in (tmp_path / "serve.log").read_text()


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in {"Z", "X"}
