"""Shows the demo board in one window size, saves a screenshot and measures its texts.

Run in its own process (Kivy keeps global state) by tests/displays/test_board_screens.py::

    python -m tests.displays.board_driver OUT_DIR WIDTHxHEIGHT [disconnected] [turned] [many]
        [update]

Writes ``OUT_DIR/report.json`` (the newest number's font size and text, every label's
text and whether it fits its box, the window size) and ``OUT_DIR/board-SIZE.png``.
With ``update``, a call and its queue state arrive once the board is drawn, and the report
also says how often the board was redrawn and whether the lists' widgets were kept.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from devices.screen import prepare_window
from displays.board.__main__ import demo_model
from displays.board.sample import DEMO_TICKER

SETTLE_S = 1.0
LIMIT_S = 20.0


def main(
    out_dir: Path,
    size: str,
    disconnected: bool,
    turned: bool = False,
    many: bool = False,
    update: bool = False,
) -> int:
    prepare_window(size, fullscreen=False)
    from kivy.clock import Clock
    from kivy.core.window import Window
    from kivy.uix.label import Label

    from displays.board.app import BoardApp

    model = demo_model()
    if many:  # twelve services, as in a real office (the demo office's file)
        from displays.board.sample import queue

        for index in range(9):
            prefix = "EFGHJKMNP"[index]
            message = queue(500 + index, f"extra-{index}", prefix, 3)
            model.accept(f"queue/extra-{index}/state", message)
    model.set_connected(not disconnected)
    app = BoardApp(
        model,
        now=lambda: datetime(2026, 3, 3, 1, 30, tzinfo=UTC),
        ticker=DEMO_TICKER,
        rotation=90 if turned else 0,
    )
    report: dict[str, Any] = {"size": size}
    started = time.monotonic()
    if update:
        Clock.schedule_once(lambda _dt: _update(app, report), SETTLE_S / 4)
    name = (
        f"board-{size}{'-disconnected' if disconnected else ''}{'-turned' if turned else ''}"
        f"{'-many' if many else ''}{'-update' if update else ''}.png"
    )

    def finish(_dt: float) -> None:
        ticker = app.board.ids.ticker
        report.setdefault("ticker_x", []).append(ticker.text_x())
        if not report.get("ticker_moved") and time.monotonic() - started > SETTLE_S / 2:
            ticker.offset = ticker.width * 0.95  # most of the line on screen for the picture
            report["ticker_moved"] = True
            report["ticker_moved_at"] = len(report["ticker_x"])
        moved_at = report.get("ticker_moved_at", len(report["ticker_x"]))
        if time.monotonic() - started < SETTLE_S or len(report["ticker_x"]) - moved_at < 3:
            return  # under load frames come slowly: a few ticker positions after the move
        saved = Window.screenshot(name=str(out_dir / name))  # Kivy numbers the file
        Path(saved).replace(out_dir / name)
        report["window"] = list(Window.size)
        report["board"] = list(app.board.size)
        report["layout"] = app.board.ids.body.orientation
        number = app.board.ids.number
        report["number"] = {
            "text": number.text,
            "font_size": number.font_size,
            "texture": list(number.texture_size),
            "width": number.width,
        }
        body = app.board.ids.body
        report["number_box"] = {"y": number.y, "top": number.top}
        report["body_box"] = {"y": body.y, "top": body.top}
        report["labels"] = [
            {
                "text": w.text,
                "texture_w": w.texture_size[0],
                "width": w.width,
                "shortened": bool(w.text) and _cut(w),
                "visible": w.opacity > 0 and all(p.opacity > 0 for p in _parents(w)),
            }
            for w in app.board.walk()
            if isinstance(w, Label)
        ]
        report["ticker"] = {
            "shown": ticker.shown,
            "lines": list(ticker.lines),
            "height": ticker.height,
            "font_size": ticker.font_size,
            "visible": app.board.ids.ticker_box.opacity > 0,
        }
        report["shot"] = name
        app.stop()

    Clock.schedule_interval(finish, 0.2)
    Clock.schedule_once(lambda _dt: app.stop(), LIMIT_S)
    app.run()
    (out_dir / "report.json").write_text(json.dumps(report, indent=2))
    return 0


def _update(app: Any, report: dict[str, Any]) -> None:
    """A call to Loket 3 with its queue state, as three messages arrive on a call."""
    from displays.board.model import BoardModel
    from displays.board.sample import call, queue

    model: BoardModel = app.model
    board = app.board
    cells_before = [id(w) for w in board.ids.services.children]
    rows_before = [id(w) for w in board.ids.recent.children]
    redraws = []
    draw = app.redraw

    def counted() -> None:
        redraws.append(1)
        draw()

    app.redraw = counted
    model.accept("event/called", call(900, "C-001", "cs-3", "Loket 3"))
    app.request_redraw()
    model.accept("queue/pengaduan/state", queue(900, "pengaduan", "C", 3,
                                                 name={"id": "Pengaduan", "en": "Complaints"}))
    app.request_redraw()

    def after(_dt: float) -> None:
        report["update"] = {
            "redraws": len(redraws),
            "service_cells_kept": cells_before == [id(w) for w in board.ids.services.children],
            "recent_rows_kept": rows_before == [id(w) for w in board.ids.recent.children],
            "first_recent": [w.text for w in reversed(board.ids.recent.children[-1].children)],
        }

    from kivy.clock import Clock

    Clock.schedule_once(after, 0.2)


def _cut(label: Any) -> bool:
    """Whether the label's full text is wider than its box (Kivy then shortens it)."""
    from displays.board.ticker import FitText

    if isinstance(label, FitText):  # wraps and shrinks: cut when it still does not fit
        return not label.fits()
    return bool(label._label.get_extents(label.text)[0] > label.width + 1)


def _parents(widget: Any) -> list[Any]:
    found = []
    while widget.parent is not None and widget.parent is not widget:
        widget = widget.parent
        found.append(widget)
    return found


if __name__ == "__main__":
    flags = sys.argv[3:]
    sys.exit(
        main(
            Path(sys.argv[1]),
            sys.argv[2],
            "disconnected" in flags,
            "turned" in flags,
            "many" in flags,
            "update" in flags,
        )
    )
