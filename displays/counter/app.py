"""The counter display's Kivy shell: a small screen above one counter, its current number big.

Like the lobby board, the model is changed on Kivy's main thread only (the link posts with
``Clock.schedule_once``); sizes follow the window's height.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.core.window import Window
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from displays.board import texts
from displays.board.app import KV_FILE as BOARD_KV_FILE  # its Panel and BoardText rules
from displays.board.ticker import Turned
from displays.counter.model import CounterModel, CounterView

KV_FILE = Path(__file__).with_name("counter.kv")
#: Status band colours: a ticket called (amber), being served (green), none, closed.
BANDS = {
    "called": (0.85, 0.55, 0.05, 1),
    "serving": (0.10, 0.50, 0.30, 1),
    "idle": (0.12, 0.24, 0.42, 1),
    "closed": (0.30, 0.30, 0.33, 1),
}


def status_text(view: CounterView) -> str:
    """The status line, in the display's languages."""
    if not view.known:
        return texts.bilingual("Waiting for the server")
    if not view.is_open:
        return texts.bilingual("Counter closed")
    if view.status == "called":
        return texts.bilingual("Please come to this counter")
    if view.status == "serving":
        return texts.bilingual("Now serving")
    return texts.bilingual("Please wait for your number")


def band(view: CounterView) -> tuple[float, float, float, float]:
    if not view.known or not view.is_open:
        return BANDS["closed"]
    return BANDS.get(view.status, BANDS["idle"])


class CounterRoot(BoxLayout):  # type: ignore[misc]
    """The whole counter screen; set from the model by :meth:`CounterApp.redraw`."""

    counter_name = StringProperty("")
    office_name = StringProperty("")
    ticket = StringProperty("")
    status = StringProperty("")
    band = ListProperty([0, 0, 0, 1])
    status_color = ListProperty([0.93, 0.95, 0.98, 1])
    connected = BooleanProperty(False)


class CounterApp(App):  # type: ignore[misc]
    """The counter display over ``model``."""

    unit = NumericProperty(10.0)
    title = "Antre"

    def __init__(self, model: CounterModel, *, rotation: int = 0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.model = model
        self.rotation = rotation
        self.root_widget: CounterRoot | None = None

    def build(self) -> Widget:
        for kv in (BOARD_KV_FILE, KV_FILE):
            if str(kv) not in Builder.files:
                Builder.load_file(str(kv))
        self.root_widget = CounterRoot()
        Window.bind(size=lambda *_args: self._resize())
        self._resize()
        self.redraw()
        if self.rotation:
            return Turned(self.root_widget, self.rotation)
        return self.root_widget

    def _resize(self) -> None:
        width, height = Window.size
        self.unit = min(width, height) / 100.0

    def redraw(self) -> None:
        """Draw the model's current view."""
        root = self.root_widget
        if root is None:
            return
        view = self.model.view()
        root.counter_name = view.counter_name
        root.office_name = view.office_name
        root.ticket = view.ticket if view.is_open else ""
        root.status = status_text(view)
        root.band = list(band(view))
        amber = root.band == list(BANDS["called"])
        root.status_color = [0.08, 0.07, 0.05, 1] if amber else [0.93, 0.95, 0.98, 1]
        root.connected = view.connected
