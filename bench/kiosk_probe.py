"""The kiosk app (``python -m kiosk.app``) with timing hooks, for bench/kiosk_start.py and
bench/kiosk_touch.py (run in its own process, under Xvfb).

Usage: python bench/kiosk_probe.py [--journeys N] -- KIOSK ARGUMENTS...

It runs :func:`kiosk.app.main.main` itself with the given arguments (so the same modules
are imported in the same order as a real start) and prints JSON lines, times on the
system clock in epoch milliseconds:

- ``first_frame``: the first window buffer swap after the app's root widget exists (the
  welcome screen is on the screen and takes touches), with the resident memory then;
- with ``--journeys N``: N walk-in journeys by real touches (English, Passport, Passport
  walk-in, documents ready, regular queue), one ``touch`` line for the last touch (the one
  that issues and prints), one ``ticket`` line when the ticket screen shows it (label,
  offline, printed), then Done;
- ``journey_done`` after each journey and ``memory`` once the journeys are over (then the
  app stops): VmRSS, VmHWM, Pss, Uss (private pages) and Anonymous in kB.

Without ``--journeys`` the app stops right after the first frame. ``--empty`` runs an app
of one label instead, with the same window settings: what Kivy, SDL2 and the OpenGL driver
cost before the kiosk adds anything. A line ``error`` says
where a journey got stuck. Commands on stdin (with ``--wait``): ``next`` starts the next
journey (the parent switches the server off between journeys), ``memory`` answers with a
``memory_now`` line.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

STEP_TIMEOUT_S = 15.0
#: Longer than the flow's double-tap guard (a touch within 0.5 s of a new screen is dropped).
SETTLE_S = 0.6


def emit(stage: str, **extra: Any) -> None:
    line = {"stage": stage, "at": time.time() * 1000, **extra}
    sys.stdout.write(json.dumps(line) + "\n")
    sys.stdout.flush()


def memory_kb() -> dict[str, int]:
    """VmRSS and VmHWM of this process (kB), from /proc/self/status; Pss, Uss (private
    clean + dirty) and Anonymous from /proc/self/smaps_rollup when the kernel has it."""
    values: dict[str, int] = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in {"VmRSS", "VmHWM"}:
            values[name] = int(rest.split()[0])
    try:
        rollup = Path("/proc/self/smaps_rollup").read_text().splitlines()
    except OSError:
        return values
    fields = {}
    for line in rollup[1:]:
        name, _, rest = line.partition(":")
        if rest.strip():
            fields[name] = int(rest.split()[0])
    values["Pss"] = fields.get("Pss", 0)
    values["Uss"] = fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0)
    values["Anonymous"] = fields.get("Anonymous", 0)
    return values


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--journeys", type=int, default=0)
    parser.add_argument("--wait", action="store_true", help="wait for 'next' on stdin")
    parser.add_argument(
        "--empty", action="store_true", help="an empty Kivy app (one label) instead: the floor"
    )
    parser.add_argument("kiosk_args", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    kiosk_args = [arg for arg in args.kiosk_args if arg != "--"]
    if args.empty:
        return empty_app(kiosk_args)
    from kiosk.app import main as kiosk_main

    real_prepare = kiosk_main.prepare_window

    def prepare_and_hook(size: str, *, fullscreen: bool, touch: bool = False) -> None:
        real_prepare(size, fullscreen=fullscreen, touch=touch)
        _hook_first_frame(args.journeys, args.wait)

    kiosk_main.prepare_window = prepare_and_hook  # type: ignore[assignment]
    return kiosk_main.main(kiosk_args)


def empty_app(kiosk_args: list[str]) -> int:
    """One label in a window of the kiosk's size, with the kiosk's window settings."""
    from devices.screen import prepare_window

    size = kiosk_args[kiosk_args.index("--size") + 1] if "--size" in kiosk_args else ""
    prepare_window(size, fullscreen=False, touch=True)
    _hook_first_frame(0, False)
    from kivy.app import App
    from kivy.uix.label import Label

    class Empty(App):  # type: ignore[misc]
        def build(self) -> Label:
            return Label(text="Antre")

    Empty().run()
    return 0


def _hook_first_frame(journeys: int, wait: bool) -> None:
    """Bind the window's flip (imports Kivy's window: the kiosk imports it next anyway)."""
    from kivy.app import App
    from kivy.core.window import Window

    def flipped(*_args: Any) -> None:
        app = App.get_running_app()
        if app is None or app.root is None:
            return
        Window.unbind(on_flip=flipped)
        emit("first_frame", **memory_kb())
        if journeys <= 0:
            app.stop()
            return
        # Kept on the app: Kivy's clock holds bound methods weakly, and the walker is in a
        # reference cycle that the garbage collector would otherwise free mid-run.
        app.bench_journeys = Journeys(app, journeys, wait)
        app.bench_journeys.start()

    Window.bind(on_flip=flipped)


class Journeys:
    """Walk-in journeys by touches, one step per check of the Kivy clock."""

    def __init__(self, app: Any, count: int, wait: bool) -> None:
        self.app, self.count, self.wait = app, count, wait
        self.done = 0
        self.go = threading.Event()
        if not wait:
            self.go.set()
        self.steps = self._steps()
        self.index = 0
        self.since = time.monotonic()
        self.ready_at: float | None = None

    def start(self) -> None:
        from kivy.clock import Clock

        if self.wait:
            threading.Thread(target=self._read_commands, daemon=True).start()
        emit("journeys_ready")
        Clock.schedule_interval(self._advance, 0.02)

    def _read_commands(self) -> None:
        for line in sys.stdin:
            if line.strip() == "next":
                self.go.set()
            elif line.strip() == "memory":
                emit("memory_now", **memory_kb())

    def _on(self, screen: str) -> Callable[[], bool]:
        return lambda: self.app.root.current == screen

    def _steps(self) -> list[tuple[Callable[[], bool], Callable[[], None]]]:
        flow = self.app.flow
        return [
            (lambda: self.go.is_set() and self._on("welcome")(), lambda: self._touch("English")),
            (self._on("services"), lambda: self._touch("Passport")),
            (lambda: flow.state.group is not None, lambda: self._touch("Passport walk-in")),
            (self._on("documents"), lambda: self._touch("Yes, they are ready")),
            (self._on("priority"), lambda: self._touch("No, regular queue", timed=True)),
            (
                lambda: self._on("ticket")() and flow.state.outcome is not None,
                self._ticket_shown,
            ),
            (self._on("ticket"), lambda: self._touch("Done")),
        ]

    def _advance(self, _dt: float) -> bool:
        ready, act = self.steps[self.index]
        now = time.monotonic()
        if self.go.is_set() and now - self.since > STEP_TIMEOUT_S:
            message = getattr(self.app.flow.state, "message", None)
            emit("error", where=self.app.root.current, step=self.index, message=str(message))
            self.app.stop()
            return False
        if not ready():
            self.ready_at = None
            if not self.go.is_set():
                self.since = now
            return True
        if self.index != 5:  # the ticket is taken as soon as it shows
            self.ready_at = self.ready_at or now
            if now - self.ready_at < SETTLE_S:  # let layout and redraw finish
                return True
        self.ready_at = None
        act()
        self.index, self.since = self.index + 1, time.monotonic()
        if self.index < len(self.steps):
            return True
        self.done += 1
        self.index = 0
        if self.wait:
            self.go.clear()
        emit("journey_done", done=self.done, **memory_kb())
        if self.done >= self.count:
            emit("memory", **memory_kb())
            self.app.stop()
            return False
        return True

    def _ticket_shown(self) -> None:
        ticket = self.app.flow.state.outcome.ticket
        if ticket is None:
            emit("error", where="ticket", message=self.app.flow.state.outcome.problem)
            self.app.stop()
            return
        emit("ticket", label=ticket.label, offline=ticket.offline, printed=ticket.printed)

    def _touch(self, text: str, *, timed: bool = False) -> None:
        from kivy.uix.button import Button

        screen = self.app.root.current_screen
        matches = [w for w in screen.walk() if isinstance(w, Button) and w.text == text]
        if not matches:
            raise RuntimeError(f"no button {text!r} on {self.app.root.current}")
        # The last match: a screen's own button, not the top bar's language switch.
        x, y = matches[-1].to_window(*matches[-1].center)
        pointer = probe_touch(x, y)
        if timed:
            emit("touch")
        pointer.touch_down()
        pointer.touch_up()


def probe_touch(x: float, y: float) -> Any:
    """A finger at window position (x, y), posted through Kivy's event loop like a real
    touch. (Kivy's own ``kivy.tests.common.UnitTestTouch`` would do, but that module
    imports pytest, which would add about 8 MB to the memory measured here.)"""
    from kivy.base import EventLoop
    from kivy.input.motionevent import MotionEvent

    class ProbeTouch(MotionEvent):  # type: ignore[misc]
        def depack(self, args: dict[str, float]) -> None:
            self.sx, self.sy = args["x"], args["y"]
            super().depack(args)

        def touch_down(self) -> None:
            EventLoop.post_dispatch_input("begin", self)

        def touch_up(self) -> None:
            EventLoop.post_dispatch_input("end", self)

    window = EventLoop.window
    where = {"x": x / (window.width - 1.0), "y": y / (window.height - 1.0)}
    touch = ProbeTouch("ProbeTouch", 99, where, is_touch=True, type_id="touch")
    touch.profile = ["pos"]
    return touch


if __name__ == "__main__":
    sys.exit(main())
