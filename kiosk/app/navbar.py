"""The bar at the bottom of every applicant screen: Back left, Home right, idle countdown between.

Each screen's .kv ends with ``NavBar:``, so the bar has the same place and size on every
screen. Back and Home keep their place even where they have nothing to do (the welcome
screen, while a number is being issued: ``FlowState.can_go_back``); they are then hidden,
never moved. ``countdown_text`` follows ``app.countdown_text`` (empty: nothing shown).

A quick second tap on Back must not land on whatever the next screen shows there: the
flow's tap guard (``kiosk.flow_core.tap``, 0.5 s after any screen change) drops it, for
these buttons as for every other touch action.
"""

from __future__ import annotations

from kivy.app import App
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import Screen
from kivy.uix.widget import Widget


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

    def go_back(self) -> None:
        if self.show_back:
            App.get_running_app().flow.back()

    def go_home(self) -> None:
        if self.show_home:
            App.get_running_app().flow.home()
