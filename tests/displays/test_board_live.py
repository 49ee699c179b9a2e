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

from tests.displays.test_board_screens import DOCS_SHOTS, ROOT
from tests.mqtt.live import OFFICE, WAIT_S, LiveServer, wait_until
from tests.mqtt.test_resilience import call_one

pytestmark = [pytest.mark.timeout(180), pytest.mark.slow]
SIZE = "1280x720"


def start_board(live: LiveServer, display: str, out: Path, *extra: str) -> subprocess.Popen[str]:
    out.mkdir(parents=True, exist_ok=True)
    environment = {
        **os.environ,
        "DISPLAY": display,
        "KIVY_HOME": str(out / "kivy-home"),
        "KIVY_NO_ARGS": "1",
        "KIVY_NO_CONSOLELOG": "1",
        "SDL_AUDIODRIVER": "dummy",
        "ANTRE_DISPLAY_PASSWORD": live.passwords["lobby-1"],
    }
    command = [
        sys.executable,
        "-m",
        "tests.displays.board_live_driver",
        str(out),
        SIZE,
        OFFICE,
        "lobby-1",
        str(live.port),
        *extra,
    ]
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env=environment,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


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
        "board-live-before.png",
        "board-live-lost.png",
        "board-live-after.png",
    ]
    assert report["board-live-before.png"]["lost_mark"] is False
    assert report["board-live-lost.png"]["lost_mark"] is True
    assert report["board-live-lost.png"]["office"]  # the last board stays on screen
    assert report["board-live-after.png"] == {
        "number": label,
        "lost_mark": False,
        "office": report["board-live-lost.png"]["office"],
    }
    # A display started after the restart draws the board from the retained messages alone.
    fresh_out = tmp_path / "fresh"
    fresh = finished(start_board(live, x_display, fresh_out, "once"), fresh_out)
    assert fresh["board-live-fresh.png"]["number"] == label
    assert fresh["board-live-fresh.png"]["office"]
    DOCS_SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(out / "board-live-lost.png", DOCS_SHOTS / "board-1280x720-live-lost.png")
    shutil.copy(
        fresh_out / "board-live-fresh.png", DOCS_SHOTS / "board-1280x720-live-after-restart.png"
    )
