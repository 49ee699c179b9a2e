"""The e-passport path of the Kivy kiosk under Xvfb, driven by touches (passport_driver.py).

The screenshots go to the test's folder and are copied to /tmp/antre-kiosk-shots/.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.kiosk.test_app_screens import ROOT, SHOTS

pytestmark = pytest.mark.timeout(180)


def _drive(display: str, out_dir: Path, size: str) -> dict[str, Any]:
    environment = {
        **os.environ,
        "DISPLAY": display,
        "KIVY_HOME": str(out_dir / "kivy-home"),
        "KIVY_NO_ARGS": "1",
        "KIVY_NO_CONSOLELOG": "1",
        "SDL_AUDIODRIVER": "dummy",
    }
    done = subprocess.run(
        [sys.executable, "-m", "tests.kiosk.passport_driver", str(out_dir), size],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=150,
        check=False,
    )
    report_path = out_dir / "report.json"
    assert done.returncode == 0 and report_path.exists(), done.stderr[-3000:]
    SHOTS.mkdir(parents=True, exist_ok=True)
    for picture in out_dir.glob(f"passport-{size}-*.png"):
        shutil.copy(picture, SHOTS / picture.name)
    report: dict[str, Any] = json.loads(report_path.read_text())
    return report


@pytest.mark.parametrize("size", ["1024x600", "1080x1920"])
def test_pickup_with_the_e_passport_chip(x_display: str, tmp_path: Path, size: str) -> None:
    report = _drive(x_display, tmp_path, size)
    assert report.get("error") is None, report.get("error")
    assert report["screens"] == [
        "nik",
        "mrz-number",
        "mrz-birth",
        "mrz-expiry",
        "chip-reading",
        "mrz-refused",
        "chip-retry",
        "chip-retry-id",
        "ticket",
    ]
    assert report["passport_numbers"] == ["L898902C3"], "the number read from the chip"
    assert report["mrz_left"] == "", "nothing typed stays on screen"
    for name in report["screens"]:
        assert (tmp_path / f"passport-{size}-{name}0001.png").stat().st_size > 10_000
    small = [b for b in report["buttons"] if b["height"] < b["min_px"] and not b["hidden"]]
    assert small == [], "touch targets keep their minimum height"
    clipped = [b for b in report["buttons"] if b["texture_w"] > b["width"]]
    assert clipped == [], "no button text is wider than its button"
    offered = [b for b in report["buttons"] if b["text"] == "Use my e-passport instead"]
    assert [b["screen"] for b in offered] == ["nik"]
