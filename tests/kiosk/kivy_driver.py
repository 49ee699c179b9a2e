"""Drives the kiosk app with real touches and saves a screenshot of every screen.

Run in its own process (Kivy keeps global state) by tests/kiosk/test_app_screens.py::

    python -m tests.kiosk.kivy_driver OUT_DIR WIDTHxHEIGHT

Writes ``OUT_DIR/report.json``: the screens visited, the shown number, the printer jobs and
every touch target's height, and one PNG per screen.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from devices.screen import prepare_window
from kiosk.app.main import build_flow
from kiosk.content import content_from_payload
from kiosk.demo import DEMO_PAYLOAD, DemoDesk

STEP_TIMEOUT_S = 10.0
NIK = "6371015705900001"
WRONG_NIK = "6371019905900001"  # day 99: no date of birth
TOKEN = "demo-status-0001"
SETTLE_S = 0.6  # more than the flow's double-tap guard (0.5 s)
#: When a step is ready, and what it does then.
Step = tuple[Callable[[], bool], Callable[[], None]]


def main(out_dir: Path, size: str) -> int:
    prepare_window(size, fullscreen=False, touch=True)
    from kivy.clock import Clock
    from kivy.tests.common import UnitTestTouch

    from devices.config import device_config_from_mapping, open_devices
    from kiosk.app.app import KioskApp

    config = device_config_from_mapping(
        {"printer": f"virtual:{out_dir / 'printer'}", "card_reader": "none"}, environ={}
    )
    devices = open_devices(config, on_code=lambda _code: None)
    flow = build_flow(DemoDesk(first_number=7), devices, content_from_payload(DEMO_PAYLOAD))
    app = KioskApp(flow)
    report: dict[str, Any] = {"screens": [], "buttons": [], "size": size}

    def shot(name: str) -> None:
        from kivy.core.window import Window

        Window.screenshot(name=str(out_dir / f"journey-{size}-{name}.png"))
        report["screens"].append(name)
        for button in _buttons(app.root.current_screen):
            report["buttons"].append(
                {
                    "screen": name,
                    "text": button.text,
                    "height": button.height,
                    "y": button.y,
                    "texture_w": button.texture_size[0],
                    "width": button.width,
                    "hidden": button.opacity == 0,
                    "x": button.x,
                    "color": list(button.background_color),
                    "min_px": min_touch_px(button),
                    "opacity": button.opacity,
                    "in_navbar": _in_navbar(button),
                    "icon": getattr(button, "icon", ""),
                }
            )

    def touch(text: str) -> None:
        # The last match: a screen's own button, not the top bar's language switch.
        shown = _buttons(app.root.current_screen)
        button = [b for b in shown if b.text.split("\n")[0] == text][-1]
        x, y = button.to_window(*button.center)
        pointer = UnitTestTouch(x, y)
        pointer.touch_down()
        pointer.touch_up()

    def on(screen: str) -> Callable[[], bool]:
        return lambda: app.root.current == screen

    def other_language(name: str, other: str, then: Callable[[], None]) -> list[Step]:
        """The screen just shot, again in ``other`` (switched in the top bar), then back to
        the journey's language and on with ``then``."""
        back = "English" if other == "id" else "Indonesia"
        language = "en" if other == "id" else "id"
        return [
            (lambda: app.language == other, lambda: (shot(f"{name}-{other}"), touch(back))),
            (lambda: app.language == language, then),
        ]

    steps: list[Step] = [
        (on("welcome"), lambda: (shot("welcome"), touch("English"))),
        (on("services"), lambda: (shot("services"), touch("Indonesia"))),
        *other_language("services", "id", lambda: touch("Passport")),
        (
            lambda: flow.state.group is not None,
            lambda: (shot("passport"), touch("Passport walk-in")),
        ),
        (on("documents"), lambda: (shot("documents"), touch("Indonesia"))),
        *other_language("documents", "id", lambda: touch("No, not yet")),
        (on("requirements"), lambda: (shot("requirements"), touch("OK, back to services"))),
        (on("services"), lambda: touch("Passport walk-in")),  # still in the passport group
        (on("documents"), lambda: touch("Yes, they are ready")),
        (on("priority"), lambda: (shot("priority"), touch("Indonesia"))),
        *other_language("priority", "id", lambda: touch("No, regular queue")),
        (on("ticket"), lambda: (shot("ticket"), _record_ticket(app, report), touch("Indonesia"))),
        (lambda: app.language == "id", lambda: (shot("ticket-id"), touch("Selesai"))),
        (on("welcome"), lambda: touch("Bahasa Indonesia")),
        (on("services"), lambda: touch("Paspor")),
        (lambda: flow.state.group is not None, lambda: touch("Paspor (M-Paspor)")),
        (on("scan"), lambda: (shot("scan"), touch("English"))),
        *other_language("scan", "en", lambda: _type_code(app, "USED12345")),
        (on("documents"), lambda: touch("Ya, sudah siap")),
        (on("problem"), lambda: (shot("problem"), touch("English"))),
        *other_language("problem", "en", lambda: touch("OK, kembali ke layanan")),
        (on("services"), lambda: touch("Beranda")),
        # Passport pickup with the NIK, the printer out of paper: the screen is the ticket.
        (on("welcome"), lambda: touch("English")),
        (on("services"), lambda: (_paper_out(devices, True), touch("Pickup"))),
        (on("pickup"), lambda: (shot("pickup"), touch("I collect my own"))),
        (on("nik"), lambda: (shot("nik"), touch("Indonesia"))),
        *other_language("nik", "id", lambda: _type_nik(app, WRONG_NIK)),
        (lambda: _nik_message(app) != "", lambda: (shot("nik-wrong"), _type_nik(app, NIK))),
        (on("priority"), lambda: touch("No, regular queue")),
        (on("ticket"), lambda: (shot("ticket-unprinted"), _record_unprinted(app, report))),
        (on("ticket"), lambda: (_paper_out(devices, False), touch("Home"))),
        # Scan anywhere: an application QR on the welcome screen, then a proxy pickup.
        (on("welcome"), lambda: app.code_scanned("1234567890")),
        (on("pickup"), lambda: touch("Untuk orang lain (dengan surat kuasa)")),
        (on("proxy"), lambda: (shot("proxy-id"), touch("English"))),
        (lambda: app.language == "en", lambda: (shot("proxy"), touch("Home"))),
        # The information pages, then the BAP route from there.
        (on("welcome"), lambda: touch("English")),
        (on("services"), lambda: touch("Documents to bring")),
        (on("info_list"), lambda: (shot("info-list"), touch("Lost or damaged passport"))),
        (on("info"), lambda: (shot("info"), touch("Take a number for this service"))),
        (on("bap"), lambda: (shot("bap"), touch("My passport is lost"))),
        (on("documents"), lambda: (shot("documents-bap"), touch("Home"))),
        # A ticket's QR: its status, then a rating.
        (on("welcome"), lambda: app.code_scanned(f"http://antre.local/t/{TOKEN}")),
        (lambda: flow.state.lookup is not None, lambda: (shot("status"), touch("Sangat baik"))),
        (lambda: flow.state.rating is not None, lambda: shot("status-rated")),
        (on("status"), lambda: (_idle_soon(flow, 10.5), app.code_scanned("what is this?"))),
        (
            lambda: flow.state.seconds_left is not None,
            lambda: (shot("status-countdown"), touch("Beranda")),
        ),
        # Offline: what needs the server is marked, with the reason on a touch.
        (on("welcome"), lambda: (_idle_soon(flow, 60), _offline(flow), touch("English"))),
        (on("services"), lambda: touch("Passport")),
        (lambda: flow.state.group is not None, lambda: touch("Passport (M-Paspor)")),
        (
            lambda: flow.state.message is not None,
            lambda: (shot("services-offline"), touch("Indonesia")),
        ),
        (lambda: app.language == "id", lambda: (shot("services-offline-id"), app.stop())),
    ]
    pending = iter(steps)
    state: dict[str, Any] = {"step": next(pending), "since": time.monotonic()}

    def advance(_dt: float) -> None:
        ready, act = state["step"]
        if time.monotonic() - state["since"] > STEP_TIMEOUT_S:
            report["error"] = f"stuck on {app.root.current} (step {report['screens']})"
            app.stop()
            return
        if not ready():
            state["ready_at"] = None
            return
        state["ready_at"] = state.get("ready_at") or time.monotonic()
        if time.monotonic() - state["ready_at"] < SETTLE_S:  # let layout and redraw finish
            return
        state["ready_at"] = None
        try:
            act()
        except Exception as err:  # report it: the test shows where the journey broke
            report["error"] = f"on {app.root.current} (after {report['screens']}): {err!r}"
            app.stop()
            return
        following = next(pending, None)
        if following is None:
            return
        state["step"], state["since"] = following, time.monotonic()

    started = time.monotonic()
    Clock.schedule_interval(advance, 0.1)
    app.run()
    devices.close()
    report["seconds"] = round(time.monotonic() - started, 2)
    report["printer_jobs"] = sorted(p.name for p in (out_dir / "printer").glob("job-*.png"))
    (out_dir / "report.json").write_text(json.dumps(report, indent=2))
    return 0


