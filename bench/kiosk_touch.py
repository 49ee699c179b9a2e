"""P5 touch → ticket printed (online and offline) and P6 resident memory (kiosk and lobby
display), against a real ``antre serve``.

Usage: python bench/kiosk_touch.py [--journeys 30] [--quick]

A real ``antre serve`` (child process with its managed Mosquitto, the test office open
around the clock) and, under one Xvfb, the kiosk app (``python -m kiosk.app --config`` with
its live link: bench/kiosk_probe.py runs its ``main``) printing to a network ESC/POS
printer on loopback (tests/devices/printer/fake_printer.py: it answers the status
requests and keeps each job). The probe walks a walk-in journey by touches (English,
Passport, Passport walk-in, documents ready, regular queue, Done); the measured time runs
from the last touch (taken in the kiosk process just before the touch is dispatched) to the
moment the printer has the whole job (the kiosk closed the connection), both on the system
clock; "on screen" is when the probe, checking every 20 ms, sees the ticket screen with its
outcome. ``--journeys`` journeys run online (the first ticket after the start is reported on
its own; the kiosk is left idle for a few seconds after its start, as after a boot, while
it loads its printing library in the background), then, once the kiosk holds a leased block of
numbers, the server and its broker are stopped and as many run offline.

P6: the kiosk's VmRSS after the journeys, and the Kivy lobby board's (``antre display
--config``'s assembly, bench/kivy_board_probe.py) after it has shown the calls of the
tickets the kiosk issued (called and finished over the officer API).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from click_to_screen import OFFICE, Served
from kiosk_start import (
    ROOT,
    machine,
    probe_env,
    read_line,
    spread,
    start_probe,
    xvfb,
)

from devices.config import PRINTER_WARM_UP_S
from tests.devices.printer.fake_printer import RunningFakePrinter

KIOSK = "kiosk-bench"
DISPLAY = "lobby-bench"
COUNTER = "cs-1"
JOURNEY_TIMEOUT_S = 30.0


class JobClock:
    """The system-clock time (epoch ms) at which each printer job was complete."""

    def __init__(self, fake: RunningFakePrinter) -> None:
        self.printer = fake.printer
        self.times: list[float] = []
        threading.Thread(target=self._watch, daemon=True).start()

    def _watch(self) -> None:
        jobs = self.printer.jobs
        while True:
            seen = len(self.times)
            with self.printer.job_done:
                self.printer.job_done.wait_for(lambda seen=seen: len(jobs) > seen)
                count = len(jobs)
            now = time.time() * 1000
            self.times.extend([now] * (count - seen))

    def wait_for(self, count: int, timeout_s: float) -> float:
        deadline = time.monotonic() + timeout_s
        while len(self.times) < count:
            if time.monotonic() > deadline:
                raise RuntimeError(f"the printer got {len(self.times)} jobs, not {count}")
            time.sleep(0.005)
        return self.times[count - 1]


def register(served: Served) -> dict[str, str]:
    """The office, the kiosk and display accounts and an officer token; returns them."""
    from tests.support.offices import always_open_office

    served.antre("office", "load", str(always_open_office(served.folder)))
    found = {}
    for device, kind in ((KIOSK, "kiosk"), (DISPLAY, "display")):
        printed = served.antre("device", "add", device, "--kind", kind, "--office", OFFICE)
        line = next(x for x in printed.splitlines() if x.startswith("MQTT password:"))
        found[device] = line.split()[2]
    printed = served.antre("token", "create", "bench-officer", "--role", "petugas")
    found["officer"] = printed.split()[-1]
    return found


def kiosk_files(folder: Path, printer_port: int) -> Path:
    config = folder / "kiosk-devices.yaml"
    config.write_text(
        f"printer: {{spec: 'network:127.0.0.1:{printer_port}', profile: 80mm}}\n"
        "scanner: virtual\ncard_reader: none\n"
    )
    return config


def journeys(
    process: subprocess.Popen[str], clock: JobClock, count: int, *, offline: bool
) -> list[dict[str, Any]]:
    """``count`` journeys, each started by ``next``; the touch → printed time of each."""
    assert process.stdin is not None
    results = []
    for _ in range(count):
        jobs_before = len(clock.times)
        process.stdin.write("next\n")
        process.stdin.flush()
        touch = read_line(process, "touch")
        ticket = read_line(process, "ticket")
        printed_at = clock.wait_for(jobs_before + 1, JOURNEY_TIMEOUT_S)
        done = read_line(process, "journey_done")
        results.append(
            {
                "ms": printed_at - touch["at"],
                "screen_ms": ticket["at"] - touch["at"],
                "offline": ticket["offline"],
                "printed": ticket["printed"],
                "rss_kb": done["VmRSS"],
                "memory": {key: value for key, value in done.items() if key[0].isupper()},
            }
        )
    if any(result["offline"] != offline for result in results):
        raise RuntimeError(f"expected {'offline' if offline else 'online'} tickets: {results}")
    return results


def officer_calls(served: Served, token: str, count: int) -> None:
    """Call and finish ``count`` tickets at the CS counter over the officer API."""
    connection = http.client.HTTPConnection("127.0.0.1", served.http_port, timeout=30)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    base = f"/api/v1/offices/{OFFICE}/counters/{COUNTER}"

    def post(action: str) -> Any:
        connection.request("POST", f"{base}/{action}", body=b"{}", headers=headers)
        return json.loads(connection.getresponse().read())

    post("open")
    for _ in range(count):
        post("call-next")
        time.sleep(0.3)  # the board draws each call before the next
        post("finish")
    connection.close()


def display_memory(
    served: Served, password: str, display: str, officer: str, calls: int
) -> dict[str, int]:
    """The Kivy lobby board's VmRSS/VmHWM (kB) once it has shown ``calls`` calls."""
    folder = served.folder / "display"
    folder.mkdir()
    (folder / "display.password").write_text(password + "\n")
    config = folder / "display.yaml"
    config.write_text(
        f"office: {OFFICE}\nmode: board\n"
        f"broker: {{host: 127.0.0.1, port: {served.mqtt_port}}}\n"
        f"device: {{id: {DISPLAY}, password_file: display.password}}\n"
        "screen: {size: 1280x720, fullscreen: false}\nannouncer: {enabled: false}\n"
    )
    env = probe_env(display, folder, {"KIVY_NO_CONSOLELOG": "1"})
    board = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "kivy_board_probe.py"), str(config)],
        cwd=folder, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=(folder / "kivy.log").open("wb"), text=True,
    )  # fmt: skip
    try:
        read_line(board, "ready")  # type: ignore[arg-type]
        officer_calls(served, officer, calls)
        time.sleep(1.0)  # the last call's redraw
        return status_kb(board.pid)
    finally:
        assert board.stdin is not None
        board.stdin.close()
        try:
            board.wait(timeout=20)
        except subprocess.TimeoutExpired:
            board.kill()
            board.wait()


