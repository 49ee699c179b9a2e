"""The board's own Kivy widgets: the information ticker, a label that shrinks to fit, and a
turned view for a TV on its side.

The ticker is cheap enough for a Raspberry Pi: each line is rendered to a texture once,
when it starts to cross the screen; every frame (30 a second) only moves one rectangle, so
the GPU does the scrolling and the CPU does almost nothing.
"""

from __future__ import annotations

import math
from typing import Any

from kivy.clock import Clock
from kivy.core.text import Label as CoreLabel
from kivy.graphics import Color, Rectangle
from kivy.graphics.transformation import Matrix
from kivy.properties import ListProperty, NumericProperty
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.label import Label
from kivy.uix.scatter import Scatter
from kivy.uix.stencilview import StencilView
from kivy.uix.widget import Widget

FRAME_S = 1 / 30
#: The smallest font a fitting label goes down to, as a share of its normal size.
MIN_FIT_SHARE = 0.55


class Ticker(StencilView):  # type: ignore[misc]
    """Scrolls ``lines`` from right to left, one after the other, ``speed`` px a second."""

    lines = ListProperty([])
    speed = NumericProperty(80.0)
    font_size = NumericProperty(24.0)
    color = ListProperty([1, 1, 1, 1])

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.index = 0
        self.offset = 0.0
        self.shown = ""
        with self.canvas:
            self._color = Color(*self.color)
            self._rect = Rectangle(size=(0, 0))
        self.bind(
            lines=self._restart,
            font_size=self._restart,
            color=self._recolour,
            pos=self._place,
            size=self._place,
        )
        self._event = Clock.schedule_interval(self.step, FRAME_S)

    def _recolour(self, *_args: Any) -> None:
        self._color.rgba = self.color

    def _restart(self, *_args: Any) -> None:
        self.index = 0
        self._show_line()

    def _show_line(self) -> None:
        self.offset = 0.0
        if not self.lines:
            self.shown = ""
            self._rect.texture, self._rect.size = None, (0, 0)
            return
        self.index %= len(self.lines)
        self.shown = str(self.lines[self.index])
        label = CoreLabel(text=self.shown, font_size=max(1.0, self.font_size))
        label.refresh()
        self._rect.texture = label.texture
        self._rect.size = label.texture.size
        self._place()

    def step(self, dt: float) -> None:
        """Move the line on by ``dt`` seconds; the next line once it has left the screen."""
        if not self.shown:
            return
        self.offset += self.speed * min(dt, 0.2)
        if self.offset > self.width + self._rect.size[0]:
            self.index += 1
            self._show_line()
        self._place()

    def _place(self, *_args: Any) -> None:
        self._rect.pos = (self.right - self.offset, self.y + (self.height - self._rect.size[1]) / 2)

    def text_x(self) -> float:
        """Where the shown line starts (for tests)."""
        return float(self._rect.pos[0])

    def stop(self) -> None:
        self._event.cancel()


class FitText(Label):  # type: ignore[misc]
    """A label that wraps its text and shrinks its font (down to ``MIN_FIT_SHARE`` of
    ``base_font``) until all of it fits its box: a long service name is never cut."""

    base_font = NumericProperty(20.0)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.bind(base_font=self._fit, size=self._fit, text=self._fit)
        self._fit()

    def _fit(self, *_args: Any) -> None:
        if self.width <= 1 or self.height <= 1:
            return
        self.text_size = (self.width, None)
        size = self.base_font
        self.font_size = size
        self.texture_update()
        while not self.fits() and size > self.base_font * MIN_FIT_SHARE:
            size *= 0.9
            self.font_size = size
            self.texture_update()

    def fits(self) -> bool:
        """Whether all the text is shown inside the box."""
        return bool(
            self.texture_size[0] <= self.width + 1 and self.texture_size[1] <= self.height + 1
        )


class Turned(FloatLayout):  # type: ignore[misc]
    """Shows ``child`` turned by ``degrees`` (90, 180 or 270, counter-clockwise), filling
    this widget: a TV mounted on its side shows an upright portrait board. Done with one
    transformation matrix (a :class:`Scatter`), so it costs the GPU nothing noticeable and
    does not depend on the window system's own (unreliable) rotation."""

    def __init__(self, child: Widget, degrees: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if degrees not in (90, 180, 270):
            raise ValueError(f"degrees must be 90, 180 or 270: {degrees}")
        self.degrees = degrees
        self.child = child
        self.scatter = Scatter(
            do_rotation=False,
            do_scale=False,
            do_translation=False,
            size_hint=(None, None),
            auto_bring_to_front=False,
        )
        self.scatter.add_widget(child)
        self.add_widget(self.scatter)
        self.bind(size=self._layout, pos=self._layout)

    def _layout(self, *_args: Any) -> None:
        width, height = self.size
        quarter = self.degrees in (90, 270)
        inner = (height, width) if quarter else (width, height)
        self.scatter.size = inner
        self.child.size_hint = (None, None)
        self.child.size = inner
        self.child.pos = (0, 0)
        shift = {90: (width, 0.0), 180: (width, height), 270: (0.0, height)}[self.degrees]
        turn = Matrix().rotate(math.radians(self.degrees), 0, 0, 1)
        move = Matrix().translate(self.x + shift[0], self.y + shift[1], 0)
        self.scatter.transform = move.multiply(turn)
