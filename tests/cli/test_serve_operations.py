"""``antre serve`` as an operator meets it: one server per data folder, a busy port, the
health report, private database files and the daily purge."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from queue_server.mqtt.broker import free_port
from queue_server.persistence.models import VisitRow
from queue_server.web.waitress_channel import CONNECTIONS_PER_ADDRESS
from tests.cli.test_purge import add_visit
from tests.mqtt.test_serve_mqtt import ROOT, antre, serve_command, wait_for_http
from tests.support.offices import always_open_office


def health(port: int) -> tuple[int, dict[str, Any]]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:
            return answer.status, json.load(answer)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


@contextmanager
def running(command: list[str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("w") as output:
        server = subprocess.Popen(command, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT)
        try:
            yield server
        finally:
            if server.poll() is None:
                server.terminate()
                server.wait(timeout=30)


def serve_without_mqtt(database: str, http_port: int) -> list[str]:
    command = [sys.executable, "-m", "queue_server.cli", "serve", "--db", database]
    return [*command, "--port", str(http_port), "--no-mqtt"]


def serve_once(command: list[str]) -> subprocess.CompletedProcess[str]:
    """Run a server command that is expected to refuse and exit."""
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60)


@contextmanager
def taken_port() -> Iterator[int]:
    """A loopback port another program listens on while the block runs."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield taken.getsockname()[1]


def test_a_second_server_on_the_same_folder_refuses_and_touches_nothing(tmp_path: Path) -> None:
    database = str(tmp_path / "antre.db")
    antre("office", "load", str(always_open_office(tmp_path)), "--db", database)
    http_port, mqtt_port = free_port(), free_port()
    with running(serve_command(database, http_port, mqtt_port), tmp_path / "first.log"):
        wait_for_http(http_port)
        passwd = tmp_path / "mqtt" / "passwd"
        before = (passwd.read_bytes(), passwd.stat().st_mtime_ns)
        broker = int((tmp_path / "mqtt" / "mosquitto.pid").read_text())

        second = serve_once(serve_command(database, free_port(), mqtt_port))

        assert second.returncode == 2
        assert "sudah berjalan" in second.stderr and "already running" in second.stderr
        assert "Traceback" not in second.stderr
        assert (passwd.read_bytes(), passwd.stat().st_mtime_ns) == before
        assert int((tmp_path / "mqtt" / "mosquitto.pid").read_text()) == broker
        assert Path(f"/proc/{broker}").exists()
        status, report = health(http_port)
        assert (status, report["status"]) == (200, "ok")  # the first server still serves
        assert report["checks"] == dict.fromkeys(("database", "broker", "mqtt", "outbox"), "ok")


def test_a_busy_http_port_is_one_line_and_starts_no_broker(tmp_path: Path) -> None:
    database = str(tmp_path / "antre.db")
    antre("office", "load", str(always_open_office(tmp_path)), "--db", database)
    with taken_port() as port:
        result = serve_once(serve_command(database, port, free_port()))
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if "WARNING" not in line]
    assert len(lines) == 1, result.stderr
    assert f"127.0.0.1:{port}" in lines[0] and "in use" in lines[0] and "dipakai" in lines[0]
    assert not (tmp_path / "mqtt" / "mosquitto.pid").exists()


def test_a_busy_http_port_stops_the_demo_before_it_is_rebuilt(tmp_path: Path) -> None:
    """``make run`` while another program holds 8080: no new demo, no password printed."""
    demo = tmp_path / "demo.db"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        command = [*serve_command(str(demo), port, free_port()), "--demo"]
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "Demo admin" not in result.stdout
    assert not demo.exists()
    assert "choose another port with --port (make run PORT=...)" in result.stderr


