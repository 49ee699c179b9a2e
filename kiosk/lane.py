"""A car's scan at the drive-thru lane (Si Peluru): the request, its outcome, and the
worker-thread call that turns the server's answer into what the lane screen shows.

The lane kiosk sends ``drive_thru_arrival`` (the lane and the application number) and
shows the answer: the car waits (its number in the lane), it was there already, or the
server's refusal. Without an answer nothing is claimed: the driver is told the lane
cannot check now, and nothing is kept to send later (the car might otherwise appear on
the officer's screen after the driver has gone inside). No application number or NIK
is logged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from kiosk.link.errors import LinkError, NotAvailableOffline
from queue_server.i18n import both
from queue_server.protocol.answers import LaneAnswer

log = logging.getLogger(__name__)
#: The scan screen's words to the driver.
LANE_HEADING = "Drive-thru passport pickup"
SCAN_PROMPT = "Scan the QR code of your application receipt"
SCAN_HINT = (
    "Hold the QR code of your passport application receipt under the scanner. Stay in your car."
)
#: A NIK (16 digits) scanned: refused on the kiosk, never sent.
LANE_NIK = (
    "This is a NIK (from the KTP), not an application. Please scan the QR code of your "
    "application receipt; the officer checks the KTP at the window."
)
#: Any other code (a ticket, a booking, a passport page).
LANE_OTHER_CODE = (
    "This is not the QR code of an application receipt. Please scan the QR code of your "
    "passport application receipt."
)
#: No answer from the server (offline, or it did not answer in time).
LANE_UNCHECKED = (
    "Please stay in the lane and wait for the officer, or park and go to the pickup "
    "counter inside the office."
)
#: Any other failure: the same honest answer, the cause in the log.
LANE_FAILED = "Something went wrong. Please wait for the officer."
#: The answer screen's title, by result (None: the scan is being checked).
ANSWER_TITLES = {
    None: "Checking your application…",
    "waiting": "Please wait in the lane",
    "already_waiting": "This car is already in the lane",
    "refused": "This car cannot wait in the lane",
    "unchecked": "The lane cannot check your application now",
}
#: Above the car's number, and the line under it.
PLACE_CAPTION = "Your number in the lane"
WAITING_DETAIL = (
    "The officer will call your car. Please have your KTP and application receipt ready."
)
ALREADY_DETAIL = "It was not added again. Please keep waiting: the officer will call your car."


class LaneResult(StrEnum):
    """What the answer screen shows."""

    WAITING = "waiting"  # added now: its number in the lane
    ALREADY = "already_waiting"  # in the lane already: nothing added
    REFUSED = "refused"  # the server said no (not ready, unknown, collected...)
    UNCHECKED = "unchecked"  # no answer: nothing is known, nothing claimed


@dataclass(frozen=True, slots=True)
class LaneRequest:
    """One scan to announce: the lane and the application number (not in ``repr``)."""

    seq: int
    lane: str
    application_no: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class LaneOutcome:
    """The answer to one scan.

    Attributes:
        position: the car's place in the lane (WAITING and ALREADY).
        message: the server's refusal, or why nothing could be checked (both languages).
    """

    seq: int
    result: LaneResult
    position: int | None = None
    message: dict[str, str] | None = None


class LaneDesk(Protocol):
    """What a lane scan needs of the desk (:class:`~kiosk.link.core.KioskCore`)."""

    def drive_thru_arrival(self, lane: str, scan: str) -> LaneAnswer: ...


def perform_lane(request: LaneRequest, desk: LaneDesk) -> LaneOutcome:
    """Announce the car (worker thread); never raises."""
    seq = request.seq
    try:
        answer = desk.drive_thru_arrival(request.lane, request.application_no)
    except NotAvailableOffline:
        log.info("lane scan not checked: no answer from the server")
        return LaneOutcome(seq, LaneResult.UNCHECKED, message=both(LANE_UNCHECKED))
    except LinkError as err:
        log.info("lane scan refused: %s", err.code)
        return LaneOutcome(seq, LaneResult.REFUSED, message=err.messages or both(LANE_FAILED))
    except Exception:
        log.exception("lane scan failed")
        return LaneOutcome(seq, LaneResult.UNCHECKED, message=both(LANE_FAILED))
    result = LaneResult.WAITING if answer.result == "waiting" else LaneResult.ALREADY
    log.info("lane scan: %s, position %d", result.value, answer.position)
    return LaneOutcome(seq, result, position=answer.position)
