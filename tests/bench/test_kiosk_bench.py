"""The P5/P6 kiosk benchmarks run end to end in their quick mode (the numbers themselves
are not checked here: benchmarks are never timed assertions)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).parents[2] / "bench"
needs_xvfb = pytest.mark.skipif(shutil.which("Xvfb") is None, reason="needs Xvfb")


@needs_xvfb
def test_cold_start_benchmark_reports_times_and_memory() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH / "kiosk_start.py"), "--quick"],
        capture_output=True, text=True, timeout=240, check=True,
    )  # fmt: skip
    assert "process spawn → first interactive frame: p50" in done.stdout
    assert "(n=2)" in done.stdout
    assert "resident memory at the first frame" in done.stdout


@needs_xvfb
@pytest.mark.skipif(shutil.which("mosquitto") is None, reason="needs Mosquitto")
def test_touch_benchmark_prints_online_and_offline_tickets() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH / "kiosk_touch.py"), "--quick"],
        capture_output=True, text=True, timeout=400, check=True,
    )  # fmt: skip
    assert "2 journeys online then 2 offline; 4 tickets printed" in done.stdout
    for line in ("online  touch → printer has the job", "offline touch → printer has the job"):
        assert line in done.stdout
    assert "Kivy lobby board VmRSS after 2 calls" in done.stdout
    # P6: the memory after each of the 4 journeys, and the growth per journey.
    rows = [line for line in done.stdout.splitlines() if line.startswith("| journey ")]
    assert [row.split("|")[1].strip() for row in rows] == [
        "journey 1 (online)", "journey 2 (online)", "journey 3 (offline)", "journey 4 (offline)",
    ]  # fmt: skip
    assert "VmRSS growth per journey over journeys 3–4:" in done.stdout


@needs_xvfb
def test_memory_breakdown_names_each_stage_and_mapping() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH / "kiosk_memory.py"), "--journeys", "1"],
        capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    for stage in ("Kivy's window: SDL2 and the OpenGL driver", "after journey 1"):
        assert f"| {stage} |" in done.stdout
    assert "child exited" not in done.stdout
    total = next(line for line in done.stdout.splitlines() if line.startswith("| total |"))
    assert float(total.split("|")[2]) > 50  # MB: a Kivy window and the kiosk in it
