"""Drives the on-screen keyboard, the navigation bar and the maintenance screen by touches.

Run in its own process (Kivy keeps global state) by tests/kiosk/test_kiosk_widgets.py::

    python -m tests.kiosk.widgets_driver OUT_DIR WIDTHxHEIGHT [live]

``ANTRE_KIOSK_PIN`` must be set. With ``live`` it only opens the maintenance screen of a
kiosk linked to the broker and server that ``ANTRE_KIOSK_*`` name. Prints on a network
printer on loopback (the fake of tests/devices/printer). Writes ``OUT_DIR/report.json``
and PNG screenshots.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from devices.screen import prepare_window
from kiosk.app.main import build_flow, build_maintenance
from kiosk.config import load
from kiosk.content import content_from_payload
from kiosk.demo import DEMO_PAYLOAD, DemoDesk
from tests.devices.printer.fake_printer import RunningFakePrinter
from tests.kiosk.kivy_driver import _buttons, _press

STEP_TIMEOUT_S = 10.0
SETTLE_S = 0.3
HOLD_S = 3.3


def main(out_dir: Path, size: str, live: bool = False) -> int:
    prepare_window(size, fullscreen=False, touch=True)
    from kivy.clock import Clock
    from kivy.tests.common import UnitTestTouch

    from devices.config import device_config_from_mapping, open_devices
    from kiosk.app.app import KioskApp
    from kiosk.app.navbar import NavBar

    fake = RunningFakePrinter().__enter__()
    config = device_config_from_mapping(
        {"printer": f"network:127.0.0.1:{fake.port}", "card_reader": "virtual"}, environ={}
    )
    devices = open_devices(config, on_code=lambda _code: None)
    stack = ExitStack()
    app_holder: list[Any] = []
    kiosk_config = load(None, os.environ, need_link=live)
    if live:
        from kiosk.app.live import open_live_desk

        desk, content = open_live_desk(
            kiosk_config.link_config(), kiosk_config.settings.database, stack, app_holder
        )
    else:
        desk, content = DemoDesk(first_number=3), content_from_payload(DEMO_PAYLOAD)
    flow = build_flow(desk, devices, content)
    app = KioskApp(flow, maintenance=build_maintenance(kiosk_config, devices, desk))
    app_holder.append(app)
    report: dict[str, Any] = {"size": size, "nav": {}, "shots": [], "checks": {}}

    def screen() -> Any:
        return app.root.current_screen

    def shot(name: str) -> None:
        from kivy.core.window import Window

        Window.screenshot(name=str(out_dir / f"{size}-{name}.png"))
        report["shots"].append(name)

    def nav(label: str) -> None:
        bars = [w for w in screen().walk() if isinstance(w, NavBar)]
        assert len(bars) == 1, f"{label}: {len(bars)} navigation bars"
        places = {}
        for name in ("back", "home"):
            button = bars[0].ids[name]
            x, y = button.to_window(button.x, button.y)
            places[name] = [round(x), round(y), round(button.width), round(button.height)]
            places[f"{name}_visible"] = button.opacity > 0
        places["countdown"] = bars[0].ids.countdown.text
        report["nav"][label] = places

    def touch(text: str) -> None:
        button = [b for b in _buttons(screen()) if b.text == text and b.opacity > 0][-1]
        _press(button)

    def keyboard() -> Any:
        return screen().ids.get("keyboard") or screen().ids.get("keypad")

    def type_keys(text: str) -> None:
        for character in text:
            press_key(character)

    def press_key(token: str) -> None:
        keys = {b.key: b for b in keyboard().key_buttons() if b.key}
        _press(keys[token])

    def press_ok() -> None:
        _press(keyboard().key_buttons()[-1])

    def keyboard_state(label: str) -> None:
        widget = keyboard()
        report["checks"][label] = {
            "text": widget.text,
            "message": widget._message.text,
            "ok_enabled": not widget.key_buttons()[-1].disabled,
            "keys": len(widget.key_buttons()),
            "min_key_height": min(b.height for b in widget.key_buttons()),
            "min_key_width": min(b.width for b in widget.key_buttons()),
            "inside": all(_inside(b, app.root) for b in widget.key_buttons()),
        }

    hold: dict[str, Any] = {}

    def hold_corner() -> None:
        from kivy.core.window import Window

        hold["touch"] = UnitTestTouch(10, Window.height - 10)
        hold["touch"].touch_down()
        hold["since"] = time.monotonic()

    def release_corner() -> None:
        hold["touch"].touch_up()

    def rows_text() -> str:
        table = app.root.get_screen("maintenance").ids.rows
        return "\n".join(w.text for w in reversed(table.children))

    def on(name: str) -> Callable[[], bool]:
        return lambda: app.root.current == name

    def test_printed() -> bool:
        return "printed" in (app.root.get_screen("maintenance").result or {}).get("en", "")

    def double_tap_back() -> None:
        """Back, and Back again 0.25 s later (on the next screen, as a quick finger does)."""
        touch("Kembali")
        Clock.schedule_once(lambda _dt: touch("Kembali"), 0.25)

    def idle_soon(seconds: float) -> None:
        """The flow's idle timeout shortened (its countdown starts) or restored."""
        flow.idle_timeout_s = seconds
        flow.touch()

    def record_group(label: str) -> None:
        report["checks"][label] = {"group": str(flow.state.group)}

    def in_group() -> bool:
        return flow.state.group is not None

    def maintenance_rows(label: str) -> None:
        report["checks"][label] = rows_text()

    steps: list[tuple[Callable[[], bool], Callable[[], Any]]] = [
        # English: the keyboard on the scan screen, the bar on every screen.
        (on("welcome"), lambda: touch("English")),
        (on("services"), lambda: (nav("services"), touch("Passport"))),
        (in_group, lambda: idle_soon(9.5)),
        (lambda: flow.state.seconds_left is not None, lambda: (nav("group"), idle_soon(60))),
        (in_group, lambda: touch("Passport (M-Paspor)")),
        (on("scan"), lambda: (nav("scan"), shot("scan-en"), keyboard_state("empty"))),
        (on("scan"), lambda: (type_keys("AB"), keyboard_state("partial"))),
        (on("scan"), lambda: (type_keys("CDEF"), keyboard_state("wrong"))),
        (on("scan"), lambda: (shot("scan-typing-en"), press_key("<clear>"))),
        (on("scan"), lambda: (keyboard_state("cleared"), type_keys("ABC1234X"))),
        (on("scan"), lambda: (keyboard_state("typed"), press_key("<delete>"))),
        (on("scan"), lambda: (keyboard_state("deleted"), shot("scan-valid-en"), press_ok())),
        (on("documents"), lambda: (nav("documents"), touch("No, not yet"))),
        (on("requirements"), lambda: (nav("requirements"), touch("Home"))),
        (on("welcome"), lambda: wait_guard()),
        (on("welcome"), lambda: keyboard_after_home()),
        # Indonesian: the keyboard again, priority and the ticket.
        (on("welcome"), lambda: touch("Bahasa Indonesia")),
        (on("services"), lambda: touch("Paspor")),
        (in_group, lambda: touch("Paspor (M-Paspor)")),
        (on("scan"), lambda: (shot("scan-id"), type_keys("ABCDEFG"))),
        (on("scan"), lambda: (shot("scan-typing-id"), touch("Kembali"))),
        (on("services"), lambda: touch("Paspor tanpa janji")),
        (on("documents"), double_tap_back),
        (on("services"), lambda: record_group("after_double_back")),
        (on("services"), lambda: touch("Paspor tanpa janji")),
        (on("documents"), lambda: touch("Ya, sudah siap")),
        (on("priority"), lambda: (nav("priority"), touch("Tidak, antrean biasa"))),
        (on("ticket"), lambda: (nav("ticket"), touch("Beranda"))),
        # The maintenance screen: the hidden long press, a wrong PIN, the right PIN.
        (on("welcome"), hold_corner),
        (lambda: time.monotonic() - hold["since"] > HOLD_S, release_corner),
        (on("maintenance_pin"), lambda: (shot("maintenance-pin-id"), type_keys("0000"))),
        (on("maintenance_pin"), lambda: (keyboard_state("pin_typed"), press_ok())),
        (on("maintenance_pin"), lambda: (keyboard_state("pin_wrong"), flow.set_language("en"))),
        (on("maintenance_pin"), lambda: keyboard_state("pin_wrong_en")),
        (on("maintenance_pin"), lambda: (shot("maintenance-pin-en"), type_keys(PIN))),
        (on("maintenance_pin"), press_ok),
        (lambda: "Printer" in rows_text(), lambda: maintenance_rows("before_scan")),
        (on("maintenance"), lambda: app.code_scanned("ABC12345")),
        (lambda: "M-Paspor booking code" in rows_text(), lambda: devices.card_reader.insert(0)),
        (lambda: "card present" in rows_text(), lambda: touch("Print a test ticket")),
        (test_printed, lambda: None),
        (test_printed, lambda: None),
        (on("maintenance"), lambda: (maintenance_rows("after_tests"), shot("maintenance-en"))),
        (on("maintenance"), lambda: (flow.set_language("id"), app.maintenance_mode.refresh())),
        (lambda: "Pencetak" in rows_text() or "Printer" in rows_text(), lambda: None),
        (lambda: "Pemindai" in rows_text(), lambda: (shot("maintenance-id"), touch("Tutup"))),
        (on("welcome"), lambda: app.stop()),
    ]

    def wait_guard() -> None:
        time.sleep(0)  # the next step runs one settle later: Home's guard time has passed

    def keyboard_after_home() -> None:
        scan_keyboard = app.root.get_screen("scan").ids.keyboard
        report["checks"]["after_home"] = {"text": scan_keyboard.text}

    if live:
        steps = [
            (on("welcome"), hold_corner),
            (lambda: time.monotonic() - hold["since"] > HOLD_S, release_corner),
            (on("maintenance_pin"), lambda: (flow.set_language("en"), type_keys(PIN), press_ok())),
            (lambda: "Answering" in rows_text(), lambda: maintenance_rows("live")),
            (on("maintenance"), lambda: (shot("maintenance-live-en"), flow.set_language("id"))),
            (on("maintenance"), app.maintenance_mode.refresh),
            (
                lambda: "Menjawab" in rows_text(),
                lambda: (shot("maintenance-live-id"), touch("Tutup")),
            ),
            (on("welcome"), lambda: app.stop()),
        ]
    pending = iter(steps)
    state: dict[str, Any] = {"step": next(pending), "since": time.monotonic()}

    def advance(_dt: float) -> None:
        ready, act = state["step"]
        if time.monotonic() - state["since"] > STEP_TIMEOUT_S:
            rows = rows_text() if app.root.current == "maintenance" else ""
            report["error"] = f"stuck on {app.root.current} after {report['shots']} {rows!r}"
            app.stop()
            return
        if not ready():
            state["ready_at"] = None
            return
        state["ready_at"] = state.get("ready_at") or time.monotonic()
        if time.monotonic() - state["ready_at"] < max(SETTLE_S, 0.7):  # layout, nav guard
            return
        state["ready_at"] = None
        try:
            act()
        except Exception as err:  # the test shows where the journey broke
            report["error"] = f"on {app.root.current} after {report['shots']}: {err!r}"
            app.stop()
            return
        following = next(pending, None)
        if following is not None:
            state["step"], state["since"] = following, time.monotonic()

    Clock.schedule_interval(advance, 0.1)
    app.run()
    stack.close()
    devices.close()
    report["printer_jobs"] = [job.hex() for job in fake.printer.jobs]
    fake.__exit__(None, None, None)
    (out_dir / "report.json").write_text(json.dumps(report, indent=2))
    return 0


PIN = os.environ.get("ANTRE_KIOSK_PIN", "")


def _inside(widget: Any, root: Any) -> bool:
    x, y = widget.to_window(widget.x, widget.y)
    return (
        x >= 0
        and y >= 0
        and x + widget.width <= root.width + 1
        and y + widget.height <= (root.height + 1)
    )


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), sys.argv[2], live=sys.argv[3:] == ["live"]))
