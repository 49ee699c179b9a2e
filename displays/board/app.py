"""The lobby board's Kivy shell: draws a :class:`~displays.board.model.BoardState`.

Threads: the model is read and changed on Kivy's main thread only; the MQTT link's
callbacks cross over with ``Clock.schedule_once`` (:func:`post`). Sizes follow the
window: ``app.unit`` is a hundredth of its shorter side, and the body is side by side on
a landscape screen and stacked on a portrait one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.widget import Widget

from displays.board import texts
from displays.board.model import BoardModel, BoardState, RecentCall, ServiceWait, Serving
from displays.board.ticker import FitText, Ticker, Turned  # noqa: F401 (Ticker: board.kv)

log = logging.getLogger(__name__)
KV_FILE = Path(__file__).with_name("board.kv")
CLOCK_TICK_S = 1.0
NEWEST = (1, 0.84, 0.25, 1)
PLAIN = (0.93, 0.95, 0.98, 1)
MUTED = (0.70, 0.80, 0.95, 1)


class Panel(BoxLayout):  # type: ignore[misc]
    """A rounded, coloured box."""

    background = ListProperty([0, 0, 0, 0])


class BoardText(Label):  # type: ignore[misc]
    """One line of text that fits its box (cut with an ellipsis, never overflowing)."""


class BoardRoot(BoxLayout):  # type: ignore[misc]
    """The whole board; its properties are set from the state by :meth:`BoardApp.redraw`."""

    office_name = StringProperty("")
    clock_text = StringProperty("")
    connected = BooleanProperty(False)
    newest_ticket = StringProperty("")
    newest_counter = StringProperty("")
    service_rows = ListProperty([])
    ticker_lines = ListProperty([])


def post(function: Callable[[], None]) -> None:
    """Run ``function`` on Kivy's main thread (from any thread)."""
    Clock.schedule_once(lambda _dt: function())


class BoardApp(App):  # type: ignore[misc]
    """The board window over ``model``; :meth:`redraw` after each change of the model."""

    unit = NumericProperty(10.0)
    title = "Antre"

    #: The ticker's speed: hundredths of the screen's shorter side a second.
    ticker_speed = NumericProperty(8.0)

    def __init__(
        self,
        model: BoardModel,
        now: Callable[[], datetime] | None = None,
        *,
        ticker: tuple[str, ...] = (),
        ticker_speed: float = 8.0,
        rotation: int = 0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.model = model
        self._now = now or (lambda: datetime.now(UTC))
        self.board: BoardRoot | None = None
        self._ticker = list(ticker)
        self.ticker_speed = ticker_speed
        self.rotation = rotation

    def build(self) -> Widget:
        if str(KV_FILE) not in Builder.files:
            Builder.load_file(str(KV_FILE))
        self.board = BoardRoot()
        self.board.ticker_lines = self._ticker
        Window.bind(size=lambda *_args: self._resize())
        self._resize()
        Clock.schedule_interval(lambda _dt: self._tick(), CLOCK_TICK_S)
        self.redraw()
        return Turned(self.board, self.rotation) if self.rotation else self.board

    def _resize(self) -> None:
        width, height = Window.size
        self.unit = min(width, height) / 100.0

    def _tick(self) -> None:
        if self.board is not None:
            self.board.clock_text = texts.clock(self._now(), self.model.state().timezone)

    def redraw(self) -> None:
        """Draw the model's current state."""
        board = self.board
        if board is None:
            return
        state = self.model.state()
        board.office_name = state.office_name
        board.connected = state.connected
        board.clock_text = texts.clock(self._now(), state.timezone)
        headline = state.headline
        board.newest_ticket = headline[0] if headline else ""
        board.newest_counter = headline[1] if headline else texts.no_call_yet()
        board.service_rows = list(state.services)
        self._fill_serving(board, state)
        self._fill_recent(board, state.recent_calls)
        self._fill_services(board, state.services)

    def _fill_serving(self, board: BoardRoot, state: BoardState) -> None:
        grid = board.ids.serving
        grid.clear_widgets()
        shown = state.headline[0] if state.headline else None
        others = [s for s in state.serving if s.ticket != shown]
        for serving in others[:6]:
            grid.add_widget(self._serving_cell(serving))

    def _serving_cell(self, serving: Serving) -> Panel:
        cell = Panel(orientation="horizontal", padding=self.unit, spacing=self.unit,
                     background=(0.12, 0.24, 0.42, 1))
        cell.add_widget(BoardText(text=serving.ticket, bold=True, font_size=self.unit * 4.2))
        cell.add_widget(BoardText(text=serving.counter_name, halign="right",
                                  font_size=self.unit * 3.0, color=MUTED))
        return cell

    def _fill_recent(self, board: BoardRoot, calls: tuple[RecentCall, ...]) -> None:
        box = board.ids.recent
        box.clear_widgets()
        for call in calls:
            box.add_widget(self._recent_row(call))
        if not calls:
            box.add_widget(BoardText(text=texts.no_call_yet(), color=MUTED))
        free = self.model.recent_limit - max(1, len(calls))
        if free > 0:  # a short list keeps the rows' height instead of stretching them
            box.add_widget(Widget(size_hint_y=free))

    def _recent_row(self, call: RecentCall) -> Panel:
        background = (0.35, 0.27, 0.05, 1) if call.newest else (0.11, 0.18, 0.30, 1)
        row = Panel(orientation="horizontal", padding=(self.unit * 1.2, 0),
                    spacing=self.unit, background=background)
        row.add_widget(BoardText(text=call.ticket, bold=True, font_size=self.unit * 6,
                                 color=NEWEST if call.newest else PLAIN, size_hint_x=0.45))
        counter = call.counter_name
        if call.recall:
            counter = f"{counter}  ({texts.bilingual('Recall')})"
        row.add_widget(BoardText(text=counter, halign="right", font_size=self.unit * 4.2,
                                 color=PLAIN if call.newest else MUTED))
        return row

    def _fill_services(self, board: BoardRoot, services: tuple[ServiceWait, ...]) -> None:
        grid = board.ids.services
        grid.clear_widgets()
        for service in services:
            grid.add_widget(self._service_cell(service))

    def _service_cell(self, service: ServiceWait) -> Panel:
        cell = Panel(orientation="vertical", padding=(self.unit, self.unit * 0.4),
                     background=(0.11, 0.18, 0.30, 1))
        cell.add_widget(FitText(text=texts.service_name(service), bold=True,
                                base_font=self.unit * 2.8, size_hint_y=1.3,
                                color=PLAIN, halign="left", valign="middle"))
        cell.add_widget(BoardText(text=texts.waiting(service), font_size=self.unit * 3.2,
                                  color=NEWEST))
        cell.add_widget(BoardText(text=texts.estimate(service), font_size=self.unit * 2.6,
                                  color=MUTED))
        return cell
