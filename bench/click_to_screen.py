"""P2 end to end: the officer's key press in the console → the lobby screens show the call.

Usage: python bench/click_to_screen.py [--db sqlite|postgres] [--calls 200] [--seconds 300]
                                       [--boards 2] [--no-kivy]

A real ``antre serve`` (child process: waitress, its managed Mosquitto, the push hub) on
random loopback ports, with the test office open around the clock. Debian's Chromium
(Playwright) runs page A, the officer console (signed in, counter CS 1 open, tickets
waiting), and pages B (and C, ...), the web lobby board paired as display devices. A
plain MQTT client stands in for a display subscribed to ``event/called``, and, when
Xvfb is there, the Kivy lobby board (``antre display --config``'s assembly, with timing
hooks: bench/kivy_board_probe.py) runs in its own process.

Per call the script presses N on page A and waits until every board shows the new number
(Playwright's expect, polled), then E (finish, end of visit). The times themselves are
taken inside the pages by bench/click_probes.js (keydown timestamp, the XHR's resource
timing, the push message's arrival, the mutation of the board's number and the next
animation frame), by the MQTT stand-in and by the Kivy probe: all on this machine's
system clock, in epoch milliseconds, matched by ticket label afterwards. The server's
own moments come from the call message: ``ts`` (the call's time in the use case) and
``seq`` (microseconds of the system clock when the publisher built the message).
The loop is bounded by --calls and --seconds.
"""

from __future__ import annotations

import argparse
import bisect
import json
import os
import platform
import queue
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from common import ROOT, database_url, percentile
from queue_server.mqtt.broker import Account, DeviceKind, free_port
from tests.support.chromium import CHROMIUM, LAUNCH_ARGS
from tests.support.offices import always_open_office
from tests.support.serving import wait_for_http

OFFICE = "kanim-test"
COUNTER = "cs-1"
OFFICER = ("petugas-bench", "Bench-Officer-pw-7391")
PROBES = (Path(__file__).parent / "click_probes.js").read_text(encoding="utf-8")
WARM_UP_CALLS = 5
#: The fields of the probes' records that are times in the page's clock (``ts`` and
#: ``seq`` are the server's, on the system clock already).
TIME_FIELDS = {"at", "start", "sent", "first_byte", "end"}
TIMEOUT_MS = 10_000


# -- the server ----------------------------------------------------------------------------


@dataclass
class Served:
    """``antre serve`` as a child process, and what was registered before it started."""

    folder: Path
    url: str
    http_port: int = field(default_factory=free_port)
    mqtt_port: int = field(default_factory=free_port)
    passwords: dict[str, str] = field(default_factory=dict)
    admin_token: str = ""
    process: subprocess.Popen[bytes] | None = None

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "ANTRE_DATABASE_URL": self.url,
            "ANTRE_NIK_KEY": "bench-nik-key",
            "ANTRE_SECRET_KEY": "bench-secret-key-for-session-cookies",
        }

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def antre(self, *args: str) -> str:
        return subprocess.run(
            [sys.executable, "-m", "queue_server.cli", *args, "--db", self.url],
            cwd=self.folder, env=self.env, capture_output=True, text=True, timeout=120,
            check=True,
        ).stdout  # fmt: skip

    def register(self, devices: list[str]) -> None:
        self.antre("office", "load", str(always_open_office(self.folder)))
        self.admin_token = self.antre("token", "create", "bench-admin", "--role", "admin").split()[
            -1
        ]
        for device in devices:
            printed = self.antre("device", "add", device, "--kind", "display", "--office", OFFICE)
            line = next(x for x in printed.splitlines() if x.startswith("MQTT password:"))
            self.passwords[device] = line.split()[2]

    def start(self) -> None:
        command = [sys.executable, "-m", "queue_server.cli", "serve", "--db", self.url]
        command += ["--port", str(self.http_port), "--mqtt-port", str(self.mqtt_port)]
        log = (self.folder / "serve.log").open("ab")
        self.process = subprocess.Popen(
            command, cwd=self.folder, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        wait_for_http(self.http_port, within_s=60, process=self.process)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)

    def call_api(self, method: str, path: str, body: Any) -> Any:
        request = urllib.request.Request(
            f"{self.base}/api/v1{path}",
            data=json.dumps(body).encode(),
            method=method,
            headers={
                "Authorization": f"Bearer {self.admin_token}",
                "Content-Type": "application/json",
            },
        )
        with urllib.request.urlopen(request, timeout=30) as answer:
            return json.loads(answer.read())

    def prepare_office(self, tickets: int) -> None:
        username, password = OFFICER
        body = {"username": username, "display_name": "Bench Officer", "password": password}
        self.call_api("POST", "/users", {**body, "role": "petugas"})
        for _ in range(tickets):
            self.call_api("POST", f"/offices/{OFFICE}/tickets", {"service": "walkin"})


