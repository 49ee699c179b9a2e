"""The officer's maintenance screens: a hidden long press, a PIN, then the kiosk's state.

Holding the top-left corner of the welcome screen (a lane kiosk's scan screen) for
:data:`HOLD_S` opens the PIN screen (only when a PIN is configured: see
:mod:`kiosk.maintenance`). While either screen is open the flow's screen changes wait,
scanned codes go to the scanner test, and :data:`IDLE_S` without a touch closes it.
Device checks run on a worker thread.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING, Any

from kivy.clock import Clock
from kivy.core.window import Window
from kivy.metrics import dp
from kivy.properties import ObjectProperty
from kivy.uix.label import Label
from kivy.uix.screenmanager import Screen, ScreenManager

from kiosk.app.lazy_screens import LazyScreens
from kiosk.maintenance import (
    KioskMaintenance,
    MaintenanceReport,
    PinCheck,
    report_rows,
)
from queue_server.i18n import both

if TYPE_CHECKING:
    from kiosk.app.app import KioskApp

log = logging.getLogger(__name__)
HOLD_S = 3.0
CORNER_DP = 120
IDLE_S = 120.0
REFRESH_S = 2.0
PIN_SCREEN, INFO_SCREEN = "maintenance_pin", "maintenance"
#: The screens whose corner opens the PIN: the welcome screen, a lane kiosk's scan screen.
HOME_SCREENS = frozenset({"welcome", "lane"})
PIN_LENGTH = "The PIN has 4 to 12 digits."
WRONG_PIN = "Wrong PIN."
LOCKED = "Too many wrong PINs. Try again in {seconds} s."
LEVEL_COLOURS = {
    "ok": (0.0, 0.42, 0.16, 1),
    "warning": (0.55, 0.35, 0.0, 1),
    "error": (0.62, 0.05, 0.05, 1),
}


def pin_shape_problem(text: str) -> dict[str, str] | None:
    """The PIN keypad's validator: 4 to 12 digits (right or wrong is checked on OK)."""
    if 4 <= len(text) <= 12 and text.isdigit():
        return None
    return both(PIN_LENGTH)


class MaintenancePinScreen(Screen):  # type: ignore[misc]
    """The PIN keypad (masked); ``submit`` asks the gate."""

    def on_kv_post(self, _base_widget: Any) -> None:
        self.ids.keypad.validator = pin_shape_problem


class MaintenanceScreen(Screen):  # type: ignore[misc]
    """Device id, link, outbox, printer, card reader and scanner tests (no personal data)."""

    #: The last test print's outcome, ``{"id": ..., "en": ...}`` (None: nothing yet).
    result = ObjectProperty(None, allownone=True)

    def render(self, rows: list[tuple[str, str, str]]) -> None:
        table = self.ids.rows
        table.clear_widgets()
        for label, value, level in rows:
            table.add_widget(_cell(label, 0.3, bold=True))
            table.add_widget(_cell(value, 0.7, colour=LEVEL_COLOURS.get(level)))


def _cell(text: str, share: float, *, bold: bool = False, colour: Any = None) -> Label:
    cell = Label(
        text=text,
        size_hint_x=share,
        bold=bold,
        color=colour or (0.05, 0.05, 0.08, 1),
        font_size="34sp" if Window.height > Window.width else "22sp",
        halign="left",
        valign="middle",
        size_hint_y=None,
    )
    cell.bind(width=lambda widget, width: setattr(widget, "text_size", (width, None)))
    cell.bind(texture_size=lambda widget, size: setattr(widget, "height", size[1] + dp(10)))
    return cell


def _in_corner(touch: Any) -> bool:
    return bool(touch.x <= dp(CORNER_DP) and touch.y >= Window.height - dp(CORNER_DP))


