"""Runs the Kivy board on a live broker and screenshots it through a broker restart.

Run in its own process by tests/displays/test_board_live.py, from a display configuration
file, as ``antre display --config`` runs (with a recording player for the announcer)::

    python -m tests.displays.board_live_driver OUT_DIR CONFIG [once]

It talks to the test through files in OUT_DIR: it writes ``rendered`` after the first full
board, ``lost`` once the link is down, and waits for ``expect`` (a ticket label the test
called after the restart) to be shown before it writes ``report.json`` and exits. With
``once`` it stops after the first full board (a display started after the restart).
"""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from displays.announcer.player import RecordingPlayer
from displays.board.model import BoardState
from displays.config import load

LIMIT_S = 60.0
SETTLE_S = 0.5
#: The test office's fake clock (tests/services/clock.py: MONDAY_10_WITA): the board shows
#: 10:00 on every run and the announcer finds the calls fresh.
FIXED_NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def rendered(state: BoardState) -> bool:
    return state.connected and bool(state.office_name) and bool(state.services)


def main(out: Path, config: Path, once: bool) -> int:
    from displays.run import assemble

    settings, password = load(config)
    player = RecordingPlayer(scale=0.0)
    display = assemble(settings, password, player=player, now=lambda: FIXED_NOW)
    app, model, link = display.app, display.model, display.link
    from kivy.clock import Clock
    from kivy.core.window import Window

    report: dict[str, Any] = {"shots": [], "phases": []}
    phase = {"name": "start", "since": 0.0}
    started = time.monotonic()

    def shot(name: str) -> None:
        saved = Window.screenshot(name=str(out / name))
        Path(saved).replace(out / name)
        report["shots"].append(name)
        number = app.board.ids.number
        report[name] = {"number": number.text,
                        "number_box": [number.center_x - number.texture_size[0] / 2,
                                       number.center_y - number.texture_size[1] / 2,
                                       *number.texture_size],
                        "window": list(Window.size),
                        "lost_mark": app.board.ids.lost.opacity > 0,
                        "office": app.board.ids.office.text,
                        "recent": [row.children[-1].text
                                   for row in reversed(app.board.ids.recent.children)
                                   if row.children],
                        "ticker": app.board.ids.ticker.shown}

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
    display.close()
    report["phases"] = phase["name"]
    report["announced"] = [] if display.announcer is None else display.announcer.announced
    report["played"] = [item.path.name for item in player.played]
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
    return newest is not None and newest.ticket == label and any(
        s.ticket == label for s in state.serving
    )


if __name__ == "__main__":
    args = sys.argv[1:]
    sys.exit(main(Path(args[0]), Path(args[1]), args[2:] == ["once"]))