# -- the displays outside the browser ------------------------------------------------------


def mqtt_stand_in(served: Served, device: str, arrivals: dict[str, float]) -> Any:
    """A display's MQTT session subscribed to ``event/called`` (time of arrival by label)."""
    from common import subscribed_client

    account = Account(device, served.passwords[device], DeviceKind.DISPLAY)

    def arrived(_client: Any, _userdata: Any, message: Any) -> None:
        at = time.time() * 1000
        arrivals.setdefault(str(json.loads(message.payload)["ticket"]), at)

    return subscribed_client(served.mqtt_port, account, f"antre/v1/{OFFICE}/event/called", arrived)


@contextmanager
def kivy_board(served: Served, device: str) -> Iterator[KivyLines | None]:
    """The Kivy lobby board under its own Xvfb; None when Xvfb is not installed."""
    if shutil.which("Xvfb") is None:
        yield None
        return
    folder = served.folder / "kivy"
    folder.mkdir()
    (folder / "display.password").write_text(served.passwords[device] + "\n")
    config = folder / "display.yaml"
    config.write_text(
        f"office: {OFFICE}\nmode: board\n"
        f"broker: {{host: 127.0.0.1, port: {served.mqtt_port}}}\n"
        f"device: {{id: {device}, password_file: display.password}}\n"
        "screen: {size: 1280x720, fullscreen: false}\n"
        "announcer: {enabled: false}\n"
    )
    number = 90 + os.getpid() % 100
    xvfb = subprocess.Popen(
        ["Xvfb", f":{number}", "-screen", "0", "1280x720x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    env = {
        **os.environ,
        "DISPLAY": f":{number}",
        "KIVY_HOME": str(folder / "kivy-home"),
        "KIVY_NO_ARGS": "1",
        "KIVY_NO_CONSOLELOG": "1",
        "SDL_AUDIODRIVER": "dummy",
        "PYTHONPATH": str(ROOT),
    }
    board = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "kivy_board_probe.py"), str(config)],
        cwd=folder, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=(folder / "kivy.log").open("wb"), text=True,
    )  # fmt: skip
    lines: queue.Queue[dict[str, Any]] = queue.Queue()

    def read() -> None:
        assert board.stdout is not None
        for line in board.stdout:
            if line.startswith("{"):
                lines.put(json.loads(line))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        yield KivyLines(lines)
    finally:
        assert board.stdin is not None
        board.stdin.close()
        try:
            board.wait(timeout=20)
        except subprocess.TimeoutExpired:
            board.kill()
        reader.join(timeout=5)
        xvfb.terminate()
        xvfb.wait(timeout=10)


class KivyLines:
    """What the Kivy probe printed, read as it comes."""

    def __init__(self, lines: queue.Queue[dict[str, Any]]) -> None:
        self.lines = lines
        self.seen: list[dict[str, Any]] = []

    def wait_for(self, label: str, *, within_s: float, stage: str = "flipped") -> None:
        """Return once the probe printed ``stage`` for ``label`` (a full board: "ready")."""
        deadline = time.monotonic() + within_s
        while not any(x["stage"] == stage and x["label"] == label for x in self.seen):
            left = deadline - time.monotonic()
            if left <= 0:
                raise RuntimeError(f"the Kivy board did not reach {stage} {label!r} in time")
            try:
                self.seen.append(self.lines.get(timeout=min(left, 0.5)))
            except queue.Empty:
                continue

    def drain(self) -> list[dict[str, Any]]:
        while not self.lines.empty():
            self.seen.append(self.lines.get())
        return self.seen


