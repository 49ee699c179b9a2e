"""The drive-thru lane kiosk's two screens (:mod:`kiosk.lane_flow`): the scan prompt and
the answer, large enough to read from a car; both follow the language switch."""

from __future__ import annotations

from typing import Any

from kivy.graphics import Color, Line, Rectangle, Triangle
from kivy.metrics import dp
from kivy.uix.widget import Widget

from kiosk.app.screens import GREEN, RED, KioskScreen
from kiosk.flow import FlowState, KioskFlow
from kiosk.lane import (
    ALREADY_DETAIL,
    ANSWER_TITLES,
    LANE_HEADING,
    PLACE_CAPTION,
    SCAN_HINT,
    SCAN_PROMPT,
    WAITING_DETAIL,
    LaneResult,
)
from queue_server.i18n import translate

NAVY = (0.0, 0.20, 0.45, 1)
GREY = (0.30, 0.30, 0.34, 1)
TITLE_COLOURS = {
    None: GREY,
    LaneResult.WAITING: GREEN,
    LaneResult.ALREADY: NAVY,
    LaneResult.REFUSED: RED,
    LaneResult.UNCHECKED: RED,
}
#: The glyph's data modules on a 7x7 grid (column, row from the bottom) besides the three
#: finder squares (3x3 in the corners): a QR code's look, not a readable code.
QR_MODULES = ((4, 3), (6, 3), (3, 2), (5, 2), (4, 1), (6, 1), (3, 0), (5, 0), (3, 5))


class ScanGlyph(Widget):  # type: ignore[misc]
    """A QR code's outline over an arrow pointing down to the scanner (below the screen)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.bind(pos=self._draw, size=self._draw)

    def _draw(self, *_args: Any) -> None:
        self.canvas.clear()
        side = min(self.width * 0.45, self.height * 0.6)
        if side <= 0:
            return
        cell = side / 7
        arrow = min(side * 0.6, self.height - side - cell)  # shorter than the code
        left = self.center_x - side / 2
        bottom = self.center_y + (cell + arrow - side) / 2  # the pair centred
        with self.canvas:
            Color(*NAVY)
            ring = max(dp(1), cell * 0.14)  # (Kivy draws a line 2 x width thick)
            for column, row in ((0, 4), (4, 4), (0, 0)):  # the finder squares, inside 3x3
                x, y = left + column * cell, bottom + row * cell
                Line(
                    rectangle=(x + ring, y + ring, 3 * cell - 2 * ring, 3 * cell - 2 * ring),
                    width=ring,
                )
                Rectangle(pos=(x + cell, y + cell), size=(cell, cell))
            for column, row in QR_MODULES:
                Rectangle(pos=(left + column * cell, bottom + row * cell), size=(cell, cell))
            if arrow > cell:
                self._arrow(bottom - cell, bottom - cell - arrow, cell)

    def _arrow(self, top: float, tip: float, cell: float) -> None:
        head = min(cell * 1.4, (top - tip) / 2)
        Line(points=(self.center_x, top, self.center_x, tip + head), width=max(dp(3), cell / 4))
        x = self.center_x
        Triangle(points=(x - head, tip + head, x + head, tip + head, x, tip))


class LaneScreen(KioskScreen):
    """ "Scan the QR code of your application receipt", and why a code was not sent."""

    def show(self, state: FlowState, flow: KioskFlow) -> None:
        language = state.language
        self.ids.heading.text = translate(LANE_HEADING, language)
        self.ids.prompt.text = translate(SCAN_PROMPT, language)
        self.ids.hint.text = translate(SCAN_HINT, language)
        self.ids.message.text = state.text(state.message)


class LaneAnswerScreen(KioskScreen):
    """The car's place in the lane, that it was there already, or why not."""

    def show(self, state: FlowState, flow: KioskFlow) -> None:
        outcome = state.lane
        result = None if outcome is None else outcome.result
        colour = TITLE_COLOURS[result]
        self.ids.title.text = translate(ANSWER_TITLES[result], state.language)
        self.ids.title.color = colour
        position = None if outcome is None else outcome.position
        self.ids.caption.text = "" if position is None else translate(PLACE_CAPTION, state.language)
        self.ids.number.text = "" if position is None else str(position)
        self.ids.number.color = colour
        if result is LaneResult.WAITING:
            detail = translate(WAITING_DETAIL, state.language)
        elif result is LaneResult.ALREADY:
            detail = translate(ALREADY_DETAIL, state.language)
        else:
            detail = state.text(outcome.message if outcome is not None else None)
        self.ids.detail.text = detail
