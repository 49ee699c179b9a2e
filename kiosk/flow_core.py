"""The kiosk flow's machinery: its state, history, clocks and listeners (pure code).

:class:`FlowCore` holds what every action of :class:`~kiosk.flow.KioskFlow` uses: the
immutable :class:`~kiosk.flow_state.FlowState` and how it is replaced (``_go`` for a
touch, ``_set`` for what the kiosk itself changes), the Back history, the idle countdown
and the double-tap guard (:func:`tap`).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import replace
from functools import wraps
from typing import Any, TypeVar

from devices.smartcard.mrz import MrzKey
from kiosk.content import KioskContent, ServiceChoice
from kiosk.enquiry import Request
from kiosk.flow_state import Collaborators, FlowState, Step
from kiosk.passport_chip import MrzField
from kiosk.sessions import PickupOnlyDay
from queue_server.i18n import both

log = logging.getLogger(__name__)
#: A tap this soon after the screen changed is a double tap: it is dropped.
TAP_GUARD_S = 0.5
#: The idle countdown is shown for the last seconds before the welcome screen.
COUNTDOWN_S = 10
#: How long a message stays on the welcome screen (which has no idle timeout).
WELCOME_MESSAGE_S = 15.0
#: The welcome screen's message while the kiosk has no office content (no saved
#: ``config/kiosk`` and no broker yet); it goes by itself when the content arrives.
SERVICE_UNAVAILABLE = "The service is temporarily unavailable. Please ask at the information desk."
#: Steps the idle timeout does not leave: nothing to abandon, or a request under way.
_NO_IDLE_TIMEOUT = frozenset({Step.WELCOME, Step.ISSUING})
#: Steps not returned to by Back (a request under way, or its outcome).
_NOT_IN_HISTORY = frozenset({Step.WELCOME, Step.ISSUING, Step.TICKET, Step.PROBLEM, Step.CHIP})
_Action = TypeVar("_Action", bound=Callable[..., None])


def tap(action: _Action) -> _Action:
    """A touch action: dropped when it comes within ``tap_guard_s`` of a screen change."""

    @wraps(action)
    def guarded(self: FlowCore, *args: Any, **kwargs: Any) -> None:
        if self.collaborators.monotonic() - self._changed_at < self.tap_guard_s:
            log.debug("a tap right after a screen change was dropped")
            return
        action(self, *args, **kwargs)

    return guarded  # type: ignore[return-value]


class FlowCore:
    """State, history, clocks and listeners of a kiosk flow (actions: ``KioskFlow``)."""

    #: Where the kiosk starts and returns to (a drive-thru lane kiosk: its scan screen).
    first_step = Step.WELCOME

    def __init__(
        self,
        *,
        content: KioskContent,
        collaborators: Collaborators,
        idle_timeout_s: float = 60.0,
        ticket_shown_s: float = 20.0,
        tap_guard_s: float = TAP_GUARD_S,
    ) -> None:
        self.content = content
        self.collaborators = collaborators
        self.idle_timeout_s, self.ticket_shown_s = idle_timeout_s, ticket_shown_s
        self.tap_guard_s = tap_guard_s
        self._state = FlowState(
            step=self.first_step, message=self._idle_message(), pickup_only=self._pickup_only()
        )
        self._listeners: list[Callable[[FlowState], None]] = []
        self._touched_at = self._entered_at = collaborators.monotonic()
        self._changed_at = -math.inf  # the first tap is never a double tap
        self._handed_out = 0
        self._history: list[FlowState] = []
        self._queued: Request | None = None
        # Kept out of FlowState (which screens and listeners see): sent once, never shown.
        self._nik: str | None = None
        self._ticket_token: str | None = None
        #: The passport's details typed so far (MRZ form), the chip's key, the number read.
        self._mrz_typed: dict[MrzField, str] = {}
        self._mrz_key: MrzKey | None = None
        self._passport_no: str | None = None
        #: The application number of a scanned application QR (pickup), sent with the ticket.
        self._application_no: str | None = None
        #: A scanned remote registration's QR text, sent with the ticket (checked in once).
        self._registration: str | None = None

    @property
    def state(self) -> FlowState:
        return self._state

    def on_change(self, listener: Callable[[FlowState], None]) -> None:
        self._listeners.append(listener)

    def touch(self) -> None:
        """Any touch on the screen: the idle timeout starts again."""
        self._touched_at = self.collaborators.monotonic()
        self._count_down()

    def restart(self) -> None:
        """Back to the welcome screen, in Indonesian, with nothing remembered."""
        self._history.clear()
        self._queued, self._nik, self._ticket_token = None, None, None
        self._application_no = None
        self._registration = None
        self._forget_identity()
        self._state = FlowState(
            step=self.first_step,
            request_seq=self._state.request_seq,
            message=self._idle_message(),
            pickup_only=self._pickup_only(),
        )
        self._entered_at = self._touched_at = self._changed_at = self.collaborators.monotonic()
        self._notify()

    def tick(self) -> None:
        """Called about once a second: the link state, the countdown, the timeouts."""
        offline = not self._online()
        if offline != self._state.offline:
            self._set(offline=offline)
        pickup_only = self._pickup_only()
        if pickup_only != self._state.pickup_only:
            self._set(pickup_only=pickup_only)
        state, now_s = self._state, self.collaborators.monotonic()
        idle_s = now_s - self._touched_at
        idle_message = self._idle_message()
        if (
            state.step is Step.WELCOME
            and state.message != idle_message
            and (state.message is None or idle_s >= WELCOME_MESSAGE_S)
        ):  # e.g. an unknown code's goes: the welcome screen stays clean (or unavailable)
            self._set(message=idle_message)
        self._count_down()

    def _idle_message(self) -> dict[str, str] | None:
        """The welcome screen's standing message: "unavailable" while there is no content."""
        return None if self.content.services else both(SERVICE_UNAVAILABLE)

    def _pickup_only(self) -> PickupOnlyDay | None:
        """A pickup-only session open now (the server's queue states, the kiosk's clock)."""
        known = self.collaborators.pickup_only
        if known is None:
            return None
        try:
            return known(self.collaborators.now())
        except Exception:  # never let a bad state stop the kiosk: serve as usual
            log.exception("could not tell whether today is a pickup-only day")
            return None

    def _forget_identity(self) -> None:
        """Nothing personal stays: the NIK, the passport's details and its number."""
        self._nik, self._mrz_key, self._passport_no = None, None, None
        self._mrz_typed.clear()

    def _fresh(self, choice: ServiceChoice) -> dict[str, Any]:
        """A new service chosen: nothing of an earlier choice is kept."""
        self._forget_identity()
        self._application_no = None
        self._registration = None
        return {
            "service": choice,
            "booking_code": None,
            "priority_category": None,
            "bap_reason": None,
            "by_proxy": False,
            "message": None,
        }

    def _online(self) -> bool:
        try:
            return bool(self.collaborators.desk.is_online())
        except Exception:  # a desk without a link state counts as online
            return True

    def _count_down(self) -> None:
        state, now_s = self._state, self.collaborators.monotonic()
        deadlines = []
        if state.step not in _NO_IDLE_TIMEOUT:
            deadlines.append(self._touched_at + self.idle_timeout_s)
        if state.step is Step.TICKET:
            deadlines.append(self._entered_at + self.ticket_shown_s)
        left_s = min(deadlines) - now_s if deadlines else math.inf
        if left_s <= 0:
            self.restart()
            return
        seconds_left = math.ceil(left_s) if left_s <= COUNTDOWN_S else None
        if seconds_left != state.seconds_left:
            self._set(seconds_left=seconds_left)

    def _restore(self, previous: FlowState) -> None:
        state = self._state
        self._state = replace(
            previous,
            language=state.language,
            request_seq=state.request_seq,
            offline=state.offline,
            pickup_only=state.pickup_only,
            message=None,
            seconds_left=None,
        )
        self._entered_at = self._touched_at = self._changed_at = self.collaborators.monotonic()
        self._notify()

    def _set(self, **changes: Any) -> None:
        """Change what the screen shows without it counting as a touch."""
        self._state = replace(self._state, **changes)
        self._notify()

    def _go(self, step: Step | None = None, **changes: Any) -> None:
        state, now_s = self._state, self.collaborators.monotonic()
        new_group = changes.get("group", state.group)
        if (step is not None and step is not state.step) or new_group != state.group:
            if state.step not in _NOT_IN_HISTORY:
                self._history.append(state)
            self._changed_at = now_s
        if step is not None and step is not state.step:
            self._entered_at = now_s
            changes["step"] = step
            if step is Step.ISSUING:
                changes["request_seq"] = state.request_seq + 1
        changes.setdefault("seconds_left", None)
        self._state = replace(state, **changes)
        self._touched_at = now_s
        self._notify()

    def _notify(self) -> None:
        for listener in self._listeners:
            listener(self._state)
