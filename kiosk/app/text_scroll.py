"""A text that may be longer than its screen: an office's own list, an information page.

The office writes these in the admin console (up to 30 lines of 200 characters), so no
layout can promise they fit. :class:`TextScroll` is as high as its text when the text
fits in the room its fixed-height neighbours leave, so a short text looks exactly as
before; a longer one takes that room and scrolls (a visible bar, no bounce), and the
answers below it stay on the screen.
"""

from __future__ import annotations

from typing import Any

from kivy.clock import Clock
from kivy.uix.scrollview import ScrollView


class TextScroll(ScrollView):  # type: ignore[misc]
    """A scrolling text inside a vertical BoxLayout (style in common.kv)."""

    def __init__(self, **kwargs: Any) -> None:
        self._fit_soon = Clock.create_trigger(self._fit, -1)
        self._watched: list[Any] = []
        super().__init__(**kwargs)

    def add_widget(self, widget: Any, *args: Any, **kwargs: Any) -> None:
        super().add_widget(widget, *args, **kwargs)
        widget.bind(height=self._fit_soon)
        self._fit_soon()

    def on_parent(self, _widget: Any, parent: Any) -> None:
        if parent is not None:
            parent.bind(size=self._fit_soon, children=self._watch_neighbours)
            self._watch_neighbours()

    def to_top(self) -> None:
        """Show the text from its first line (a new text was put in)."""
        self.scroll_y = 1
        self._fit_soon()

    def _watch_neighbours(self, *_args: Any) -> None:
        for widget in self._watched:
            widget.unbind(height=self._fit_soon)
        self._watched = [child for child in self.parent.children if child is not self]
        for widget in self._watched:
            widget.bind(height=self._fit_soon)
        self._fit_soon()

    def _fit(self, *_args: Any) -> None:
        box = self.parent
        if box is None or not self.children:
            return
        fixed = sum(
            child.height
            for child in box.children
            if child is not self and child.size_hint_y is None
        )
        gaps = box.spacing * (len(box.children) - 1) + box.padding[1] + box.padding[3]
        room = max(0.0, box.height - fixed - gaps)
        self.height = min(self.children[0].height, room)
