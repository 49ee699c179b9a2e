"""Drives a drive-thru lane kiosk (Kivy) linked to the broker and server that
``ANTRE_KIOSK_*`` name (``ANTRE_KIOSK_LANE`` its lane), scanning through the scanner
callback as a real scanner does.

Run in its own process (Kivy keeps global state) by tests/kiosk/test_lane_live.py::

    python -m tests.kiosk.lane_driver OUT_DIR SIZE online|offline

``online`` scans a ready application (Indonesian), the same one again after the answer
went, a number without a ready passport (English) and a NIK; ``offline`` scans the ready
one. Writes ``OUT_DIR/report.json`` (each answer: the screen, its texts, the outcome), a
PNG per answer and the kiosk's log (``kiosk.log``, to check no personal data is in it).
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from devices.screen import prepare_window
from kiosk.app.main import build_flow
from kiosk.config import load
from tests.kiosk.gallery import shown_texts

STEP_TIMEOUT_S = 20.0
SETTLE_S = 0.3
ANSWER_SHOWN_S = 3.0
READY, NOT_READY, NIK = "2026120400001", "2026120400099", "6371015705900001"
Step = tuple[Callable[[], bool], Callable[[], None]]


def main(out_dir: Path, size: str, mode: str) -> int:
    prepare_window(size, fullscreen=False, touch=True)
    from kivy.clock import Clock

    from devices.config import device_config_from_mapping, open_devices
    from kiosk.app.app import KioskApp
    from kiosk.app.live import open_live_desk

    log_file = logging.FileHandler(out_dir / "kiosk.log")
    logging.getLogger().addHandler(log_file)
    logging.getLogger().setLevel(logging.DEBUG)
    config = load(None, os.environ)
    lane = config.settings.lane
    assert lane is not None, "ANTRE_KIOSK_LANE names the lane"
    stack = ExitStack()
    devices = open_devices(
        device_config_from_mapping({"printer": f"virtual:{out_dir / 'printer'}"}, environ={}),
        on_code=lambda _code: None,
    )
    holder: list[Any] = []
    desk, content = open_live_desk(
        config.link_config(), config.settings.database, stack, holder, lane=True
    )
    flow = build_flow(desk, devices, content, lane=lane, lane_answer_s=ANSWER_SHOWN_S)
    app = KioskApp(flow)
    holder.append(app)
    report: dict[str, Any] = {"answers": [], "size": size}

    def on(screen: str) -> Callable[[], bool]:
        return lambda: bool(app.root.current == screen)

    def answered() -> bool:
        return on("lane_answer")() and flow.state.lane is not None

    def record(name: str) -> None:
        from kivy.core.window import Window

        Window.screenshot(name=str(out_dir / f"lane-{size}-{name}.png"))
        outcome = flow.state.lane
        report["answers"].append(
            {
                "name": name,
                "screen": app.root.current,
                "language": flow.state.language,
                "texts": shown_texts(app.root.current_screen),
                "result": None if outcome is None else outcome.result.value,
                "position": None if outcome is None else outcome.position,
            }
        )

    def scan(code: str) -> Callable[[], None]:
        return lambda: app.code_scanned(code)

    steps: list[Step]
    if mode == "online":
        steps = [
            (lambda: on("lane")() and desk.is_online(), scan(f"PERMOHONAN:{READY}")),
            (answered, lambda: record("waiting")),
            (on("lane"), scan(READY)),  # the answer went by itself: the same car again
            (answered, lambda: record("already")),
            (on("lane"), lambda: (flow.set_language("en"), app.code_scanned(NOT_READY))),
            (answered, lambda: record("refused")),
            (on("lane"), lambda: (flow.set_language("en"), app.code_scanned(NIK))),
            (lambda: flow.state.message is not None, lambda: record("nik")),
            (lambda: True, app.stop),
        ]
    else:
        steps = [
            (on("lane"), scan(READY)),
            (answered, lambda: record("offline")),
            (lambda: True, app.stop),
        ]
    pending = iter(steps)
    state: dict[str, Any] = {"step": next(pending), "since": time.monotonic(), "ready": None}

    def advance(_dt: float) -> None:
        ready, act = state["step"]
        now = time.monotonic()
        if now - state["since"] > STEP_TIMEOUT_S:
            report["error"] = f"stuck on {app.root.current} ({len(report['answers'])} answers)"
            app.stop()
            return
        if not ready():
            state["ready"] = None
            return
        state["ready"] = state["ready"] or now
        if now - state["ready"] < SETTLE_S:
            return
        act()
        state["step"], state["since"], state["ready"] = next(pending, state["step"]), now, None

    Clock.schedule_interval(advance, 0.05)
    try:
        app.run()
    finally:
        stack.close()
        devices.close()
        log_file.close()
    (out_dir / "report.json").write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), sys.argv[2], sys.argv[3]))