def _record_ticket(app: Any, report: dict[str, Any]) -> None:
    report["built_at_first_ticket"] = list(app.root.built)  # before get_screen builds one
    screen = app.root.get_screen("ticket")
    report["ticket"] = {
        "number": screen.ids.number.text,
        "number_font_size": screen.ids.number.font_size,
        "printed": screen.ids.printed.text,
        "waiting": screen.ids.waiting.text,
    }


def _type_nik(app: Any, text: str) -> None:
    """Touch each key of the NIK keypad (from empty), then OK (disabled for a wrong NIK)."""
    keypad = app.root.get_screen("nik").entry
    _press_keys(keypad, ["<clear>", *text])
    _press(keypad.key_buttons()[-1])


def _nik_message(app: Any) -> str:
    return str(app.root.get_screen("nik").entry._message.text)


def _paper_out(devices: Any, out: bool) -> None:
    from devices.printer import PrinterStatus

    devices.printer.printer_status = PrinterStatus(paper_out=out)


def _record_unprinted(app: Any, report: dict[str, Any]) -> None:
    screen = app.root.get_screen("ticket")
    report["unprinted"] = {
        "number": screen.ids.number.text,
        "printed": screen.ids.printed.text,
        "qr_width": screen.ids.qr.width,
        "nik_left": app.root.get_screen("nik").entry.text,
    }


