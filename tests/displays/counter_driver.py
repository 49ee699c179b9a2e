"""Shows a counter display in one window size with one counter state; screenshot and report.

Run in its own process by tests/displays/test_counter_display.py::

    python -m tests.displays.counter_driver OUT_DIR WIDTHxHEIGHT STATUS [disconnected]

STATUS is ``called``, ``serving``, ``idle`` or ``closed``. Writes ``OUT_DIR/report.json``
(texts, the number's font size, the status band's colour and box) and the screenshot.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from devices.screen import prepare_window
from displays.board.sample import OFFICE, config, counter
from displays.counter.model import CounterModel
from queue_server.protocol import topics
from queue_server.protocol.states import CounterStateMessage

SETTLE_S = 0.8
LIMIT_S = 20.0


def model_for(status: str, connected: bool) -> CounterModel:
    model = CounterModel("cs-2")
    model.accept(topics.config(OFFICE, "counter-display"),
                 config(1, "Kantor Imigrasi Kelas I TPI Denpasar"))
    values = counter("cs-2", "Loket 2", None if status in ("idle", "closed") else "B-007")
    if status == "serving":
        values["ticket_status"] = "serving"
    values["is_open"] = status != "closed"
    model.accept(topics.counter_state(OFFICE, "cs-2"),
                 CounterStateMessage.model_validate({"seq": 3, **values}))
    model.set_connected(connected)
    return model


def main(out_dir: Path, size: str, status: str, connected: bool) -> int:
    prepare_window(size, fullscreen=False)
    from kivy.clock import Clock
    from kivy.core.window import Window
    from kivy.uix.label import Label

    from displays.counter.app import CounterApp

    app = CounterApp(model_for(status, connected))
    report: dict[str, Any] = {"size": size}
    started = time.monotonic()
    name = f"counter-{size}-{status}{'' if connected else '-disconnected'}.png"

    def finish(_dt: float) -> None:
        if time.monotonic() - started < SETTLE_S:
            return
        saved = Window.screenshot(name=str(out_dir / name))
        Path(saved).replace(out_dir / name)
        root = app.root_widget
        number, band = root.ids.number, root.ids.status
        report["window"] = list(Window.size)
        report["number"] = {"text": number.text, "font_size": number.font_size,
                            "texture": list(number.texture_size), "width": number.width}
        report["band"] = {"rgba": list(band.background), "box": [band.x, band.y, band.width,
                                                                  band.height]}
        shown = [w for w in root.walk() if isinstance(w, Label)
                 and w.opacity > 0 and all(p.opacity > 0 for p in _parents(w))]
        report["texts"] = [w.text for w in shown]
        report["cut"] = [w.text for w in shown
                         if w.text and w._label.get_extents(w.text)[0] > w.width + 1]
        report["shot"] = name
        app.stop()

    Clock.schedule_interval(finish, 0.2)
    Clock.schedule_once(lambda _dt: app.stop(), LIMIT_S)
    app.run()
    (out_dir / "report.json").write_text(json.dumps(report, indent=2))
    return 0


def _parents(widget: Any) -> list[Any]:
    found = []
    while widget.parent is not None and widget.parent is not widget:
        widget = widget.parent
        found.append(widget)
    return found


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4:] != ["disconnected"]))