# -- the browser ---------------------------------------------------------------------------


def console_page(browser: Any, served: Served) -> Any:
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1366, "height": 768})
    context.add_init_script(PROBES)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{served.base}/console/?lang=en")
    username, password = OFFICER
    page.fill("#username", username)
    page.fill("#password", password)
    page.press("#password", "Enter")
    page.locator(f"[data-counter='{COUNTER}'] button").click()
    expect(page.locator("#status .status-text")).to_have_text("Counter CS 1 is open")
    return page


def board_page(browser: Any, served: Served, device: str) -> Any:
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    context.add_init_script(PROBES)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{served.base}/screens/board/{OFFICE}")  # not paired yet: the pairing page
    page.locator("#device").fill(device)
    page.locator("#password").fill(served.passwords[device])
    page.locator("#pair-submit").click()
    expect(page).to_have_url(f"{served.base}/screens/board/{OFFICE}")
    expect(page.locator("#services li").first).to_be_visible()
    expect(page.locator("#lost")).to_be_hidden()
    return page


def call_loop(
    console: Any,
    boards: list[Any],
    kivy: KivyLines | None,
    calls: int,
    seconds: float,
    pause_s: float,
) -> list[str]:
    """Press N, wait for every board (the Kivy one too) to show the number, press E; the
    labels called. One call at a time: each is measured on screens that are idle."""
    from playwright.sync_api import expect

    status = console.locator("#status .status-text")
    labels: list[str] = []
    deadline = time.monotonic() + seconds
    while len(labels) < calls and time.monotonic() < deadline:
        console.keyboard.press("n")
        expect(status).to_have_text(_starting("Called "))
        label = console.locator("#current-label").inner_text()
        for board in boards:
            expect(board.locator("#number")).to_have_text(label)
        if kivy is not None:
            kivy.wait_for(label, within_s=TIMEOUT_MS / 1000)
        console.keyboard.press("e")
        expect(status).to_have_text(_starting(f"Finished {label}"))
        # The status line may come a moment before the redraw it describes (a refresh the
        # stream asked for overtook the action's own): wait for the idle screen.
        expect(console.locator("#current-label")).to_have_count(0)
        labels.append(label)
        time.sleep(pause_s)  # the screens finish drawing the finish before the next call
    return labels


def _starting(prefix: str) -> Any:
    import re

    return re.compile("^" + re.escape(prefix))


# -- putting the times together ------------------------------------------------------------


def on_system_clock(page: dict[str, Any]) -> dict[str, Any]:
    """``page``'s probe records with every time moved to the system clock, by the skew
    samples (high-resolution clock − Date.now()) taken around it."""
    samples = sorted(page.get("skew", []), key=lambda sample: sample["at"])

    def fix(at: float) -> float:
        if not samples:
            return at
        index = bisect.bisect_left([sample["at"] for sample in samples], at)
        near = [s["skew"] for s in samples[max(0, index - 2) : index + 2]]
        return at - (statistics.median(near) - 0.5)  # Date.now() drops the fraction

    def moved(record: Any) -> Any:
        if isinstance(record, dict):
            return {k: fix(v) if k in TIME_FIELDS else v for k, v in record.items()}
        return fix(record)

    return {name: [moved(r) for r in records] for name, records in page.items()}


