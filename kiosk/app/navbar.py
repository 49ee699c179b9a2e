"""The bar at the bottom of every applicant screen: Back left, Home right, idle countdown between.

Each screen's .kv ends with ``NavBar:``, so the bar has the same place and size on every
screen. Back and Home keep their place even where one of them has nothing to do (it is
then hidden, never moved). A tap in the first moments after a screen appears is ignored:
a quick second tap on Back must not land on whatever the next screen shows there.
``countdown_text`` follows ``app.countdown_text`` (empty: nothing shown).

The guard is shared by every bar: the next screen's bar refuses a tap that comes within
:data:`NAV_GUARD_S` of the last Back or Home, or of its screen appearing.
"""

from __future__ import annotations

import time
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import Screen
from kivy.uix.widget import Widget

#: Taps this soon after the screen appeared are ignored (a double tap from the last screen).
NAV_GUARD_S = 0.6


def enclosing_screen(widget: Widget | None) -> Screen | None:
    """The Screen ``widget`` is on, or None."""
    while widget is not None and not isinstance(widget, Screen):
        widget = widget.parent
    return widget


class NavBar(BoxLayout):  # type: ignore[misc]
    """Back and Home in one fixed place (style in common.kv)."""

    countdown_text = StringProperty("")
    show_back = BooleanProperty(True)
    show_home = BooleanProperty(True)
    #: When any bar last took a tap (shared: the tap that changed the screen counts).
    last_tap_at: float = 0.0

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._entered_at = 0.0
        self._screen: Screen | None = None
        self.bind(parent=lambda *_args: Clock.schedule_once(lambda _dt: self._follow_screen()))

    def go_back(self) -> None:
        if self.show_back and self._take_tap():
            App.get_running_app().flow.back()

    def go_home(self) -> None:
        if self.show_home and self._take_tap():
            App.get_running_app().flow.restart()

    def _take_tap(self) -> bool:
        now_s = time.monotonic()
        if now_s - max(self._entered_at, NavBar.last_tap_at) < NAV_GUARD_S:
            return False
        NavBar.last_tap_at = now_s
        return True

    def _follow_screen(self) -> None:
        screen = enclosing_screen(self.parent)
        if screen is None or screen is self._screen:
            return
        self._screen = screen
        screen.bind(on_pre_enter=self._entered)

    def _entered(self, *_args: Any) -> None:
        self._entered_at = time.monotonic()
