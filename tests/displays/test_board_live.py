"""The Kivy board under Xvfb on the real server and Mosquitto, through a broker restart.

The board runs in its own process (tests/displays/board_live_driver.py) and tells this
test, through files, when it drew the board and when it saw the link go down.
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
from PIL import Image

from tests.displays.test_board_screens import DOCS_SHOTS, ROOT
from tests.mqtt.live import OFFICE, WAIT_S, LiveServer, wait_until
from tests.mqtt.test_resilience import call_one

pytestmark = [pytest.mark.timeout(180), pytest.mark.slow]
SIZE = "1280x720"
TICKER = "Layanan gratis, tanpa calo · All services are free of charge, no brokers"
AMBER = (255, 214, 64)  # the called number's colour (1, 0.84, 0.25)




def display_config(live: LiveServer, out: Path) -> Path:
    """The lobby display's configuration file, as an office would write it."""
    (out / "display.password").write_text(live.passwords["lobby-1"] + "\n")
    path = out / "display.yaml"
    path.write_text(
        f"office: {OFFICE}\n"
        f"broker: {{host: 127.0.0.1, port: {live.port}}}\n"
        "device: {id: lobby-1, password_file: display.password}\n"
        f"screen: {{size: {SIZE}, fullscreen: false}}\n"
        f"ticker: {{lines: [{TICKER!r}]}}\n"
        "announcer: {chime: true}\n"
    )
    return path


def start_board(live: LiveServer, display: str, out: Path, *extra: str) -> subprocess.Popen[str]:
    out.mkdir(parents=True, exist_ok=True)
    environment = {
        **os.environ, "DISPLAY": display, "KIVY_HOME": str(out / "kivy-home"),
        "KIVY_NO_ARGS": "1", "KIVY_NO_CONSOLELOG": "1", "SDL_AUDIODRIVER": "dummy",
    }
    command = [sys.executable, "-m", "tests.displays.board_live_driver", str(out),
               str(display_config(live, out)), *extra]
    return subprocess.Popen(command, cwd=ROOT, env=environment, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def amber_share(shot: Path, shown: dict[str, Any]) -> float:
    """The share of pixels in the called number's box that are its amber colour: read
    from the screenshot itself, so a number drawn in the wrong place or colour fails."""
    x, y, width, height = shown["number_box"]
    with Image.open(shot) as image:
        rgb = image.convert("RGB")
        top = rgb.height - int(y + height)
        box = rgb.crop((int(x), top, int(x + width), top + int(height)))
        pixels = [box.getpixel((i, j)) for i in range(0, box.width, 2)
                  for j in range(0, box.height, 2)]
    near = [p for p in pixels if all(abs(c - a) < 40 for c, a in zip(p, AMBER, strict=True))]
    return len(near) / max(1, len(pixels))


def finished(board: subprocess.Popen[str], out: Path) -> dict[str, Any]:
    try:
        _, errors = board.communicate(timeout=WAIT_S * 3)
    except subprocess.TimeoutExpired:
        board.kill()
        _, errors = board.communicate()
    assert board.returncode == 0 and (out / "report.json").exists(), errors[-3000:]
    report: dict[str, Any] = json.loads((out / "report.json").read_text())
    assert report.get("error") is None, (report, errors[-3000:])
    return report


def test_the_board_draws_again_after_a_broker_restart(
    live: LiveServer, x_display: str, tmp_path: Path
) -> None:
    out = tmp_path / "board"
    board = start_board(live, x_display, out)
    try:
        assert wait_until(lambda: (out / "rendered").exists() or board.poll() is not None)
        assert live.runtime is not None and live.runtime.broker is not None
        live.runtime.broker.supervisor.stop()
        live.runtime.broker.process.stop()
        assert wait_until(lambda: (out / "lost").exists() or board.poll() is not None)
        live.runtime.broker.process.relaunch()
        assert live.runtime.client.connected.wait(WAIT_S)
        label = call_one(live, "cs-1")
        (out / "expect").write_text(label)
        report = finished(board, out)
    finally:
        if board.poll() is None:
            board.kill()
            board.communicate()
    assert report["shots"] == [
        "board-live-before.png", "board-live-lost.png", "board-live-after.png"]
    assert report["board-live-before.png"]["lost_mark"] is False
    assert report["board-live-lost.png"]["lost_mark"] is True
    assert report["board-live-lost.png"]["office"]  # the last board stays on screen
    after = report["board-live-after.png"]
    assert (after["number"], after["lost_mark"], after["office"]) == (
        label, False, report["board-live-lost.png"]["office"])
    assert after["recent"][0] == label
    # A display started after the restart draws the board from the retained messages alone.
    fresh_out = tmp_path / "fresh"
    fresh = finished(start_board(live, x_display, fresh_out, "once"), fresh_out)
    shown = fresh["board-live-fresh.png"]
    assert shown["number"] == label
    assert shown["office"]
    # The last calls are filled from the retained board: no call was heard since the start.
    assert shown["recent"] == [label]
    assert shown["ticker"] == TICKER
    assert amber_share(fresh_out / "board-live-fresh.png", shown) > 0.15
    assert amber_share(out / "board-live-after.png", after) > 0.15
    # The announcer shared the link: the call made after the restart was spoken once.
    assert report["announced"] and len(report["played"]) == 3 * len(report["announced"])
    assert fresh["announced"] == []  # a display started later does not speak old calls
    DOCS_SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(out / "board-live-lost.png", DOCS_SHOTS / "board-1280x720-live-lost.png")
    shutil.copy(fresh_out / "board-live-fresh.png",
                DOCS_SHOTS / "board-1280x720-live-after-restart.png")
