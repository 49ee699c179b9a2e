"""Drives the kiosk's e-passport path with real touches and the virtual card reader.

Run in its own process (Kivy keeps global state) by tests/kiosk/test_passport_screens.py::

    python -m tests.kiosk.passport_driver OUT_DIR WIDTHxHEIGHT

Pickup for oneself: the NIK screen's "Use my e-passport instead", the three details typed
on the on-screen keyboards (a wrong date of birth first: the chip refuses it), the
passport laid on the reader late (Try again), then the ticket. Writes
``OUT_DIR/report.json`` (screens, buttons, the issue calls) and a PNG per screen.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from devices.screen import prepare_window
from kiosk import passport_chip
from kiosk.app.main import build_flow
from kiosk.content import content_from_payload
from kiosk.demo import DEMO_PAYLOAD, DemoDesk
from tests.kiosk.kivy_driver import SETTLE_S, _buttons, _press, _press_keys, min_touch_px

STEP_TIMEOUT_S = 10.0
#: The ICAO specimen of devices/smartcard/demo_cards.json.
NUMBER, BIRTH, WRONG_BIRTH, EXPIRY = "L898902C3", "12081974", "13081974", "15042012"
Step = tuple[Callable[[], bool], Callable[[], None]]


class RecordingDesk(DemoDesk):
    """The demo desk, remembering whether each ticket came with a passport number."""

    def __init__(self) -> None:
        super().__init__(first_number=21)
        self.passport_numbers: list[str | None] = []

    def issue(self, service: str, **kwargs: Any) -> Any:
        self.passport_numbers.append(kwargs.get("passport_no"))
        return super().issue(service, **kwargs)


def main(out_dir: Path, size: str) -> int:
    prepare_window(size, fullscreen=False, touch=True)
    from kivy.clock import Clock
    from kivy.tests.common import UnitTestTouch

    from devices.config import device_config_from_mapping, open_devices
    from kiosk.app.app import KioskApp

    passport_chip.CHIP_TIMEOUT_S = 1.5  # an empty reader is reported sooner
    config = device_config_from_mapping(
        {"printer": f"virtual:{out_dir / 'printer'}", "card_reader": "virtual"}, environ={}
    )
    devices = open_devices(config, on_code=lambda _code: None)
    reader = devices.card_reader
    desk = RecordingDesk()
    flow = build_flow(desk, devices, content_from_payload(DEMO_PAYLOAD))
    app = KioskApp(flow)
    report: dict[str, Any] = {"screens": [], "buttons": [], "size": size}

    def shot(name: str) -> None:
        from kivy.core.window import Window

        Window.screenshot(name=str(out_dir / f"passport-{size}-{name}.png"))
        report["screens"].append(name)
        for button in _buttons(app.root.current_screen):
            texture_w = button.texture_size[0] if button.texture_size else 0
            report["buttons"].append(
                {
                    "screen": name,
                    "text": button.text,
                    "height": button.height,
                    "width": button.width,
                    "texture_w": texture_w,
                    "min_px": min_touch_px(button),
                    "hidden": button.opacity == 0 or button.disabled,
                }
            )

    def touch(text: str) -> None:
        shown = _buttons(app.root.current_screen)
        button = [b for b in shown if b.text.split("\n")[0] == text][-1]
        pointer = UnitTestTouch(*button.to_window(*button.center))
        pointer.touch_down()
        pointer.touch_up()

    def on(screen: str) -> Callable[[], bool]:
        return lambda: app.root.current == screen

    def field(name: str) -> Callable[[], bool]:
        return lambda: app.root.current == "mrz" and flow.state.mrz_field == name

    def type_in(text: str) -> None:
        entry = app.root.get_screen("mrz").entry
        _press_keys(entry, ["<clear>", *text])
        _press(entry.key_buttons()[-1])

    def message() -> str:
        return flow.state.text(flow.state.message)

    def chip_idle() -> bool:
        return app.root.current == "chip" and not flow.state.chip_busy

    steps: list[Step] = [
        (on("welcome"), lambda: touch("English")),
        (on("services"), lambda: touch("Pickup")),
        (on("pickup"), lambda: touch("I collect my own")),
        (on("nik"), lambda: (shot("nik"), touch("Use my e-passport instead"))),
        (field("number"), lambda: (shot("mrz-number"), type_in(NUMBER))),
        (field("birth"), lambda: (shot("mrz-birth"), type_in(WRONG_BIRTH))),
        (field("expiry"), lambda: (shot("mrz-expiry"), type_in(EXPIRY))),
        (on("chip"), lambda: (shot("chip-reading"), reader.insert(0))),
        # The chip refuses the wrong date of birth: the details are asked again.
        (lambda: field("number")() and message() != "", lambda: shot("mrz-refused")),
        (field("number"), lambda: (reader.remove(), type_in(NUMBER))),
        (field("birth"), lambda: type_in(BIRTH)),
        (field("expiry"), lambda: type_in(EXPIRY)),
        # Nothing on the reader: "Try again" once the passport is there.
        (chip_idle, lambda: (shot("chip-retry"), touch("Indonesia"))),
        (lambda: app.language == "id", lambda: (shot("chip-retry-id"), touch("English"))),
        (lambda: app.language == "en", lambda: (reader.insert(0), touch("Try again"))),
        (on("priority"), lambda: touch("No, regular queue")),
        (on("ticket"), lambda: (shot("ticket"), app.stop())),
    ]
    pending = iter(steps)
    state: dict[str, Any] = {"step": next(pending), "since": time.monotonic()}

    def advance(_dt: float) -> None:
        ready, act = state["step"]
        if time.monotonic() - state["since"] > STEP_TIMEOUT_S:
            report["error"] = f"stuck on {app.root.current} (after {report['screens']})"
            app.stop()
            return
        if not ready():
            state["ready_at"] = None
            return
        state["ready_at"] = state.get("ready_at") or time.monotonic()
        if time.monotonic() - state["ready_at"] < SETTLE_S:
            return
        state["ready_at"] = None
        try:
            act()
        except Exception as err:
            report["error"] = f"on {app.root.current} (after {report['screens']}): {err!r}"
            app.stop()
            return
        following = next(pending, None)
        if following is not None:
            state["step"], state["since"] = following, time.monotonic()

    Clock.schedule_interval(advance, 0.1)
    app.run()
    devices.close()
    report["passport_numbers"] = desk.passport_numbers
    report["mrz_left"] = app.root.get_screen("mrz").entry.text
    (out_dir / "report.json").write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), sys.argv[2]))
