"""Line icons for the service groups, drawn with Kivy's canvas (no image files, no fonts).

:class:`IconButton` is a :class:`~kiosk.app.screens.BigButton` with an icon at its left,
in the colour of its text: a passport booklet with a globe (passport services), a permit
card with its holder (stay permits), a booklet with a tick (pickup), a speech bubble with
an "i" (complaints and information), a page with lines (documents to bring) and a phone
with a tick (registered ahead). Each icon
is a list of strokes in a unit square (0-1, y up), scaled to the button.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kivy.clock import Clock
from kivy.graphics import Color, Line
from kivy.lang import Builder
from kivy.metrics import dp
from kivy.properties import NumericProperty, StringProperty

from kiosk.app.screens import BigButton, ChoiceButton

#: One stroke: ("line", [x0, y0, x1, y1, ...]), ("rect", [x, y, w, h, radius]) or
#: ("circle", [cx, cy, r]); coordinates in the unit square.
Stroke = tuple[str, list[float]]


def _passport() -> list[Stroke]:
    return [
        ("rect", [0.2, 0.05, 0.6, 0.9, 0.06]),
        ("circle", [0.5, 0.55, 0.17]),
        ("line", [0.33, 0.55, 0.67, 0.55]),
        ("line", [0.5, 0.38, 0.42, 0.47, 0.42, 0.63, 0.5, 0.72, 0.58, 0.63, 0.58, 0.47, 0.5, 0.38]),
        ("line", [0.36, 0.2, 0.64, 0.2]),
    ]


def _stay_permit() -> list[Stroke]:
    return [
        ("rect", [0.04, 0.2, 0.92, 0.6, 0.06]),
        ("circle", [0.28, 0.58, 0.09]),
        ("line", [0.14, 0.3, 0.16, 0.4, 0.22, 0.45, 0.34, 0.45, 0.4, 0.4, 0.42, 0.3]),
        ("line", [0.54, 0.62, 0.84, 0.62]),
        ("line", [0.54, 0.5, 0.84, 0.5]),
        ("line", [0.54, 0.38, 0.74, 0.38]),
    ]


def _pickup() -> list[Stroke]:
    return [
        ("rect", [0.12, 0.05, 0.52, 0.8, 0.05]),
        ("circle", [0.38, 0.55, 0.12]),
        ("circle", [0.72, 0.3, 0.22]),
        ("line", [0.61, 0.31, 0.69, 0.22, 0.83, 0.4]),
    ]


def _help() -> list[Stroke]:
    return [
        ("rect", [0.06, 0.3, 0.88, 0.62, 0.12]),
        ("line", [0.24, 0.3, 0.16, 0.08, 0.42, 0.3]),
        ("circle", [0.5, 0.78, 0.035]),
        ("line", [0.5, 0.38, 0.5, 0.66]),
    ]


def _documents() -> list[Stroke]:
    return [
        ("line", [0.2, 0.05, 0.2, 0.95, 0.6, 0.95, 0.8, 0.75, 0.8, 0.05, 0.2, 0.05]),
        ("line", [0.6, 0.95, 0.6, 0.75, 0.8, 0.75]),
        ("line", [0.32, 0.6, 0.68, 0.6]),
        ("line", [0.32, 0.45, 0.68, 0.45]),
        ("line", [0.32, 0.3, 0.58, 0.3]),
    ]


def _registration() -> list[Stroke]:
    return [
        ("rect", [0.24, 0.05, 0.52, 0.9, 0.08]),
        ("line", [0.42, 0.84, 0.58, 0.84]),
        ("line", [0.34, 0.48, 0.46, 0.36, 0.66, 0.62]),
    ]


#: The icon of each service group (``kiosk.content.ServiceGroup`` values) and of the
#: documents page.
ICONS: dict[str, Callable[[], list[Stroke]]] = {
    "passport": _passport,
    "stay_permit": _stay_permit,
    "pickup": _pickup,
    "help": _help,
    "documents": _documents,
    "registration": _registration,
}


class IconButton(BigButton):
    """A large button with a line icon left of its text (``icon``: a key of :data:`ICONS`)."""

    icon = StringProperty("")
    #: The room the icon takes left of the text (set when drawn).
    icon_space = NumericProperty(0)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # Drawn once a frame, after the layout has placed the button.
        self._redraw = Clock.create_trigger(self._draw, -1)
        self.bind(pos=self._redraw, size=self._redraw, icon=self._redraw, color=self._redraw)
        self._redraw()

    def icon_side(self) -> float:
        """The icon's square side: most of the button's height, at most 30% of its width."""
        return float(min(self.height * 0.55, self.width * 0.3, dp(96)))

    def _draw(self, *_args: Any) -> None:
        self.canvas.after.clear()
        strokes = ICONS.get(self.icon)
        if strokes is None:
            self.icon_space = 0
            return
        side = self.icon_side()
        gap = dp(16)
        # The text is centred in what the icon leaves (the rule below pads it that much).
        self.icon_space = side + gap
        left = self.x + gap
        bottom = self.center_y - side / 2
        width = max(dp(2), side / 22)
        with self.canvas.after:
            Color(*self.color)
            for kind, values in strokes():
                Line(width=width, **_scaled(kind, values, left, bottom, side))


class IconChoiceButton(IconButton, ChoiceButton):
    """A less common choice (light, as :class:`ChoiceButton`) with an icon."""


def _scaled(kind: str, values: list[float], left: float, bottom: float, side: float) -> Any:
    if kind == "circle":
        cx, cy, radius = values
        return {"circle": (left + cx * side, bottom + cy * side, radius * side)}
    if kind == "rect":
        x, y, w, h, radius = values
        return {
            "rounded_rectangle": (
                left + x * side,
                bottom + y * side,
                w * side,
                h * side,
                max(radius * side, 1.0),
            )
        }
    points = [
        (left if index % 2 == 0 else bottom) + value * side for index, value in enumerate(values)
    ]
    return {"points": points, "joint": "round", "cap": "round"}


Builder.load_string(
    """
<IconButton>:
    # BigButton's text_size holds the padding: the text wraps in what the icon leaves.
    padding: self.icon_space, 0, 0, 0
"""
)