def _idle_soon(flow: Any, seconds: float = 12.0) -> None:
    flow.idle_timeout_s = seconds
    flow.touch()


def _offline(flow: Any) -> None:
    flow.collaborators.desk.offline = True
    flow.tick()


def _type_code(app: Any, code: str) -> None:
    """Touch each key of the on-screen keyboard, then OK."""
    keyboard = app.root.get_screen("scan").ids.keyboard
    _press_keys(keyboard, code)
    _press(keyboard.key_buttons()[-1])


def _press_keys(keyboard: Any, keys: Iterable[str]) -> None:
    buttons = {button.key: button for button in keyboard.key_buttons() if button.key}
    for key in keys:
        _press(buttons[key])


def _press(button: Any) -> None:
    from kivy.tests.common import UnitTestTouch

    pointer = UnitTestTouch(*button.to_window(*button.center))
    pointer.touch_down()
    pointer.touch_up()


def _in_navbar(button: Any) -> bool:
    from kiosk.app.navbar import NavBar

    return isinstance(button.parent, NavBar)


def min_touch_px(button: Any) -> int:
    """Keyboard keys may be 64 px (12 mm), the buttons of the top and bottom bars 80; other
    targets 120."""
    from kiosk.app.keypad import KeyButton
    from kiosk.app.navbar import NavBar
    from kiosk.app.screens import TopBar

    if isinstance(button, KeyButton):
        return 64
    return 80 if isinstance(button.parent, (NavBar, TopBar)) else 120


def _buttons(root: Any) -> Iterator[Any]:
    from kivy.uix.button import Button

    for widget in root.walk():
        if isinstance(widget, Button):
            yield widget


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), sys.argv[2]))