class MaintenanceMode:
    """Opens, runs and closes the maintenance screens of one app."""

    def __init__(self, app: KioskApp, maintenance: KioskMaintenance | None) -> None:
        self.app, self.maintenance = app, maintenance
        self.manager: ScreenManager | None = None
        self._hold: Any = None
        self._touched_at = time.monotonic()
        self._refreshing = False
        self._ticker: Any = None

    @property
    def is_open(self) -> bool:
        return self.manager is not None and self.manager.current in {PIN_SCREEN, INFO_SCREEN}

    def attach(self, manager: ScreenManager) -> None:
        self.manager = manager
        if isinstance(manager, LazyScreens):  # built when the officer first opens them
            manager.add_lazy(PIN_SCREEN, MaintenancePinScreen)
            manager.add_lazy(INFO_SCREEN, MaintenanceScreen)
        else:
            manager.add_widget(MaintenancePinScreen(name=PIN_SCREEN))
            manager.add_widget(MaintenanceScreen(name=INFO_SCREEN))
        Window.bind(
            on_touch_down=self._touch_down,
            on_touch_move=self._touch_move,
            on_touch_up=self._touch_up,
        )

    # The hidden gesture --------------------------------------------------------------

    def _touch_down(self, _window: Any, touch: Any) -> bool:
        self._touched_at = time.monotonic()
        if _in_corner(touch) and self.manager is not None and self.manager.current in HOME_SCREENS:
            self._cancel_hold()
            self._hold = Clock.schedule_once(lambda _dt: self.open_pin(), HOLD_S)
        return False

    def _touch_move(self, _window: Any, touch: Any) -> bool:
        if not _in_corner(touch):  # a finger sliding away is not the officer's gesture
            self._cancel_hold()
        return False

    def _touch_up(self, *_args: Any) -> bool:
        self._cancel_hold()
        return False

    def _cancel_hold(self) -> None:
        if self._hold is not None:
            self._hold.cancel()
            self._hold = None

    # Opening and closing -------------------------------------------------------------

    def open_pin(self) -> None:
        self._hold = None
        if self.maintenance is None or not self.maintenance.enabled or self.manager is None:
            log.info("maintenance: no PIN configured, the screen stays closed")
            return
        self.manager.get_screen(PIN_SCREEN).ids.keypad.clear()
        self.manager.current = PIN_SCREEN
        self._touched_at = time.monotonic()
        self._ticker = Clock.schedule_interval(lambda _dt: self._tick(), REFRESH_S)

    def submit_pin(self, text: str) -> None:
        assert self.maintenance is not None and self.maintenance.gate is not None
        assert self.manager is not None
        gate = self.maintenance.gate
        keypad = self.manager.get_screen(PIN_SCREEN).ids.keypad
        outcome = gate.check(text)
        keypad.clear()
        if outcome is PinCheck.ACCEPTED:
            log.info("maintenance: screen opened")
            self.maintenance.forget_scan()
            self.manager.get_screen(INFO_SCREEN).result = None
            self.manager.current = INFO_SCREEN
            self.refresh()
        elif outcome is PinCheck.LOCKED:
            seconds = round(gate.locked_for_s())
            keypad.notice = both(LOCKED, seconds=seconds)
        else:
            keypad.notice = both(WRONG_PIN)

    def close(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            self._ticker = None
        if self.manager is not None:
            self.manager.get_screen(PIN_SCREEN).ids.keypad.clear()
            self.manager.current = self.app.flow.state.step.value
        self.app.flow.restart()

    def scanned(self, code: str) -> bool:
        """A scanned code (UI thread): True when the scanner test took it."""
        if not self.is_open or self.maintenance is None:
            return False
        self.maintenance.record_scan(code)
        self.refresh()
        return True

    # The information screen ----------------------------------------------------------

    def _tick(self) -> None:
        if time.monotonic() - self._touched_at >= IDLE_S:
            self.close()
        elif self.manager is not None and self.manager.current == INFO_SCREEN:
            self.refresh()

    def refresh(self) -> None:
        """Ask the devices on a worker thread, then show the rows."""
        if self._refreshing or self.maintenance is None:
            return
        self._refreshing = True
        maintenance = self.maintenance
        threading.Thread(
            target=lambda: self._reported(maintenance.report()),
            name="kiosk-maintenance",
            daemon=True,  # a read only: a slow printer must not hold the app's exit
        ).start()

    def _reported(self, report: MaintenanceReport) -> None:
        Clock.schedule_once(lambda _dt: self._show(report))

    def _show(self, report: MaintenanceReport) -> None:
        self._refreshing = False
        if self.manager is None or self.manager.current != INFO_SCREEN:
            return
        timezone = self.app.flow.content.branding.timezone
        rows = report_rows(report, self.app.language, now_s=time.monotonic(), timezone=timezone)
        self.manager.get_screen(INFO_SCREEN).render(rows)

    def test_print(self) -> None:
        if self.maintenance is None or self.manager is None:
            return
        screen = self.manager.get_screen(INFO_SCREEN)
        screen.result = both("Printing a test ticket…")
        maintenance, language = self.maintenance, self.app.language
        branding = self.app.flow.content.branding

        def work() -> None:
            message = maintenance.test_print(branding, language)
            Clock.schedule_once(lambda _dt: self._printed(message))

        threading.Thread(target=work, name="kiosk-test-print").start()

    def _printed(self, message: dict[str, str]) -> None:
        if self.manager is not None:
            self.manager.get_screen(INFO_SCREEN).result = message
        self.refresh()