def status_kb(pid: int) -> dict[str, int]:
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in {"VmRSS", "VmHWM"}:
            values[name] = int(rest.split()[0])
    return values


def wait_for_lease(database: Path, within_s: float) -> None:
    """Until the kiosk holds a leased block of numbers (its maintenance runs every 30 s)."""
    import sqlite3

    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        with contextlib.closing(sqlite3.connect(database, timeout=5)) as connection:
            try:
                rows = connection.execute("SELECT COUNT(*) FROM leases").fetchone()[0]
            except sqlite3.OperationalError:  # the table is not there yet
                rows = 0
        if rows:
            return
        time.sleep(0.5)
    raise RuntimeError("the kiosk leased no offline numbers")


def wait_closed(port: int, within_s: float) -> None:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        except OSError:
            return
        time.sleep(0.1)
    raise RuntimeError(f"port {port} still open")


def run(count: int, *, with_board: bool = True) -> str:
    from common import database_url

    about = machine()
    with (
        database_url("sqlite") as url,
        tempfile.TemporaryDirectory(prefix="antre-p5touch-") as name,
        xvfb("1920x1080") as screen,
        RunningFakePrinter() as fake,
    ):
        folder = Path(name)
        os.chmod(folder, 0o755)  # the managed broker may run as another user
        served = Served(folder, url)
        secrets = register(served)
        served.start()
        clock = JobClock(fake)
        env = probe_env(
            screen,
            folder,
            {
                "ANTRE_KIOSK_OFFICE": OFFICE,
                "ANTRE_KIOSK_DEVICE": KIOSK,
                "ANTRE_KIOSK_PASSWORD": secrets[KIOSK],
                "ANTRE_KIOSK_PORT": str(served.mqtt_port),
                "ANTRE_KIOSK_TIMEZONE": "Asia/Makassar",
                "ANTRE_KIOSK_DB": str(folder / "kiosk.db"),
                "ANTRE_KIOSK_STATUS_URL": served.base,
            },
        )
        config = kiosk_files(folder, fake.port)
        spawned = time.time() * 1000
        kiosk = start_probe(
            ["--config", str(config), "--size", "1024x600"],
            env,
            folder,
            ["--journeys", str(2 * count), "--wait"],
        )
        try:
            first = read_line(kiosk, "first_frame")
            read_line(kiosk, "journeys_ready")
            # As after a boot, nobody touches the kiosk in its first seconds: the printer's
            # library is loaded in the background meanwhile (devices.config).
            time.sleep(PRINTER_WARM_UP_S + 2.0)
            assert kiosk.stdin is not None
            kiosk.stdin.write("memory\n")
            kiosk.stdin.flush()
            idle = read_line(kiosk, "memory_now")
            online = journeys(kiosk, clock, count, offline=False)
            wait_for_lease(folder / "kiosk.db", within_s=90)
            board = (
                display_memory(served, secrets[DISPLAY], screen, secrets["officer"], count)
                if with_board
                else {}
            )
            served.stop()
            wait_closed(served.mqtt_port, within_s=30)
            time.sleep(2.0)  # the kiosk's link notices the broker is gone
            offline = journeys(kiosk, clock, count, offline=True)
            assert kiosk.stdin is not None
            memory = read_line(kiosk, "memory")
            kiosk.wait(timeout=30)
        finally:
            served.stop()
            if kiosk.poll() is None:
                kiosk.kill()
                kiosk.wait()
    growth = growth_table(first, idle, online + offline)
    return report(about, count, first["at"] - spawned, online, offline, memory, board) + growth


