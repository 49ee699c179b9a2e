"""The Kivy lobby board of ``antre display --config`` with timing hooks, for
bench/click_to_screen.py (run in its own process, under Xvfb).

Usage: python bench/kivy_board_probe.py CONFIG

It assembles the display exactly as ``antre display`` does (displays.run.assemble) and
prints one JSON line per called ticket and stage, with the system clock in epoch
milliseconds: ``mqtt`` (the link's MQTT callback got the message, paho's thread),
``accepted`` (the board model took it, on the GUI thread), ``drawn`` (the board's widgets
were updated) and ``flipped`` (the first window buffer swap after that: on the screen).
A line ``{"stage": "ready"}`` comes once the first full board is drawn. It stops after
``--seconds`` or when stdin closes.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from displays.config import load
from queue_server.protocol.states import CalledEvent

if TYPE_CHECKING:
    from displays.board.app import BoardApp
    from displays.board.link import BoardLink
    from displays.board.model import BoardModel

LIMIT_S = 900.0


def emit(stage: str, label: str = "", **extra: Any) -> None:
    line = {"stage": stage, "label": label, "at": time.time() * 1000, **extra}
    sys.stdout.write(json.dumps(line) + "\n")
    sys.stdout.flush()


def install_hooks(pending: list[str]) -> None:
    """Wrap the board's link, model and app at class level, before they are built (the
    window settings are made first: these modules import Kivy)."""
    from displays.board.app import BoardApp
    from displays.board.link import BoardLink
    from displays.board.model import BoardModel

    on_message = BoardLink._on_message

    def timed_message(self: BoardLink, client: Any, userdata: Any, message: Any) -> None:
        if message.topic.endswith("/event/called"):
            try:
                label = str(json.loads(message.payload)["ticket"])
            except (ValueError, KeyError, TypeError):
                label = ""
            emit("mqtt", label)
        on_message(self, client, userdata, message)

    accept = BoardModel.accept

    def timed_accept(self: BoardModel, topic: str, message: Any) -> bool:
        taken = accept(self, topic, message)
        if taken and isinstance(message, CalledEvent):
            emit("accepted", message.ticket)
            pending.append(message.ticket)
        return taken

    redraw = BoardApp.redraw

    def timed_redraw(self: BoardApp) -> None:
        redraw(self)
        for label in pending:
            emit("drawn", label)

    BoardLink._on_message = timed_message  # type: ignore[method-assign]
    BoardModel.accept = timed_accept  # type: ignore[method-assign]
    BoardApp.redraw = timed_redraw  # type: ignore[method-assign]


def main(config: Path) -> int:
    from devices.screen import prepare_window
    from displays.run import assemble

    settings, password = load(config)
    # As assemble() does, but before the hooks import Kivy: the size, full screen and
    # provider settings apply only then.
    prepare_window(settings.screen.size, fullscreen=settings.screen.fullscreen)
    pending: list[str] = []
    install_hooks(pending)
    display = assemble(settings, password)
    from kivy.clock import Clock
    from kivy.core.window import Window

    state = {"ready": False, "flips": 0}

    def flipped(*_args: Any) -> None:
        state["flips"] += 1
        while pending:
            emit("flipped", pending.pop(0))

    def check(_dt: float) -> None:
        shown = display.model.state()
        if not state["ready"] and shown.connected and shown.office_name and shown.services:
            state["ready"] = True
            emit("ready")

    def stop_when_stdin_closes() -> None:
        sys.stdin.read()
        Clock.schedule_once(lambda _dt: display.app.stop())

    Window.bind(on_flip=flipped)
    Clock.schedule_interval(check, 0.2)
    Clock.schedule_once(lambda _dt: display.app.stop(), LIMIT_S)
    threading.Thread(target=stop_when_stdin_closes, daemon=True).start()
    display.link.start()
    started, cpu = time.monotonic(), os.times()
    try:
        display.app.run()
    finally:
        display.close()
        used = os.times()
        busy = used.user + used.system - cpu.user - cpu.system
        wall = max(1e-6, time.monotonic() - started)
        emit("cpu", share=busy / wall, fps=state["flips"] / wall)
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
