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
from displays.board.model import BoardModel, RecentCall, ServiceWait, Serving
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
        self._drawn: dict[str, tuple[Any, ...]] = {}
        self._redraw_trigger = Clock.create_trigger(lambda _dt: self.redraw())

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
        unit = min(width, height) / 100.0
        if unit == self.unit:
            return
        self.unit = unit
        if self.board is not None:  # the lists' sizes follow the unit: build them anew
            for name in ("serving", "recent", "services"):
                self.board.ids[name].clear_widgets()
            self._drawn = {}
            self.request_redraw()

    def _tick(self) -> None:
        if self.board is not None:
            self.board.clock_text = texts.clock(self._now(), self.model.state().timezone)

    def request_redraw(self) -> None:
        """Redraw on the next frame: a burst of messages (a call brings the call, the board and
        the service's queue state) costs one redraw, not one each."""
        self._redraw_trigger()

    def redraw(self) -> None:
        """Draw the model's current state; a part whose content did not change is left alone
        and a list of the same length is updated in place, so a call on a busy board touches
        only the labels that changed."""
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
        shown = headline[0] if headline else None
        serving = tuple(s for s in state.serving if s.ticket != shown)[:6]
        if serving != self._drawn.get("serving"):
            self._fill_serving(board, serving)
        if state.recent_calls != self._drawn.get("recent"):
            self._fill_recent(board, state.recent_calls)
        if state.services != self._drawn.get("services"):
            board.service_rows = list(state.services)
            self._fill_services(board, state.services)
        self._drawn = {"serving": serving, "recent": state.recent_calls, "services": state.services}

    def _fill_serving(self, board: BoardRoot, serving: tuple[Serving, ...]) -> None:
        grid = board.ids.serving
        cells = list(reversed(grid.children))
        if len(cells) == len(serving):
            for cell, item in zip(cells, serving, strict=True):
                ticket, counter = reversed(cell.children)
                ticket.text, counter.text = item.ticket, item.counter_name
            return
        grid.clear_widgets()
        for item in serving:
            grid.add_widget(self._serving_cell(item))

    def _serving_cell(self, serving: Serving) -> Panel:
        cell = Panel(
            orientation="horizontal",
            padding=self.unit,
            spacing=self.unit,
            background=(0.12, 0.24, 0.42, 1),
        )
        cell.add_widget(BoardText(text=serving.ticket, bold=True, font_size=self.unit * 4.2))
        cell.add_widget(
            BoardText(
                text=serving.counter_name, halign="right", font_size=self.unit * 3.0, color=MUTED
            )
        )
        return cell

    def _fill_recent(self, board: BoardRoot, calls: tuple[RecentCall, ...]) -> None:
        box = board.ids.recent
        rows = [row for row in reversed(box.children) if isinstance(row, Panel)]
        drawn = self._drawn.get("recent")
        if calls and drawn is not None and len(drawn) == len(calls) == len(rows):
            for row, call in zip(rows, calls, strict=True):
                self._set_recent_row(row, call)
            return
        box.clear_widgets()
        for call in calls:
            row = Panel(orientation="horizontal", padding=(self.unit * 1.2, 0), spacing=self.unit)
            row.add_widget(BoardText(bold=True, font_size=self.unit * 6, size_hint_x=0.45))
            row.add_widget(BoardText(halign="right", font_size=self.unit * 4.2))
            self._set_recent_row(row, call)
            box.add_widget(row)
        if not calls:
            box.add_widget(BoardText(text=texts.no_call_yet(), color=MUTED))
        free = self.model.recent_limit - max(1, len(calls))
        if free > 0:  # a short list keeps the rows' height instead of stretching them
            box.add_widget(Widget(size_hint_y=free))

    def _set_recent_row(self, row: Panel, call: RecentCall) -> None:
        row.background = (0.35, 0.27, 0.05, 1) if call.newest else (0.11, 0.18, 0.30, 1)
        ticket, counter = reversed(row.children)
        ticket.text = call.ticket
        ticket.color = NEWEST if call.newest else PLAIN
        name = call.counter_name
        if call.recall:
            name = f"{name}  ({texts.bilingual('Recall')})"
        counter.text = name
        counter.color = PLAIN if call.newest else MUTED

    def _fill_services(self, board: BoardRoot, services: tuple[ServiceWait, ...]) -> None:
        grid = board.ids.services
        cells = list(reversed(grid.children))
        if len(cells) == len(services):
            for cell, service in zip(cells, services, strict=True):
                self._set_service_cell(cell, service)
            return
        grid.clear_widgets()
        for service in services:
            cell = Panel(
                orientation="vertical",
                padding=(self.unit, self.unit * 0.4),
                background=(0.11, 0.18, 0.30, 1),
            )
            cell.add_widget(
                FitText(
                    bold=True,
                    base_font=self.unit * 2.8,
                    size_hint_y=1.3,
                    color=PLAIN,
                    halign="left",
                    valign="middle",
                )
            )
            cell.add_widget(BoardText(font_size=self.unit * 3.2, color=NEWEST))
            cell.add_widget(BoardText(font_size=self.unit * 2.6, color=MUTED))
            self._set_service_cell(cell, service)
            grid.add_widget(cell)

    def _set_service_cell(self, cell: Panel, service: ServiceWait) -> None:
        name, waiting, estimate = reversed(cell.children)
        name.text = texts.service_name(service)
        waiting.text = texts.waiting(service)
        estimate.text = texts.estimate(service)
