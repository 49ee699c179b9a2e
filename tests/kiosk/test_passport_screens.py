"""The e-passport path of the Kivy kiosk under Xvfb, driven by touches (passport_driver.py).

The screenshots go to the test's folder and are copied to /tmp/antre-kiosk-shots/.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.kiosk.kivy_process import driver_report

pytestmark = pytest.mark.timeout(180)


def _drive(display: str, out_dir: Path, size: str) -> dict[str, Any]:
    return driver_report(
        "tests.kiosk.passport_driver",
        display,
        out_dir,
        size,
        shots=f"passport-{size}-*.png",
        timeout_s=150,
    )


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