def report(
    about: str,
    count: int,
    start_ms: float,
    online: list[dict[str, Any]],
    offline: list[dict[str, Any]],
    memory: dict[str, int],
    board: dict[str, int],
) -> str:
    def times(results: list[dict[str, Any]], key: str) -> str:
        return spread([result[key] for result in results], "ms")

    printed = sum(result["printed"] for result in online + offline)
    first, later = online[0], online[1:] or online
    return "\n".join(
        [
            f"machine: {about}",
            f"{count} journeys online then {count} offline; {printed} tickets printed;"
            f" live kiosk start → first frame {start_ms:.0f} ms",
            f"first ticket after the start: touch → printer has the job"
            f" {first['ms']:.0f} ms, → ticket on screen {first['screen_ms']:.0f} ms",
            f"online  touch → printer has the job: {times(later, 'ms')}",
            f"online  touch → ticket on screen:    {times(later, 'screen_ms')}",
            f"offline touch → printer has the job: {times(offline, 'ms')}",
            f"offline touch → ticket on screen:    {times(offline, 'screen_ms')}",
            f"kiosk VmRSS after the online journeys {online[-1]['rss_kb'] / 1024:.1f} MB,"
            f" after all {memory['VmRSS'] / 1024:.1f} MB (peak {memory['VmHWM'] / 1024:.1f} MB)",
            (
                f"Kivy lobby board VmRSS after {count} calls {board['VmRSS'] / 1024:.1f} MB"
                f" (peak {board['VmHWM'] / 1024:.1f} MB)"
                if board
                else "Kivy lobby board: not measured (--no-board)"
            ),
        ]
    )


def growth_table(first: dict[str, Any], idle: dict[str, Any], results: list[dict[str, Any]]) -> str:
    """The kiosk's memory after its start and after each journey (MB), and the growth per
    journey over the later half (a least-squares slope: a leak shows as a steady one)."""
    keys = [key for key in ("VmRSS", "Pss", "Uss", "Anonymous") if key in first]
    header = "| After | " + " | ".join(keys) + " |"
    lines = ["", "kiosk memory (MB):", header, "|---" * (len(keys) + 1) + "|"]

    def row(label: str, values: dict[str, Any]) -> str:
        return f"| {label} | " + " | ".join(f"{values[key] / 1024:.1f}" for key in keys) + " |"

    lines.append(row("first frame", first))
    lines.append(row(f"start + {PRINTER_WARM_UP_S + 2.0:.0f} s idle", idle))
    for number, result in enumerate(results, start=1):
        place = "offline" if result["offline"] else "online"
        lines.append(row(f"journey {number} ({place})", result["memory"]))
    later = results[len(results) // 2 :]
    if len(later) >= 2:
        for key in keys:
            slope = _slope([result["memory"][key] for result in later])
            lines.append(
                f"{key} growth per journey over journeys {len(results) - len(later) + 1}"
                f"–{len(results)}: {slope:+.0f} kB"
            )
        total = results[-1]["memory"]["VmRSS"] - results[0]["memory"]["VmRSS"]
        lines.append(f"VmRSS journey 1 → {len(results)}: {total / 1024:+.1f} MB")
    return "\n".join(lines)


def _slope(values: list[int]) -> float:
    """The least-squares slope of ``values`` over their index."""
    count = len(values)
    mean_x = (count - 1) / 2
    mean_y = sum(values) / count
    top = sum((index - mean_x) * (value - mean_y) for index, value in enumerate(values))
    return top / sum((index - mean_x) ** 2 for index in range(count))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--journeys", type=int, default=30)
    parser.add_argument("--quick", action="store_true", help="2 journeys each way")
    parser.add_argument("--no-board", action="store_true", help="skip the lobby board")
    args = parser.parse_args()
    print(run(2 if args.quick else args.journeys, with_board=not args.no_board))


if __name__ == "__main__":
    main()
