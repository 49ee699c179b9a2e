"""Runs the Kivy board on a live broker and screenshots it through a broker restart.

Run in its own process by tests/displays/test_board_live.py (the password comes in
``ANTRE_DISPLAY_PASSWORD``)::

    python -m tests.displays.board_live_driver OUT_DIR SIZE OFFICE DEVICE PORT [once]

It talks to the test through files in OUT_DIR: it writes ``rendered`` after the first full
board, ``lost`` once the link is down, and waits for ``expect`` (a ticket label the test
called after the restart) to be shown before it writes ``report.json`` and exits. With
``once`` it stops after the first full board (a display started after the restart).
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from devices.screen import prepare_window
from displays.board.model import BoardModel, BoardState

LIMIT_S = 60.0
SETTLE_S = 0.5
FIXED_NOW = datetime(2026, 3, 3, 1, 30, tzinfo=UTC)


def rendered(state: BoardState) -> bool:
    return state.connected and bool(state.office_name) and bool(state.services)


def main(out: Path, size: str, office: str, device: str, port: int, once: bool) -> int:
    prepare_window(size, fullscreen=False)
    from kivy.clock import Clock
    from kivy.core.window import Window

    from displays.board.app import BoardApp, post
    from displays.board.link import BoardLink, BoardLinkConfig

    model = BoardModel()
    app = BoardApp(model, now=lambda: FIXED_NOW)  # the same screenshot on every run
    config = BoardLinkConfig(office, device, os.environ["ANTRE_DISPLAY_PASSWORD"], port=port)
    link = BoardLink(config, model, post=post, changed=app.redraw)
    report: dict[str, Any] = {"shots": [], "phases": []}
    phase = {"name": "start", "since": 0.0}
    started = time.monotonic()

    def shot(name: str) -> None:
        saved = Window.screenshot(name=str(out / name))
        Path(saved).replace(out / name)
        report["shots"].append(name)
        report[name] = {
            "number": app.board.ids.number.text,
            "lost_mark": app.board.ids.lost.opacity > 0,
            "office": app.board.ids.office.text,
        }

    def reached(name: str, condition: bool) -> bool:
        """True once ``condition`` held for SETTLE_S (layout and redraw done)."""
        if not condition:
            phase["since"] = 0.0
            return False
        phase["since"] = phase["since"] or time.monotonic()
        return time.monotonic() - phase["since"] >= SETTLE_S

    def step(_dt: float) -> None:
        state = model.state()
        if time.monotonic() - started > LIMIT_S:
            report["error"] = f"stuck in {phase['name']}"
            app.stop()
        elif phase["name"] == "start" and reached("start", rendered(state)):
            shot(f"board-live-{'fresh' if once else 'before'}.png")
            _advance(phase, "up", out / "rendered")
            if once:
                app.stop()
        elif phase["name"] == "up" and reached("up", not state.connected):
            shot("board-live-lost.png")
            _advance(phase, "lost", out / "lost")
        elif phase["name"] == "lost" and reached("lost", _expected_shown(out, state)):
            shot("board-live-after.png")
            report["newest"] = state.newest_call.ticket if state.newest_call else None
            app.stop()

    link.start()
    Clock.schedule_interval(step, 0.1)
    app.run()
    link.close()
    report["phases"] = phase["name"]
    (out / "report.json").write_text(json.dumps(report, indent=2))
    return 0


def _advance(phase: dict[str, Any], name: str, marker: Path) -> None:
    phase["name"], phase["since"] = name, 0.0
    marker.write_text(name)


def _expected_shown(out: Path, state: BoardState) -> bool:
    expect = out / "expect"
    if not expect.exists() or not state.connected:
        return False
    label = expect.read_text().strip()
    newest = state.newest_call
    return (
        newest is not None
        and newest.ticket == label
        and any(s.ticket == label for s in state.serving)
    )


if __name__ == "__main__":
    args = sys.argv[1:]
    sys.exit(main(Path(args[0]), args[1], args[2], args[3], int(args[4]), args[5:] == ["once"]))