def first_by_label(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for record in records:
        found.setdefault(str(record["label"]), record)
    return found


def parts(
    labels: list[str],
    console: dict[str, Any],
    boards: list[dict[str, Any]],
    mqtt: dict[str, float],
    kivy: list[dict[str, Any]],
) -> dict[str, list[float]]:
    """Per measured call, the time of each part in milliseconds (keyed by part name).

    ``labels`` are the calls in order (warm-up included); the console's i-th key press
    and i-th call-next request belong to the i-th label.
    """
    console = on_system_clock(console)
    boards = [on_system_clock(board) for board in boards]
    keys, requests = console["keys"], console["requests"]
    if len(keys) < len(labels) or len(requests) < len(labels):
        raise RuntimeError(f"{len(keys)} keys, {len(requests)} requests, {len(labels)} calls")
    statuses = [s for s in console["status"] if "Called " in s["text"]]
    arrivals = [first_by_label(board["arrivals"]) for board in boards]
    shown = [first_by_label(board["shown"]) for board in boards]
    frames = [first_by_label(board["frames"]) for board in boards]
    kivy_stages = {
        stage: first_by_label([line for line in kivy if line["stage"] == stage])
        for stage in ("mqtt", "accepted", "drawn", "flipped")
    }
    out: dict[str, list[float]] = {}

    def add(name: str, value: float) -> None:
        out.setdefault(name, []).append(value)

    for index, label in enumerate(labels):
        if index < WARM_UP_CALLS:
            continue
        key, request = keys[index], requests[index]
        status = next((s["at"] for s in statuses if s["at"] >= request["end"]), None)
        first = arrivals[0][label]
        add("A: key press → request sent (console JS)", request["sent"] - key)
        add(
            "A: HTTP call-next round trip (request sent → response read)",
            request["end"] - request["sent"],
        )
        if status is not None:
            add("A: response → console status line updated", status - request["end"])
            add("A: key press → console shows the call", status - key)
        add("server: request sent → call time in the use case (ts)", first["ts"] - request["sent"])
        add(
            "server: call time (ts) → publisher built the message (seq)",
            first["seq"] / 1000 - first["ts"],
        )
        add(
            "server: message built (seq) → push message in board B",
            first["at"] - first["seq"] / 1000,
        )
        add(
            "server part, web: request sent → push message in board B",
            first["at"] - request["sent"],
        )
        add("B: push message → number changed in the DOM", shown[0][label]["at"] - first["at"])
        add("B: DOM changed → next animation frame", frames[0][label]["at"] - shown[0][label]["at"])
        add("total: key press → board B's DOM shows the number", shown[0][label]["at"] - key)
        add("total: key press → board B's next frame", frames[0][label]["at"] - key)
        for extra, name in zip(shown[1:], "CDEFGH", strict=False):
            add(f"total: key press → board {name}'s DOM shows the number", extra[label]["at"] - key)
        if len(shown) > 1:
            add(
                "fan-out: last board's DOM − first board's DOM",
                max(s[label]["at"] for s in shown) - min(s[label]["at"] for s in shown),
            )
        if label in mqtt:
            add(
                "server part, MQTT: request sent → display client receives event/called",
                mqtt[label] - request["sent"],
            )
        if kivy and label in kivy_stages["flipped"]:
            stage = {name: kivy_stages[name][label]["at"] for name in kivy_stages}
            add(
                "server part, Kivy: request sent → Kivy board's MQTT callback",
                stage["mqtt"] - request["sent"],
            )
            add(
                "Kivy: MQTT callback → board model accepted (GUI thread)",
                stage["accepted"] - stage["mqtt"],
            )
            add("Kivy: accepted → widgets updated", stage["drawn"] - stage["accepted"])
            add("Kivy: widgets updated → window flipped", stage["flipped"] - stage["drawn"])
            add("total: key press → Kivy board flipped with the number", stage["flipped"] - key)
    return out


def table(measured: dict[str, list[float]]) -> str:
    rows = ["| Part | n | p50 | p95 | p99 | max |", "|---|---|---|---|---|---|"]
    for name, values in measured.items():
        rows.append(
            f"| {name} | {len(values)} | {statistics.median(values):.1f} ms"
            f" | {percentile(values, 0.95):.1f} ms | {percentile(values, 0.99):.1f} ms"
            f" | {max(values):.1f} ms |"
        )
    return "\n".join(rows)


def machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    chromium = subprocess.run([str(CHROMIUM), "--version"], capture_output=True, text=True).stdout
    load = os.getloadavg()
    return (
        f"{os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()},"
        f" {chromium.strip()}, load average before the run {load[0]:.2f}"
    )


def run(
    kind: str, calls: int, seconds: float, board_count: int, with_kivy: bool, pause_s: float
) -> str:
    from playwright.sync_api import sync_playwright

    web_devices = [f"lobby-web-{index}" for index in range(1, board_count + 1)]
    devices = [*web_devices, "lobby-mqtt", "lobby-kivy"]
    about = machine()
    with database_url(kind) as url, tempfile.TemporaryDirectory(prefix="antre-p2e2e-") as name:
        folder = Path(name)
        os.chmod(folder, 0o755)  # the managed broker may run as another user
        served = Served(folder, url)
        served.register(devices)
        served.start()
        try:
            served.prepare_office(calls + WARM_UP_CALLS + 5)
            mqtt_arrivals: dict[str, float] = {}
            stand_in = mqtt_stand_in(served, "lobby-mqtt", mqtt_arrivals)
            kivy_context = kivy_board(served, "lobby-kivy") if with_kivy else _nothing()
            with kivy_context as kivy_lines, sync_playwright() as playwright:
                if kivy_lines is not None:
                    kivy_lines.wait_for("", within_s=60, stage="ready")
                browser = playwright.chromium.launch(
                    executable_path=str(CHROMIUM), args=LAUNCH_ARGS
                )
                boards = [board_page(browser, served, device) for device in web_devices]
                console = console_page(browser, served)
                started = time.monotonic()
                labels = call_loop(
                    console, boards, kivy_lines, calls + WARM_UP_CALLS, seconds, pause_s
                )
                wall = time.monotonic() - started
                time.sleep(1)  # the last frames and MQTT messages
                console_times = console.evaluate("() => window.__p2")
                board_times = [board.evaluate("() => window.__p2") for board in boards]
                browser.close()
            kivy = [] if kivy_lines is None else kivy_lines.drain()
            stand_in.disconnect()
            stand_in.loop_stop()
        finally:
            served.stop()
    load_after = os.getloadavg()[0]
    measured = parts(labels, console_times, board_times, mqtt_arrivals, kivy)
    kivy_cpu = [line for line in kivy if line["stage"] == "cpu"]
    skews = [s["skew"] for page in [console_times, *board_times] for s in page["skew"]]
    return "\n".join(
        [
            f"database: {kind}; calls measured: {len(labels) - WARM_UP_CALLS}"
            f" (after {WARM_UP_CALLS} warm-up calls) in {wall:.0f} s;"
            f" web boards: {board_count}; Kivy board: {'yes' if kivy else 'no'};"
            f" pause after each finish: {pause_s:.1f} s",
            f"machine: {about}",
            f"load average after the run {load_after:.2f}"
            + (
                f"; the Kivy board process used {kivy_cpu[0]['share']:.0%} of a core and"
                f" drew {kivy_cpu[0]['fps']:.1f} frames/s"
                if kivy_cpu
                else ""
            ),
            f"page clocks − Date.now(): {min(skews):.1f} to {max(skews):.1f} ms"
            " (corrected: times below are on the system clock)",
            "",
            table(measured),
        ]
    )


@contextmanager
def _nothing() -> Iterator[None]:
    yield None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=300, help="bound of the call loop")
    parser.add_argument("--boards", type=int, default=2, help="web boards (pages B, C, ...)")
    parser.add_argument("--no-kivy", action="store_true", help="without the Kivy board")
    parser.add_argument(
        "--pause", type=float, default=0.0, help="seconds between a finish and the next call"
    )
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the server on the way out
    print(run(args.db, args.calls, args.seconds, max(1, args.boards), not args.no_kivy, args.pause))


if __name__ == "__main__":
    main()
