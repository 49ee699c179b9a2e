"""Running a Kivy driver (tests/kiosk/*_driver.py, gallery.py) in its own process under
the test's Xvfb display: Kivy keeps global state (window, Clock, kv rules), so each window
size gets a fresh interpreter. The pictures it writes are copied to :data:`SHOTS`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SHOTS = Path("/tmp/antre-kiosk-shots")


def run_driver(
    module: str,
    display: str,
    out_dir: Path,
    *args: str,
    timeout_s: float,
    defaults: Mapping[str, str] | None = None,
    overrides: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """``python -m module out_dir *args`` on ``display`` with its own Kivy home, no Kivy
    argument parsing, console log or sound. ``defaults`` are below the test's environment,
    ``overrides`` above it."""
    environment = {
        **(defaults or {}),
        **os.environ,
        "DISPLAY": display,
        "KIVY_HOME": str(out_dir / "kivy-home"),
        "KIVY_NO_ARGS": "1",
        "KIVY_NO_CONSOLELOG": "1",
        "SDL_AUDIODRIVER": "dummy",
        **(overrides or {}),
    }
    return subprocess.run(
        [sys.executable, "-m", module, str(out_dir), *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )


def keep_shots(out_dir: Path, pattern: str) -> None:
    """Copy the pictures of ``out_dir`` matching ``pattern`` to :data:`SHOTS`."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for picture in out_dir.glob(pattern):
        shutil.copy(picture, SHOTS / picture.name)


def driver_report(
    module: str,
    display: str,
    out_dir: Path,
    *args: str,
    shots: str,
    timeout_s: float,
    defaults: Mapping[str, str] | None = None,
    overrides: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Run a driver that writes ``out_dir/report.json``; its report once it ended well (the
    driver's stderr in the failure otherwise), its ``shots`` pictures kept."""
    done = run_driver(
        module,
        display,
        out_dir,
        *args,
        timeout_s=timeout_s,
        defaults=defaults,
        overrides=overrides,
    )
    report_path = out_dir / "report.json"
    assert done.returncode == 0 and report_path.exists(), done.stderr[-3000:]
    report: dict[str, Any] = json.loads(report_path.read_text())
    keep_shots(out_dir, shots)
    return report
