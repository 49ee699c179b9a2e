"""`antre serve` delivers every committed call: after kill -9, and for calls made through
HTTP workers that run no MQTT (gunicorn on the same database).

Each test runs real processes: `antre serve`, gunicorn, Mosquitto, and a display client.
"""

from __future__ import annotations

import http.client
import json
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from queue_server.mqtt.broker import Account, DeviceKind, MosquittoProcess, free_port
from tests.mqtt.test_broker import DISPLAY, SERVER, Device
from tests.support.offices import always_open_office
from tests.support.serving import wait_for_http

ROOT = Path(__file__).parents[2]
OFFICE = "kanim-test"
CALLED = f"antre/v1/{OFFICE}/event/called"
START_S = 60.0
ARRIVAL_S = 30.0
WSGI_APP = "queue_server.web.wsgi:app"

Call = tuple[str, str, bool]  # label, counter, recall


class Site:
    """A database with the test office and an officer token, and the processes on it."""

    def __init__(self, folder: Path, database_url: str) -> None:
        self.folder, self.database_url = folder, database_url
        self.env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "ANTRE_DATABASE_URL": database_url,
            "ANTRE_NIK_KEY": "test-nik-key",
            "ANTRE_SECRET_KEY": "test-secret-key-for-the-session-cookies",
        }
        self.antre("office", "load", str(always_open_office(folder)))
        self.token = self.antre("token", "create", "officer-1", "--role", "petugas").split()[-1]
        self.log = folder / "processes.log"

    def antre(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "queue_server.cli", *args, "--db", self.database_url],
            cwd=self.folder,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return result.stdout

    def start(self, command: list[str], **env: str) -> subprocess.Popen[bytes]:
        with self.log.open("ab") as log:
            return subprocess.Popen(
                command,
                cwd=self.folder,
                env={**self.env, **env},
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def serve(self, http_port: int, *args: str, **env: str) -> subprocess.Popen[bytes]:
        command = [sys.executable, "-m", "queue_server.cli", "serve", "--port", str(http_port)]
        process = self.start([*command, "--db", self.database_url, *args], **env)
        wait_for_http(http_port, within_s=START_S, process=process)
        return process


@pytest.fixture
def site(db_url: str, tmp_path: Path) -> Site:
    return Site(tmp_path, db_url)


@contextmanager
def running(process: subprocess.Popen[bytes]) -> Iterator[subprocess.Popen[bytes]]:
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


class Officer:
    """An officer's HTTP client with a machine token."""

    def __init__(self, port: int, token: str) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def post(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        self.connection.request(
            "POST", f"/api/v1/offices/{OFFICE}/{path}", json.dumps(body or {}), self.headers
        )
        response = self.connection.getresponse()
        answer: dict[str, Any] = json.loads(response.read())
        assert response.status == 200, answer
        return answer

    def close(self) -> None:
        self.connection.close()

    def issue(self, count: int) -> None:
        for _ in range(count):
            self.post("tickets", {"service": "walkin"})

    def work(self, counter: str, rounds: int) -> list[Call]:
        """Open, then call (every other ticket recalled too) and finish ``rounds`` times."""
        self.post(f"counters/{counter}/open")
        calls: list[Call] = []
        for index in range(rounds):
            label = self.post(f"counters/{counter}/call-next")["ticket"]["label"]
            calls.append((label, counter, False))
            if index % 2:
                self.post(f"counters/{counter}/recall")
                calls.append((label, counter, True))
            self.post(f"counters/{counter}/finish")
        return calls


def at_counters(port: int, token: str, counters: list[str], rounds: int) -> list[Call]:
    """Officers working at ``counters`` at once; every call they made (answered 200)."""
    desk = Officer(port, token)
    desk.issue(len(counters) * rounds)
    desk.close()
    results: dict[str, list[Call]] = {}

    def work(counter: str) -> None:
        officer = Officer(port, token)
        try:
            results[counter] = officer.work(counter, rounds)
        finally:
            officer.close()

    threads = [threading.Thread(target=work, args=(counter,)) for counter in counters]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(results) == sorted(counters), "an officer did not finish"
    return [call for counter in counters for call in results[counter]]


def collect(
    display: Device, seen: dict[int, list[Any]], expected: int, limit_s: float = ARRIVAL_S
) -> dict[int, list[Any]]:
    """Add the calls arriving to ``seen`` (by id) until it holds ``expected`` ids."""
    deadline = time.monotonic() + limit_s
    while len(seen) < expected and time.monotonic() < deadline:
        try:
            call = json.loads(display.inbox.get(timeout=0.2).payload)
        except queue.Empty:
            continue
        seen.setdefault(call["id"], []).append(call)
    return seen


def check_delivery(by_id: dict[int, list[Any]], committed: list[Call]) -> None:
    """Every committed call arrived at least once, under an id of its own."""
    for copies in by_id.values():  # a re-send is the same call (only its seq is newer)
        assert all(_without_seq(copy) == _without_seq(copies[0]) for copy in copies), copies
    arrived = Counter((c[0]["ticket"], c[0]["counter"], c[0]["recall"]) for c in by_id.values())
    assert arrived == Counter(committed)


def _without_seq(call: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in call.items() if key != "seq"}


@contextmanager
def external_broker() -> Iterator[tuple[int, Any]]:
    """A Mosquitto the test starts when it wants: (its port, a function starting it)."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="antre-mqtt-") as folder:
        os.chmod(folder, 0o755)
        holder: list[MosquittoProcess] = []

        def start() -> MosquittoProcess:
            broker = MosquittoProcess(
                Path(folder) / "mqtt", office=OFFICE, accounts=[SERVER, DISPLAY], port=port
            ).start()
            holder.append(broker)
            return broker

        try:
            yield port, start
        finally:
            for broker in holder:
                broker.stop()


def test_calls_committed_before_kill_9_reach_the_display_after_the_restart(
    site: Site,
) -> None:
    http_port = free_port()
    with external_broker() as (broker_port, start_broker):
        mqtt_url = f"mqtt://{SERVER.username}:{SERVER.password}@127.0.0.1:{broker_port}"
        # 1. The broker is not there: calls are committed and answered, nothing is published.
        with running(site.serve(http_port, ANTRE_MQTT_URL=mqtt_url)) as first:
            committed = at_counters(http_port, site.token, ["cs-1", "cs-2"], rounds=3)
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
        start_broker()
        display = Device(broker_port, DISPLAY)
        try:
            display.subscribe(CALLED)
            seen: dict[int, list[Any]] = {}
            # 2. The restarted server delivers them; then officers call under load and the
            #    server is killed right after the last answer.
            with running(site.serve(http_port, ANTRE_MQTT_URL=mqtt_url)) as second:
                check_delivery(collect(display, seen, len(committed)), committed)
                committed += at_counters(http_port, site.token, ["cs-1", "cs-2", "cs-3"], 4)
                second.send_signal(signal.SIGKILL)
                second.wait(timeout=10)
            # 3. What the killed server had not published (or not seen acknowledged) comes now.
            with running(site.serve(http_port, ANTRE_MQTT_URL=mqtt_url)):
                check_delivery(collect(display, seen, len(committed)), committed)
        finally:
            display.close()


def test_calls_through_gunicorn_workers_reach_the_display_via_antre_serve(site: Site) -> None:
    added = site.antre("device", "add", "lobby-1", "--kind", "display", "--office", OFFICE)
    password = next(
        line.split()[2] for line in added.splitlines() if line.startswith("MQTT password:")
    )
    serve_port, web_port, mqtt_port = free_port(), free_port(), free_port()
    with running(site.serve(serve_port, "--mqtt-port", str(mqtt_port))):
        display = Device(mqtt_port, Account("lobby-1", password, DeviceKind.DISPLAY))
        workers = ["--workers", "2", "--bind", f"127.0.0.1:{web_port}"]
        gunicorn = site.start([sys.executable, "-m", "gunicorn", *workers, WSGI_APP])
        try:
            display.subscribe(CALLED)
            with running(gunicorn):
                wait_for_http(web_port, within_s=START_S, process=gunicorn)
                committed = at_counters(web_port, site.token, ["cs-1", "cs-2"], rounds=2)
                check_delivery(collect(display, {}, len(committed)), committed)
        finally:
            display.close()
    log = site.log.read_text(encoding="utf-8", errors="replace")
    assert "only while `antre serve`" in log  # each worker warned at start
