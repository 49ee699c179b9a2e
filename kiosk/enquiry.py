"""A scanned ticket's status (MQTT ``lookup``), its rating (``rate``), the passport chip
(:mod:`kiosk.passport_chip`) and a drive-thru lane's scan (:mod:`kiosk.lane`):
worker-thread code.

Like :func:`~kiosk.issuing.perform_issue`, each call touches no screen and never raises;
:func:`perform_request` runs whichever request the flow handed out.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from devices.printer import Branding
from kiosk.issuing import IssueOutcome, IssueRequest, TicketDesk, perform_issue
from kiosk.lane import LaneOutcome, LaneRequest, perform_lane
from kiosk.link.errors import LinkError
from kiosk.passport_chip import ChipOutcome, ChipRequest, perform_chip
from queue_server.i18n import both
from queue_server.protocol.answers import PublicTicket
from queue_server.protocol.base import TicketStatusWord

if TYPE_CHECKING:
    from kiosk.flow import Collaborators

log = logging.getLogger(__name__)
LOOKUP_FAILED = "The ticket could not be looked up. Please ask at the information desk."
RATED = "Thank you for your rating."
RATING_QUEUED = "Thank you. Your rating is kept and sent when the kiosk is back online."
#: A ticket in these states may have a finished step to rate; the server has the last word
#: (``nothing_to_rate``, ``already_rated``).
RATABLE = frozenset({TicketStatusWord.DONE, TicketStatusWord.WAITING, TicketStatusWord.PARKED})
#: The IKM-style scale of the ``rate`` action (1-4), worst first.
RATING_SCALE: dict[int, str] = {
    1: "Not good",
    2: "Fair",
    3: "Good",
    4: "Very good",
}


@dataclass(frozen=True, slots=True)
class LookupRequest:
    seq: int
    token: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class RateRequest:
    seq: int
    token: str = field(repr=False)
    score: int


@dataclass(frozen=True, slots=True)
class LookupOutcome:
    """The ticket's public status (no personal data), or why there is none."""

    seq: int
    ticket: PublicTicket | None = None
    problem: dict[str, str] | None = None

    @property
    def ratable(self) -> bool:
        return self.ticket is not None and self.ticket.status in RATABLE


@dataclass(frozen=True, slots=True)
class RateOutcome:
    """``message`` thanks the applicant (stored or queued) or says why not (refused)."""

    seq: int
    score: int
    accepted: bool
    message: dict[str, str]


Request = IssueRequest | LookupRequest | RateRequest | ChipRequest | LaneRequest
Outcome = IssueOutcome | LookupOutcome | RateOutcome | ChipOutcome | LaneOutcome


def perform_request(request: Request, collaborators: Collaborators, branding: Branding) -> Outcome:
    """Run one handed-out request on a worker thread; never raises."""
    if isinstance(request, IssueRequest):
        return perform_issue(request, collaborators, branding)
    if isinstance(request, LookupRequest):
        return perform_lookup(request, collaborators.desk)
    if isinstance(request, ChipRequest):
        return perform_chip(request, collaborators.card_reader)
    if isinstance(request, LaneRequest):
        return perform_lane(request, collaborators.desk)
    return perform_rate(request, collaborators.desk)


def perform_lookup(request: LookupRequest, desk: TicketDesk) -> LookupOutcome:
    try:
        return LookupOutcome(request.seq, ticket=desk.lookup(request.token))
    except LinkError as err:
        log.info("ticket lookup refused: %s", err.code)
        return LookupOutcome(request.seq, problem=err.messages or both(LOOKUP_FAILED))
    except Exception:
        log.exception("ticket lookup failed")
        return LookupOutcome(request.seq, problem=both(LOOKUP_FAILED))


def perform_rate(request: RateRequest, desk: TicketDesk) -> RateOutcome:
    try:
        answer = desk.rate(request.token, request.score)
    except Exception:
        log.exception("rating failed")
        return RateOutcome(request.seq, request.score, False, both(LOOKUP_FAILED))
    if answer is None:
        return RateOutcome(request.seq, request.score, True, both(RATING_QUEUED))
    if answer.ok:
        return RateOutcome(request.seq, request.score, True, both(RATED))
    log.info("rating refused: %s", answer.code)
    return RateOutcome(request.seq, request.score, False, answer.messages or both(LOOKUP_FAILED))
