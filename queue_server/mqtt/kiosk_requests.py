"""Answer kiosk requests: ``(topic, payload) -> reply``, testable without a broker.

The device id comes from the topic; the broker's ACL (issue 3) guarantees a kiosk can
only publish under its own id. Every request gets exactly one reply on its response
topic, also when it is malformed; refusals change nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from queue_server.domain.errors import DomainError
from queue_server.domain.ids import TicketSource
from queue_server.i18n import both
from queue_server.protocol import topics
from queue_server.protocol.messages import (
    CheckInData,
    DecodedRequest,
    IssueTicketData,
    LeaseNumbersData,
    LookupData,
    ProtocolError,
    RateData,
    SyncTicketsData,
    decode_request,
    error_response,
    ok_response,
)
from queue_server.protocol.topics import KioskAction, TopicError
from queue_server.services.bookings import BookingService, CheckInRequest
from queue_server.services.container import Services
from queue_server.services.issuing import IssuedTicket, IssueRequest, IssuingService
from queue_server.services.offline import OfflineIssuing, OfflineTicket, SyncOutcome
from queue_server.services.ratings import RatingRequest, RatingService
from queue_server.services.retries import RetryKey
from queue_server.services.unit import Actor
from queue_server.services.views import ViewService

log = logging.getLogger(__name__)

INVALID_MESSAGE = "The message is not valid: {detail}"
NOT_AVAILABLE = "This kiosk action is not available yet."
Action = Callable[[str, str, DecodedRequest], dict[str, Any]]


@dataclass(frozen=True)
class Outgoing:
    topic: str
    payload: bytes
    qos: int = 1
    retain: bool = False


class KioskRequests:
    """Turns one kiosk request into one reply."""

    def __init__(
        self,
        *,
        issuing: IssuingService,
        views: ViewService | None = None,
        bookings: BookingService | None = None,
        offline: OfflineIssuing | None = None,
        ratings: RatingService | None = None,
    ) -> None:
        self._issuing, self._views = issuing, views
        self._bookings, self._offline, self._ratings = bookings, offline, ratings
        self._actions: dict[KioskAction, Action] = {KioskAction.ISSUE_TICKET: self._issue}
        optional: list[tuple[object, KioskAction, Action]] = [
            (views, KioskAction.LOOKUP, self._lookup),
            (bookings, KioskAction.CHECK_IN, self._check_in),
            (offline, KioskAction.LEASE_NUMBERS, self._lease),
            (offline, KioskAction.SYNC_TICKETS, self._sync),
            (ratings, KioskAction.RATE, self._rate),
        ]
        for collaborator, action, run in optional:
            if collaborator is not None:
                self._actions[action] = run

    @staticmethod
    def subscriptions(office: str | None) -> list[str]:
        return [f"{topics.office_filter(office)}/kiosk/+/request/+"]

    def handle(self, topic: str, payload: bytes) -> Outgoing | None:
        """The reply to publish, or None when ``topic`` is not a kiosk request."""
        try:
            parsed = topics.parse(topic)
        except TopicError:
            log.warning("ignored a message on a topic outside the contract")
            return None
        if parsed.kind != "kiosk_request" or parsed.subject is None or parsed.action is None:
            return None
        action = KioskAction(parsed.action)
        reply_to = topics.kiosk_response(parsed.office, parsed.subject, action)
        decoded = decode_request(action.value, payload)
        if isinstance(decoded, ProtocolError):
            messages = both(INVALID_MESSAGE, detail=decoded.detail)
            return Outgoing(reply_to, error_response(decoded.transaction, decoded.code, messages))
        return Outgoing(reply_to, self._answer(parsed.office, parsed.subject, decoded))

    def _answer(self, office: str, device: str, request: DecodedRequest) -> bytes:
        run = self._actions.get(request.action)
        if run is None:
            return error_response(request.transaction, "not_available", both(NOT_AVAILABLE))
        try:
            return ok_response(request.transaction, run(office, device, request))
        except DomainError as error:
            return error_response(
                request.transaction, error.code, both(error.template, **error.params)
            )

    def _lookup(self, office: str, device: str, request: DecodedRequest) -> dict[str, Any]:
        """A ticket's status by the code in its QR (the ticket token); no personal data."""
        data = request.data
        assert isinstance(data, LookupData) and self._views is not None
        return self._views.ticket_status(data.code.rsplit("/", 1)[-1])

    def _issue(self, office: str, device: str, request: DecodedRequest) -> dict[str, Any]:
        data = request.data
        assert isinstance(data, IssueTicketData)
        issued = self._issuing.issue(
            IssueRequest(
                office=office,
                service=data.service,
                source=TicketSource.KIOSK,
                priority_category=data.priority_category,
                language=data.language,
                nik=data.nik,
                phone=data.phone,
                by_proxy=data.by_proxy,
            ),
            actor=Actor(name=f"kiosk:{device}"),
            retry_key=RetryKey(device=device, transaction=str(request.transaction)),
        )
        return _ticket_answer(issued)

    def _check_in(self, office: str, device: str, request: DecodedRequest) -> dict[str, Any]:
        data = request.data
        assert isinstance(data, CheckInData) and self._bookings is not None
        issued = self._bookings.check_in(
            CheckInRequest(
                office=office,
                code=data.booking_code,
                documents_ready=data.documents_ready,
                language=data.language,
                nik=data.nik,
            ),
            actor=Actor(name=f"kiosk:{device}"),
            retry_key=RetryKey(device=device, transaction=str(request.transaction)),
        )
        return _ticket_answer(issued)

    def _lease(self, office: str, device: str, request: DecodedRequest) -> dict[str, Any]:
        data = request.data
        assert isinstance(data, LeaseNumbersData) and self._offline is not None
        retry_key = RetryKey(device=device, transaction=str(request.transaction))
        return self._offline.lease(office, device, data.service, data.count, retry_key=retry_key)

    def _sync(self, office: str, device: str, request: DecodedRequest) -> dict[str, Any]:
        """Each ticket is accepted once; a resent ticket gets the same label and token."""
        data = request.data
        assert isinstance(data, SyncTicketsData) and self._offline is not None
        tickets = [
            OfflineTicket(
                lease=ticket.lease,
                service=ticket.service,
                number=ticket.number,
                issued_at=ticket.issued_at,
                priority_category=ticket.priority_category,
                language=ticket.language,
                replaces=None if ticket.replaces is None else str(ticket.replaces),
            )
            for ticket in data.tickets
        ]
        outcomes = self._offline.sync(office, device, tickets)
        return {"tickets": [_outcome_answer(outcome) for outcome in outcomes]}

    def _rate(self, office: str, device: str, request: DecodedRequest) -> dict[str, Any]:
        data = request.data
        assert isinstance(data, RateData) and self._ratings is not None
        return self._ratings.rate(
            RatingRequest(office=office, token=data.ticket_token, score=data.score, device=device),
            retry_key=RetryKey(device=device, transaction=str(request.transaction)),
        )


def _ticket_answer(issued: IssuedTicket) -> dict[str, Any]:
    return {
        "label": issued.label,
        "token": issued.token,
        "service": issued.service,
        "station": issued.station.value,
        "issued_at": issued.issued_at.isoformat(),
        "people_ahead": issued.people_ahead,
        "estimated_wait_minutes": issued.estimated_wait_minutes,
        "priority": issued.priority,
        "status_path": f"/api/v1/public/tickets/{issued.token}",
    }


def _outcome_answer(outcome: SyncOutcome) -> dict[str, Any]:
    answer: dict[str, Any] = {"lease": outcome.lease, "number": outcome.number}
    if outcome.error is None:
        answer.update(status="accepted", label=outcome.label, token=outcome.token)
    else:
        error = outcome.error
        answer.update(
            status="refused",
            error={"code": error.code, "messages": both(error.template, **error.params)},
        )
    return answer


def kiosk_requests_for(services: Services) -> KioskRequests:
    """The handler with every kiosk action wired to the server's use cases."""
    return KioskRequests(
        issuing=services.issuing,
        views=services.views,
        bookings=services.bookings,
        offline=services.offline,
        ratings=services.ratings,
    )
