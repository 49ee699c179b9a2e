"""The Kivy shell: a ScreenManager over :class:`~kiosk.flow.KioskFlow`, nothing more.

Threads: flow actions and screen updates run on Kivy's main thread only. Issuing (network
and printer) runs on a short-lived worker thread whose outcome comes back through
``Clock.schedule_once``; scanned codes arrive on the scanner's thread and cross the same
way (:meth:`KioskApp.code_scanned`).
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.screenmanager import NoTransition, ScreenManager

from kiosk.app import keypad, navbar, text_scroll  # noqa: F401  (registers the widgets the .kv files use)
from kiosk.app.lazy_screens import LazyScreens
from kiosk.app.maintenance_screens import MaintenanceMode
from kiosk.app.screens import KioskScreen
from kiosk.app.steps import SCREENS
from kiosk.enquiry import Request
from kiosk.flow import FlowState, KioskFlow, perform_request
from kiosk.maintenance import KioskMaintenance
from queue_server.i18n import translate

log = logging.getLogger(__name__)
KV_DIR = Path(__file__).with_name("kv")
TICK_S = 1.0


COUNTDOWN = "Back to the start in {seconds} s"
#: Once a journey is back on the welcome screen, the garbage collector runs after this delay.
COLLECT_AFTER_S = 1.0


def collect_garbage(*_args: Any) -> None:
    """Free the widgets a journey's screens replaced. Kivy widgets refer to themselves (their
    bound methods), so only Python's cycle collector frees them, and in a process of some
    200,000 objects its full passes are rare: the buttons of every journey piled up (about
    1 MB a journey) until one came. Run once a journey, on the welcome screen."""
    started = time.monotonic()
    freed = gc.collect()
    spent_ms = 1000 * (time.monotonic() - started)
    log.debug("garbage collector: %d objects freed in %.0f ms", freed, spent_ms)


def load_kv() -> None:
    """Load common.kv and choices.kv, then each screen's own .kv (each once per process)."""
    loaded = set(Builder.files)
    for name in ["common", "choices", "keypad", "maintenance", *SCREENS]:
        path = KV_DIR / f"{name}.kv"
        if str(path) not in loaded and path.exists():
            Builder.load_file(str(path))


class KioskApp(App):  # type: ignore[misc]
    """The kiosk window. ``flow`` is built by the composition root (``kiosk.app.main``)."""

    language = StringProperty("id")
    office_name = StringProperty("")
    #: The idle countdown's text ('' when none is running), shown in every screen's NavBar.
    countdown_text = StringProperty("")
    #: Back and Home are shown in the NavBar (FlowState.can_go_back).
    can_go_back = BooleanProperty(False)
    title = "Antre"

    def __init__(
        self, flow: KioskFlow, maintenance: KioskMaintenance | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.flow = flow
        self.maintenance_mode = MaintenanceMode(self, maintenance)
        self.manager: ScreenManager | None = None
        self._shown: tuple[FlowState, object] | None = None

    def tr(self, msgid: str, language: str) -> str:
        """``msgid`` in ``language``; the .kv files pass ``app.language`` so that a
        language switch redraws every static text."""
        return translate(msgid, language)

    def build(self) -> ScreenManager:
        load_kv()
        self.office_name = self.flow.content.branding.office_name
        manager = LazyScreens(transition=NoTransition())
        for name, screen_class in SCREENS.items():  # each built when first shown
            manager.add_lazy(name, screen_class)
        self.manager = manager
        self.maintenance_mode.attach(manager)
        self.flow.on_change(self._show)
        Window.bind(on_touch_down=self._touched, on_key_down=self._touched)
        Clock.schedule_interval(lambda _dt: self.flow.tick(), TICK_S)
        self._show(self.flow.state)
        return manager

    def code_scanned(self, code: str) -> None:
        """A scanner callback (any thread): the flow routes it by kind, on the UI thread."""
        Clock.schedule_once(lambda _dt: self._scanned(code))

    def _scanned(self, code: str) -> None:
        if not self.maintenance_mode.scanned(code):  # the officer's scanner test
            self.flow.scan(code)

    def content_changed(self, content: Any) -> None:
        """New ``config/kiosk`` content (any thread)."""

        def apply(_dt: float) -> None:
            self.flow.set_content(content)
            self.office_name = content.branding.office_name

        Clock.schedule_once(apply)

    def _touched(self, *_args: Any) -> bool:
        self.flow.touch()
        return False  # let the widgets handle the touch too

    def _show(self, state: FlowState) -> None:
        assert self.manager is not None
        seconds = state.seconds_left
        self.countdown_text = (
            "" if seconds is None else translate(COUNTDOWN, state.language, seconds=seconds)
        )
        shown, self._shown = self._shown, (state, self.flow.content)
        if (
            shown is not None
            and shown[1] is self.flow.content
            and replace(shown[0], seconds_left=None) == replace(state, seconds_left=None)
        ):
            return  # only the countdown moved: the screen's buttons stay as they are
        self.language = state.language
        self.can_go_back = state.can_go_back
        screen: KioskScreen = self.manager.get_screen(state.step.value)
        screen.show(state, self.flow)
        if state.step.value == "welcome" and (shown is None or shown[0].step != state.step):
            Clock.schedule_once(collect_garbage, COLLECT_AFTER_S)
        if not self.maintenance_mode.is_open:
            self.manager.current = state.step.value
        request = self.flow.pending_request()
        if request is not None:
            worker = threading.Thread(
                target=self._perform, args=(request,), name="kiosk-request", daemon=True
            )
            worker.start()

    def _perform(self, request: Request) -> None:
        outcome = perform_request(request, self.flow.collaborators, self.flow.content.branding)
        Clock.schedule_once(lambda _dt: self.flow.finish_request(outcome))
