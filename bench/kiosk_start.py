"""P5 cold start: ``python -m kiosk.app`` from process start to the first interactive frame.

Usage: python bench/kiosk_start.py [--starts 20] [--size 1024x600] [--quick]

Each start is a fresh Python process (bench/kiosk_probe.py runs the kiosk's own ``main``
with ``--demo``) under one Xvfb started by this script. The time is taken from just before
the process is spawned to the first buffer swap after the app's root widget exists (the
welcome screen is drawn and takes touches), both on the system clock. The resident memory
(VmRSS) at that frame is reported too, and the same for an empty Kivy app of one label
(``--empty``: the floor under the kiosk). Files stay in the page cache between starts (a
"cold" start here is a new process, not a cold disk).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PROBE = ROOT / "bench" / "kiosk_probe.py"
START_TIMEOUT_S = 60.0


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def spread(samples: list[float], unit: str, digits: int = 0) -> str:
    """``p50 … p95 … max …`` of ``samples``."""
    if not samples:
        return "no samples"
    return (
        f"p50 {statistics.median(samples):.{digits}f} {unit}, "
        f"p95 {percentile(samples, 0.95):.{digits}f} {unit}, "
        f"max {max(samples):.{digits}f} {unit} (n={len(samples)})"
    )


@contextmanager
def xvfb(size: str) -> Iterator[str]:
    """An Xvfb server of its own; yields its DISPLAY."""
    if shutil.which("Xvfb") is None:
        raise SystemExit("Xvfb is needed (Debian: apt-get install xvfb)")
    number = 120 + os.getpid() % 100
    server = subprocess.Popen(
        ["Xvfb", f":{number}", "-screen", "0", f"{size}x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    socket = Path(f"/tmp/.X11-unix/X{number}")
    deadline = time.monotonic() + 10
    while not socket.exists() and time.monotonic() < deadline and server.poll() is None:
        time.sleep(0.05)
    try:
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def probe_env(display: str, folder: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    return {
        **os.environ,
        "DISPLAY": display,
        "KIVY_HOME": str(folder / "kivy-home"),
        "SDL_AUDIODRIVER": "dummy",
        "PYTHONPATH": str(ROOT),
        **(extra or {}),
    }


def start_probe(
    kiosk_args: list[str], env: dict[str, str], folder: Path, probe_args: list[str] | None = None
) -> subprocess.Popen[str]:
    command = [sys.executable, str(PROBE), *(probe_args or []), "--", *kiosk_args]
    return subprocess.Popen(
        command,
        cwd=folder,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=(folder / "kiosk.log").open("ab"),
        text=True,
    )


def read_line(process: subprocess.Popen[str], stage: str) -> dict[str, Any]:
    """The probe's next line of ``stage`` (an ``error`` line or an exit raises)."""
    assert process.stdout is not None
    for raw in process.stdout:
        if not raw.startswith("{"):
            continue
        line: dict[str, Any] = json.loads(raw)
        if line["stage"] == "error":
            raise RuntimeError(f"the kiosk probe stopped: {line}")
        if line["stage"] == stage:
            return line
    raise RuntimeError(f"the kiosk exited (code {process.wait()}) before {stage!r}")


def one_start(display: str, folder: Path, size: str, *, empty: bool = False) -> dict[str, float]:
    env = probe_env(display, folder)
    spawned_ms = time.time() * 1000
    probe_args = ["--empty"] if empty else []
    process = start_probe(["--demo", "--size", size], env, folder, probe_args)
    try:
        line = read_line(process, "first_frame")
        process.wait(timeout=START_TIMEOUT_S)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return {"start_ms": line["at"] - spawned_ms, "rss_mb": line["VmRSS"] / 1024}


def machine() -> str:
    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    load = os.getloadavg()[0]
    return (
        f"{os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}, "
        f"Xvfb with Mesa llvmpipe, load average before the run {load:.2f}"
    )


def run(starts: int, size: str) -> str:
    about = machine()
    with tempfile.TemporaryDirectory(prefix="antre-p5start-") as name, xvfb(size) as display:
        folder = Path(name)
        one_start(display, folder, size)  # Kivy's first run writes its config: not counted
        results = [one_start(display, folder, size) for _ in range(starts)]
        floors = [one_start(display, folder, size, empty=True) for _ in range(max(2, starts // 4))]
    times = [result["start_ms"] for result in results]
    memory = [result["rss_mb"] for result in results]
    return "\n".join(
        [
            f"machine: {about}",
            f"kiosk --demo --size {size}, {starts} fresh processes after one unmeasured start",
            f"process spawn → first interactive frame: {spread(times, 'ms')}",
            f"resident memory at the first frame: {spread(memory, 'MB', 1)}",
            "floor, an empty Kivy app (one label, same window settings):"
            f" {spread([floor['start_ms'] for floor in floors], 'ms')};"
            f" {spread([floor['rss_mb'] for floor in floors], 'MB', 1)}",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--starts", type=int, default=20)
    parser.add_argument("--size", default="1024x600")
    parser.add_argument("--quick", action="store_true", help="2 starts: proves the script works")
    args = parser.parse_args()
    print(run(2 if args.quick else args.starts, args.size))


if __name__ == "__main__":
    main()
