"""A kiosk in drive-thru lane mode (Si Peluru): one scan screen for drivers (pure code).

::

    LANE ("scan your application receipt") --scan--> LANE_ANSWER (checking, then the
    car's number in the lane / already in the lane / the refusal / not checked)
    --after answer_shown_s--> LANE (in Indonesian again, for the next car)

A scan is routed as on the applicant kiosk (:func:`~kiosk.scan_routes.route_scan`): an
application QR or number is sent (``drive_thru_arrival``); a NIK is refused here and
never sent; any other code is named as not a receipt's. The same number scanned again
while its answer shows (a scanner reading twice) changes nothing. The language switch
works as on the applicant kiosk. Nothing is printed.
"""

from __future__ import annotations

from typing import Any

from kiosk.content import KioskContent
from kiosk.enquiry import Outcome, Request
from kiosk.flow import KioskFlow
from kiosk.flow_state import Step
from kiosk.lane import LANE_NIK, LANE_OTHER_CODE, LaneOutcome, LaneRequest
from kiosk.scan_routes import ScanKind, route_scan
from queue_server.i18n import both

#: How long an answer stays on screen before the scan screen returns.
LANE_ANSWER_S = 8.0
#: The same application scanned again this soon, while its answer shows: one scan.
REPEAT_SCAN_S = 3.0
#: A check never shows longer than this (the link's own timeout is far shorter).
CHECK_LIMIT_S = 30.0


class LaneFlow(KioskFlow):
    """The lane screen's flow: the kiosk flow's state, language, clocks and request
    hand-off, with one action, :meth:`scan`.

    Args:
        lane: the lane id (the office file's ``drive_thru`` section) the cars are sent to.
        answer_shown_s: how long an answer shows before the scan screen returns.
    """

    first_step = Step.LANE

    def __init__(self, *, lane: str, answer_shown_s: float = LANE_ANSWER_S, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.lane, self.answer_shown_s = lane, answer_shown_s
        self._shown_at = self.collaborators.monotonic()
        #: The last application sent and when (the repeat guard); forgotten on restart.
        self._last_scan: tuple[str, float] | None = None

    def set_content(self, content: KioskContent) -> None:
        """New office content: only its name and branding matter here."""
        self.content = content

    def _idle_message(self) -> dict[str, str] | None:
        return None  # the lane needs no services: never "service unavailable"

    def restart(self) -> None:
        self._last_scan = None
        super().restart()

    def scan(self, text: str) -> None:
        """A scanned code: an application is sent; anything else is answered here."""
        state = self._state
        if state.step is Step.LANE_ANSWER and state.lane is None:
            return  # a car is being checked: one at a time
        self.touch()
        route = route_scan(text)
        if route.kind is ScanKind.APPLICATION and route.value is not None:
            self._send(route.value)
        elif route.kind is ScanKind.NIK:
            self._go(Step.LANE, message=both(LANE_NIK), lane=None)
        else:
            self._go(Step.LANE, message=both(LANE_OTHER_CODE), lane=None)

    def _send(self, number: str) -> None:
        now_s = self.collaborators.monotonic()
        last = self._last_scan
        if (
            self._state.step is Step.LANE_ANSWER
            and last is not None
            and last[0] == number
            and now_s - last[1] < REPEAT_SCAN_S
        ):
            return  # the scanner read the same receipt twice: its answer stays
        self._last_scan = (number, now_s)
        seq = self._state.request_seq + 1
        self._queued = LaneRequest(seq, self.lane, number)
        self._history.clear()  # (nothing to go back to on a lane)
        self._go(Step.LANE_ANSWER, request_seq=seq, lane=None, message=None)
        self._shown_at = now_s

    def pending_request(self) -> Request | None:
        """The scan to send, handed out once."""
        request, self._queued = self._queued, None
        return request

    def finish_request(self, outcome: Outcome) -> None:
        """Show the answer (dropped when a newer scan is under way)."""
        state = self._state
        if (
            isinstance(outcome, LaneOutcome)
            and outcome.seq == state.request_seq
            and state.step is Step.LANE_ANSWER
        ):
            self._shown_at = self.collaborators.monotonic()
            self._set(lane=outcome)

    def tick(self) -> None:
        """About once a second: the link state; the answer's and the message's time."""
        offline = not self._online()
        if offline != self._state.offline:
            self._set(offline=offline)
        state, now_s = self._state, self.collaborators.monotonic()
        idle_s = now_s - self._touched_at
        if state.step is Step.LANE_ANSWER:
            limit_s = self.answer_shown_s if state.lane is not None else CHECK_LIMIT_S
            if now_s - self._shown_at >= limit_s:
                self.restart()
        elif state.language != "id" and idle_s >= self.idle_timeout_s:
            self.restart()  # a driver chose English and drove on: Indonesian again
        elif state.message is not None and idle_s >= self.answer_shown_s:
            self._set(message=None)