def test_demo_never_deletes_a_file_with_a_real_office(tmp_path: Path) -> None:
    """``antre serve --demo --db var/office.db`` (a habit from make run) keeps the office."""
    office = tmp_path / "office.db"
    antre("office", "load", str(always_open_office(tmp_path)), "--db", str(office))
    before = office.read_bytes()
    command = [*serve_command(str(office), free_port(), free_port()), "--demo"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "not the demo (kanim-test); --demo would delete that file" in result.stderr
    assert "bukan demo" in result.stderr
    assert office.read_bytes() == before and "Demo admin" not in result.stdout
    # The demo's own file is rebuilt as before.
    demo = tmp_path / "demo" / "demo.db"
    port = free_port()
    with running([*serve_command(str(demo), port, free_port()), "--demo"], tmp_path / "d.log"):
        wait_for_http(port)
    assert "Demo admin" in (tmp_path / "d.log").read_text()
    with running([*serve_command(str(demo), port, free_port()), "--demo"], tmp_path / "d.log"):
        wait_for_http(port)  # a file with only the demo office is replaced again
    assert "Demo admin" in (tmp_path / "d.log").read_text()


def test_without_mqtt_health_is_ok_and_says_disabled(tmp_path: Path) -> None:
    database = str(tmp_path / "antre.db")
    port = free_port()
    with running(serve_without_mqtt(database, port), tmp_path / "serve.log"):
        wait_for_http(port)
        status, report = health(port)
    assert status == 200
    assert report["status"] == "ok"
    disabled = {"database": "ok", "broker": "disabled", "mqtt": "disabled", "outbox": "ok"}
    assert report["checks"] == disabled
    # No office was loaded into this database: the log says so, and how to load one.
    assert "no office is loaded in sqlite:///" in (tmp_path / "serve.log").read_text()
    # No ANTRE_NOTIFY_* settings: the notification worker is not started, and it says so.
    assert "notifications are off" in (tmp_path / "serve.log").read_text()


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_database_and_its_wal_are_private(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    database = folder / "antre.db"
    old_umask = os.umask(0o022)
    try:
        antre("office", "load", str(always_open_office(tmp_path)), "--db", str(database))
        engine = create_engine(f"sqlite:///{database}")
        with engine.connect() as connection:  # keep the WAL and shm files while we look
            connection.exec_driver_sql("PRAGMA journal_mode=WAL")
            connection.execute(text("SELECT count(*) FROM offices"))
            wal, shm = Path(f"{database}-wal"), Path(f"{database}-shm")
            assert wal.exists() and shm.exists()
            assert (_mode(database), _mode(wal), _mode(shm)) == (0o600, 0o600, 0o600)
        engine.dispose()
        assert _mode(folder) == 0o711  # not listable by others; the broker user may pass
        database.chmod(0o644)  # a database made by an older version is made private too
        antre("db", "upgrade", "--db", str(database))
        assert _mode(database) == 0o600
    finally:
        os.umask(old_umask)


def test_serve_clears_old_personal_data_when_it_starts(tmp_path: Path) -> None:
    database = tmp_path / "antre.db"
    antre("office", "load", str(always_open_office(tmp_path)), "--db", str(database))
    add_visit(database, 40, "081234567890", nik_last4="0001")
    engine = create_engine(f"sqlite:///{database}")
    port = free_port()
    phone: str | None = "081234567890"
    with running(serve_without_mqtt(str(database), port), tmp_path / "serve.log"):
        wait_for_http(port)
        deadline = time.monotonic() + 30
        while phone is not None and time.monotonic() < deadline:
            with Session(engine) as session:
                phone = session.scalars(select(VisitRow.phone)).one()
            time.sleep(0.2)
    engine.dispose()
    assert phone is None
    log = (tmp_path / "serve.log").read_text()
    assert "personal data older than 30 days cleared: 1 visits" in log
    assert "081234567890" not in log


def test_a_busy_broker_port_is_named(tmp_path: Path) -> None:
    database = str(tmp_path / "antre.db")
    antre("office", "load", str(always_open_office(tmp_path)), "--db", database)
    with taken_port() as mqtt_port:
        result = serve_once(serve_command(database, free_port(), mqtt_port))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"port 127.0.0.1:{mqtt_port} is in use by another program" in result.stderr
    assert f"Port broker MQTT 127.0.0.1:{mqtt_port} sedang dipakai" in result.stderr
    # The message says how to get past it: the option that moves the port, and Debian's
    # own Mosquitto service, which holds 1883 on a fresh machine once mosquitto is installed.
    assert "choose another port with --mqtt-port" in result.stderr
    assert "systemctl disable --now mosquitto" in result.stderr


def _raw(port: int, request: bytes) -> tuple[str, bytes]:
    """The status line and body of one request sent as raw bytes."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    return head.split(b"\r\n", 1)[0].decode(), body


def test_requests_waitress_cannot_parse_get_a_bilingual_json_error(tmp_path: Path) -> None:
    database = str(tmp_path / "antre.db")
    port = free_port()
    command = [sys.executable, "-m", "queue_server.cli", "serve", "--db", database]
    hostile = [
        b"GET /t/\xe2\x80\xae HTTP/1.1\r\nHost: x\r\n\r\n",  # bytes that are not ASCII in the path
        b"GET /api/v1/auth/me HTTP/1.1\r\nHost: x\r\nCookie: a=\x7f\x01\r\n\r\n",  # control chars
        b"GET /t/' OR 1=1 -- HTTP/1.1\r\nHost: x\r\n\r\n",  # a broken start line
    ]
    with running([*command, "--port", str(port), "--no-mqtt"], tmp_path / "serve.log"):
        wait_for_http(port)
        for request in hostile:
            status, body = _raw(port, request)
            assert status.split()[1] == "400", status
            error = json.loads(body)["error"]
            assert error["code"] == "bad_request"
            assert "not valid HTTP" in error["messages"]["en"]
            assert "bukan HTTP yang valid" in error["messages"]["id"] == error["message"]
        # Headers just past waitress's 256 KB, left unfinished: waitress answers once it has
        # read past the limit, which is the very end here, so nothing stays unread (unread
        # bytes would turn its close into a reset). Said in our words, in both languages.
        status, body = _raw(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 262_200)
        assert status.split()[1] == "431", status
        error = json.loads(body)["error"]
        assert error["code"] == "headers_too_large"
        assert error["messages"] == {
            "id": "Header permintaan terlalu besar; permintaan tidak dijalankan.",
            "en": "The request's headers are too large; it was not carried out.",
        }
        assert health(port)[0] == 200


def _health_from(source: str, port: int) -> int:
    """The status of ``GET /healthz`` sent from the loopback address ``source``."""
    with socket.create_connection(("127.0.0.1", port), timeout=5, source_address=(source, 0)) as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        return int(s.recv(1024).split()[1])


def test_one_address_holding_hundreds_of_idle_connections_locks_nobody_out(
    tmp_path: Path,
) -> None:
    database = str(tmp_path / "antre.db")
    port = free_port()
    command = [sys.executable, "-m", "queue_server.cli", "serve", "--db", database]
    with running([*command, "--port", str(port), "--no-mqtt"], tmp_path / "serve.log"):
        wait_for_http(port)
        idle = []
        try:
            for _ in range(200):  # idle, and slow requests that never finish their headers
                connection = socket.create_connection(("127.0.0.1", port), timeout=5)
                connection.sendall(b"GET /healthz HTTP/1.1\r\nX-Slow: ")
                idle.append(connection)
            assert _health_from("127.0.0.2", port) == 200  # another address is served
            # Beyond its share, the address's connections are closed: counted again until
            # the server has caught up with the 200 accepts (a busy machine is slower).
            closed: set[int] = set()
            deadline = time.monotonic() + 15
            while True:
                for index, connection in enumerate(idle):
                    if index in closed:
                        continue
                    connection.settimeout(0.01)
                    try:
                        if connection.recv(1) == b"":
                            closed.add(index)
                    except TimeoutError:
                        pass
                    except ConnectionResetError:
                        closed.add(index)
                still_open = len(idle) - len(closed)
                if still_open <= CONNECTIONS_PER_ADDRESS or time.monotonic() > deadline:
                    break
                time.sleep(0.2)
            assert still_open == CONNECTIONS_PER_ADDRESS  # and its share stays open
        finally:
            for connection in idle:
                connection.close()


def test_without_a_broker_a_signed_in_console_still_gets_live_states(tmp_path: Path) -> None:
    from tests.web.sse import SseClient

    database = str(tmp_path / "antre.db")
    antre("office", "load", str(always_open_office(tmp_path)), "--db", database)
    subprocess.run(
        [sys.executable, "-m", "queue_server.cli", "user", "create-admin", "boss",
         "--password-stdin", "--db", database],
        input="boss-password-12345\n", cwd=ROOT, capture_output=True, text=True, timeout=60,
        check=True,
    )  # fmt: skip
    port = free_port()
    with running(serve_without_mqtt(database, port), tmp_path / "serve.log"):
        wait_for_http(port)
        login = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/auth/login",
            data=json.dumps({"username": "boss", "password": "boss-password-12345"}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(login, timeout=10) as answer:
            cookie = answer.headers["Set-Cookie"].split(";", 1)[0]
            csrf = json.load(answer)["csrf_token"]
        stream = SseClient(port, "/api/v1/offices/kanim-test/stream", headers={"Cookie": cookie})
        try:
            assert stream.status == 200
            stream.snapshot()
            opened = urllib.request.Request(
                f"http://127.0.0.1:{port}/api/v1/offices/kanim-test/counters/cs-1/open",
                data=b"{}",
                headers={"Content-Type": "application/json", "Cookie": cookie,
                         "X-CSRF-Token": csrf},
            )  # fmt: skip
            urllib.request.urlopen(opened, timeout=10).close()
            state = stream.until(
                lambda event: (
                    event.name == "state"
                    and event.json()["topic"] == "counter/cs-1/state"
                    and event.json()["message"]["is_open"] is True
                )
            )
            assert state.json()["retained"] is True
        finally:
            stream.close()
