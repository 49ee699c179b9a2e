"""No way out for the public: Escape, a close request and F1 leave the kiosk's window
running; systemd's SIGTERM stops it cleanly; READY=1 and the watchdog's beats come from the
window's clock. Runs a real Kivy window under Xvfb in its own process."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.kiosk.conftest import x_display

__all__ = ["x_display"]
ROOT = Path(__file__).resolve().parents[2]
WAIT_S = 30.0

pytestmark = pytest.mark.timeout(120)


def _read_line(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    return process.stdout.readline().strip()


def test_the_window_cannot_be_left_but_systemd_can_stop_it(x_display: str, tmp_path: Path) -> None:
    notify_path = tmp_path / "notify"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as listener:
        listener.bind(str(notify_path))
        listener.settimeout(WAIT_S)
        environment = {
            **{key: value for key, value in os.environ.items() if not key.startswith("KIVY")},
            "DISPLAY": x_display,
            "KIVY_HOME": str(tmp_path / "kivy-home"),
            "KIVY_NO_CONSOLELOG": "1",
            "SDL_AUDIODRIVER": "dummy",
            "NOTIFY_SOCKET": str(notify_path),
        }
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.devices.lockdown_app"],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            lines = [_read_line(process) for _ in range(3)]
            assert lines == ["close refused: True", "settings open: False", "still running"], lines
            beats = [listener.recv(64) for _ in range(3)]
            assert beats == [b"READY=1", b"WATCHDOG=1", b"WATCHDOG=1"]
            assert process.poll() is None  # Escape and the close request did not end it
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=WAIT_S) == 0
            assert _read_line(process) == "stopped"
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            if process.stderr is not None:
                process.stderr.close()
            if process.stdout is not None:
                process.stdout.close()
