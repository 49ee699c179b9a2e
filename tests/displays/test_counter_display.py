"""The Kivy counter display under Xvfb: one counter's number, big, and its status."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.displays.test_board_screens import DOCS_SHOTS, ROOT

pytestmark = [pytest.mark.timeout(120), pytest.mark.slow]
AMBER = (0.85, 0.55, 0.05)


def show(display: str, out: Path, size: str, status: str, *extra: str) -> dict[str, Any]:
    environment = {
        **os.environ, "DISPLAY": display, "KIVY_HOME": str(out / "kivy-home"),
        "KIVY_NO_ARGS": "1", "KIVY_NO_CONSOLELOG": "1", "SDL_AUDIODRIVER": "dummy",
    }
    done = subprocess.run(
        [sys.executable, "-m", "tests.displays.counter_driver", str(out), size, status, *extra],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60, check=False,
    )
    assert done.returncode == 0 and (out / "report.json").exists(), done.stderr[-3000:]
    report: dict[str, Any] = json.loads((out / "report.json").read_text())
    return report


def pixel(path: Path, x: float, y_from_bottom: float) -> tuple[int, int, int]:
    """The colour at Kivy coordinates (origin bottom left) in the screenshot."""
    with Image.open(path) as image:
        rgb = image.convert("RGB")
        r, g, b = rgb.getpixel((int(x), rgb.height - 1 - int(y_from_bottom)))
    return r, g, b


@pytest.mark.parametrize("size", ["1280x720", "800x480"])
def test_a_called_ticket_is_big_with_its_counter(
    x_display: str, tmp_path: Path, size: str
) -> None:
    report = show(x_display, tmp_path, size, "called")
    width, height = (int(p) for p in size.split("x"))
    assert report["window"] == [width, height]
    assert report["number"]["text"] == "B-007"
    assert report["number"]["font_size"] >= 0.3 * height
    assert report["number"]["texture"][0] <= report["number"]["width"]
    assert "Loket 2" in report["texts"]
    assert "Silakan menuju loket ini · Please come to this counter" in report["texts"]
    assert "Koneksi terputus · Connection lost" not in report["texts"]
    assert report["cut"] == []
    # The status band is amber on screen (read back from the screenshot, not the widget).
    x, y, w, h = report["band"]["box"]
    r, g, b = pixel(tmp_path / report["shot"], x + w / 50, y + h / 2)
    assert abs(r - AMBER[0] * 255) < 20 and abs(g - AMBER[1] * 255) < 20 and b < 60
    DOCS_SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(tmp_path / report["shot"], DOCS_SHOTS / report["shot"])


@pytest.mark.parametrize(("status", "words"), [
    ("serving", "Sedang dilayani · Now serving"),
    ("idle", "Silakan tunggu nomor Anda · Please wait for your number"),
    ("closed", "Loket tutup · Counter closed"),
])
def test_each_counter_status_is_said(
    x_display: str, tmp_path: Path, status: str, words: str
) -> None:
    report = show(x_display, tmp_path, "1280x720", status)
    assert words in report["texts"]
    assert report["number"]["text"] == ("B-007" if status == "serving" else "—")
    assert report["cut"] == []
    if status == "serving":
        shutil.copy(tmp_path / report["shot"], DOCS_SHOTS / report["shot"])


def test_a_lost_link_is_marked_and_the_number_stays(x_display: str, tmp_path: Path) -> None:
    report = show(x_display, tmp_path, "1280x720", "called", "disconnected")
    assert "Koneksi terputus · Connection lost" in report["texts"]
    assert report["number"]["text"] == "B-007"
