"""The Kivy shell: a ScreenManager over :class:`~kiosk.flow.KioskFlow`, nothing more.

Threads: flow actions and screen updates run on Kivy's main thread only. Issuing (network
and printer) runs on a short-lived worker thread whose outcome comes back through
``Clock.schedule_once``; scanned codes arrive on the scanner's thread and cross the same
way (:meth:`KioskApp.code_scanned`).
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.lang import Builder
from kivy.properties import StringProperty
from kivy.uix.screenmanager import NoTransition, ScreenManager

from kiosk.app import keypad, navbar  # noqa: F401  (registers the widgets the .kv files use)
from kiosk.app.maintenance_screens import MaintenanceMode
from kiosk.app.screens import SCREENS, KioskScreen
from kiosk.flow import FlowState, IssueOutcome, KioskFlow, perform_issue
from kiosk.maintenance import KioskMaintenance
from queue_server.i18n import translate

log = logging.getLogger(__name__)
KV_DIR = Path(__file__).with_name("kv")
TICK_S = 1.0


def load_kv() -> None:
    """Load common.kv, then one .kv per screen (each once per process)."""
    loaded = set(Builder.files)
    for name in ["common", "keypad", "maintenance", *SCREENS]:
        path = str(KV_DIR / f"{name}.kv")
        if path not in loaded:
            Builder.load_file(path)


class KioskApp(App):  # type: ignore[misc]
    """The kiosk window. ``flow`` is built by the composition root (``kiosk.app.main``)."""

    language = StringProperty("id")
    office_name = StringProperty("")
    #: The idle countdown shown in every screen's NavBar ("" shows nothing).
    countdown_text = StringProperty("")
    title = "Antre"

    def __init__(
        self, flow: KioskFlow, maintenance: KioskMaintenance | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.flow = flow
        self.maintenance_mode = MaintenanceMode(self, maintenance)
        self.manager: ScreenManager | None = None
        self.issued_outcomes: list[IssueOutcome] = []

    def tr(self, msgid: str, language: str) -> str:
        """``msgid`` in ``language``; the .kv files pass ``app.language`` so that a
        language switch redraws every static text."""
        return translate(msgid, language)

    def build(self) -> ScreenManager:
        load_kv()
        self.office_name = self.flow.content.branding.office_name
        manager = ScreenManager(transition=NoTransition())
        for screen_class in SCREENS.values():
            manager.add_widget(screen_class())
        self.manager = manager
        self.maintenance_mode.attach(manager)
        self.flow.on_change(self._show)
        Window.bind(on_touch_down=self._touched, on_key_down=self._touched)
        Clock.schedule_interval(lambda _dt: self.flow.tick(), TICK_S)
        self._show(self.flow.state)
        return manager

    def code_scanned(self, code: str) -> None:
        """A scanner callback (any thread): hand the code to the flow on the UI thread."""
        Clock.schedule_once(lambda _dt: self._scanned(code))

    def _scanned(self, code: str) -> None:
        if not self.maintenance_mode.scanned(code):  # the officer's scanner test
            self.flow.submit_code(code)

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
        self.language = state.language
        screen: KioskScreen = self.manager.get_screen(state.step.value)
        screen.show(state, self.flow)
        if not self.maintenance_mode.is_open:
            self.manager.current = state.step.value
        request = self.flow.pending_issue()
        if request is not None:
            worker = threading.Thread(
                target=self._issue, args=(request,), name="kiosk-issue", daemon=True
            )
            worker.start()

    def _issue(self, request: Any) -> None:
        outcome = perform_issue(request, self.flow.collaborators, self.flow.content.branding)
        self.issued_outcomes.append(outcome)
        Clock.schedule_once(lambda _dt: self.flow.finish_issue(outcome))
