"""The Kivy lobby board under a real X server (Xvfb), in three window sizes.

Kivy keeps global state, so each size runs tests/displays/board_driver.py in its own
process; this module never imports Kivy. The screenshots are copied to docs/screenshots/.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
DOCS_SHOTS = ROOT / "docs" / "screenshots"
DRIVER_TIMEOUT_S = 60
#: The newest call's number is at least this share of the screen height (its font size).
MIN_NUMBER_SHARE = 0.12

pytestmark = [pytest.mark.timeout(120), pytest.mark.slow]


def _show(display: str, out_dir: Path, size: str, *extra: str) -> dict[str, Any]:
    environment = {
        **os.environ,
        "DISPLAY": display,
        "KIVY_HOME": str(out_dir / "kivy-home"),
        "KIVY_NO_ARGS": "1",
        "KIVY_NO_CONSOLELOG": "1",
        "SDL_AUDIODRIVER": "dummy",
    }
    done = subprocess.run(
        [sys.executable, "-m", "tests.displays.board_driver", str(out_dir), size, *extra],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=DRIVER_TIMEOUT_S,
        check=False,
    )
    report_path = out_dir / "report.json"
    assert done.returncode == 0 and report_path.exists(), done.stderr[-3000:]
    report: dict[str, Any] = json.loads(report_path.read_text())
    if not {"many", "update"} & set(extra):  # the regression pictures are not documentation
        DOCS_SHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(out_dir / report["shot"], DOCS_SHOTS / report["shot"])
    return report


def texts(report: dict[str, Any]) -> list[str]:
    return [label["text"] for label in report["labels"] if label["visible"]]


def cut_texts(report: dict[str, Any]) -> list[str]:
    """The visible texts wider than their box."""
    return [label["text"] for label in report["labels"] if label["visible"] and label["shortened"]]


@pytest.mark.parametrize("size", ["1920x1080", "1080x1920", "1280x720"])
def test_the_board_is_readable_in_every_size(x_display: str, tmp_path: Path, size: str) -> None:
    report = _show(x_display, tmp_path, size)
    width, height = (int(part) for part in size.split("x"))
    assert report["window"] == [width, height]
    number = report["number"]
    assert number["text"] == "A-012"
    assert number["font_size"] >= MIN_NUMBER_SHARE * height
    assert number["texture"][0] <= number["width"]  # the whole number fits its box
    shown = texts(report)
    assert "Kantor Imigrasi Kelas I TPI Denpasar" in shown
    assert "Nomor dipanggil · Now calling" in shown
    assert "Panggilan terakhir · Last calls" in shown
    assert shown.count("A-012") >= 2  # the big number and the highlighted last call
    assert "14 menunggu · 14 waiting" in shown
    assert "Sekitar 63 menit · About 63 min" in shown
    assert "09:30" in shown  # 01:30 UTC in Asia/Makassar
    assert "Koneksi terputus · Connection lost" not in shown
    assert cut_texts(report) == []
    # The long service name is shown whole (wrapped or smaller), never cut.
    assert (
        "Penggantian Paspor Hilang atau Rusak · Replacement of a Lost or Damaged Passport" in shown
    )
    # The ticker shows the first line and moves it right to left, frame after frame.
    ticker = report["ticker"]
    assert ticker["visible"] and ticker["shown"] == ticker["lines"][0]
    assert ticker["font_size"] >= 0.025 * min(width, height)
    moved = report["ticker_x"][report["ticker_moved_at"] :]  # positions after the driver's move
    assert len(moved) >= 3 and all(b <= a for a, b in itertools.pairwise(moved))
    assert moved[-1] < moved[0]


@pytest.mark.parametrize("size", ["1280x720", "1080x1920"])
def test_twelve_services_leave_the_called_number_whole(
    x_display: str, tmp_path: Path, size: str
) -> None:
    """Regression: with a real office's 12 services the waiting tiles took most of the
    height and the called number was drawn over the office's name."""
    report = _show(x_display, tmp_path, size, "many")
    height = int(size.split("x")[1])
    assert report["number"]["font_size"] >= MIN_NUMBER_SHARE * height
    number, body = report["number_box"], report["body_box"]
    assert number["y"] >= body["y"] - 1, "the number reaches below its panel"
    assert number["top"] <= body["top"] + 1, "the number reaches over the top bar"
    assert "Layanan P · Service P" in texts(report)  # the twelfth service is there


def test_a_call_updates_the_board_in_one_redraw_keeping_its_widgets(
    x_display: str, tmp_path: Path
) -> None:
    """A call brings three messages; a board on a Pi must not rebuild every tile for each
    (measured: 54 ms a rebuild, tails of 0.5 s). One redraw, the same widgets, new texts."""
    report = _show(x_display, tmp_path, "1280x720", "update")
    update = report["update"]
    assert update["redraws"] == 1
    assert update["service_cells_kept"] and update["recent_rows_kept"]
    assert update["first_recent"] == ["C-001", "Loket 3"]
    assert report["number"]["text"] == "C-001"
    assert "3 menunggu · 3 waiting" in texts(report)  # Pengaduan had none
    assert cut_texts(report) == []


def test_a_lost_connection_is_marked(x_display: str, tmp_path: Path) -> None:
    report = _show(x_display, tmp_path, "1280x720", "disconnected")
    assert "Koneksi terputus · Connection lost" in texts(report)
    assert cut_texts(report) == []
    assert report["number"]["text"] == "A-012"  # the last state stays on screen


def test_a_tv_on_its_side_shows_an_upright_portrait_board(x_display: str, tmp_path: Path) -> None:
    """``screen.orientation: portrait`` on a 1920x1080 output: the board is laid out for a
    1080x1920 screen and turned a quarter, drawn by the board itself (no window rotation)."""
    report = _show(x_display, tmp_path, "1920x1080", "turned")
    assert report["window"] == [1920, 1080]
    assert report["board"] == [1080, 1920] and report["layout"] == "vertical"
    assert report["number"]["font_size"] >= MIN_NUMBER_SHARE * 1920
    assert cut_texts(report) == []
    # The picture is the portrait board turned a quarter counter-clockwise (the TV is
    # turned clockwise): compared pixel by pixel with the portrait board's own screenshot.
    (tmp_path / "portrait").mkdir()
    portrait = _show(x_display, tmp_path / "portrait", "1080x1920")
    with (
        Image.open(tmp_path / report["shot"]) as turned_image,
        Image.open(tmp_path / "portrait" / portrait["shot"]) as portrait_image,
    ):
        turned = turned_image.convert("L")
        upright = portrait_image.convert("L")
        right_way = _difference(turned, upright.rotate(90, expand=True))
        wrong_way = _difference(turned, upright.rotate(-90, expand=True))
    assert right_way < 12 and wrong_way > 3 * right_way, (right_way, wrong_way)


def _difference(first: Image.Image, second: Image.Image) -> float:
    """The mean absolute grey-level difference, on a coarse grid of points."""
    assert first.size == second.size
    points = [(x, y) for x in range(0, first.width, 8) for y in range(0, first.height, 8)]
    total = sum(
        abs(int(first.getpixel(p)) - int(second.getpixel(p)))  # type: ignore[arg-type]
        for p in points
    )
    return total / len(points)
