"""Answer kiosk requests: ``(topic, payload) -> reply``, testable without a broker.

The device id comes from the topic; the broker's ACL guarantees a kiosk can only publish
under its own id. Every request gets exactly one reply on its response
topic, also when it is malformed; refusals change nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from queue_server.config import nik_key_bytes
from queue_server.domain.errors import DomainError
from queue_server.domain.ids import TicketSource
from queue_server.domain.registration import RegistrationInvalid
from queue_server.i18n import both
from queue_server.protocol import topics
from queue_server.protocol.answers import (
    AnswerData,
    ErrorAnswer,
    LaneAnswer,
    LeaseAnswer,
    OkAnswer,
    RateAnswer,
    Refusal,
    SyncAccepted,
    SyncAnswer,
    SyncRefused,
    TicketAnswer,
    error_answer,
    ok_answer,
)
from queue_server.protocol.base import Bilingual, dump
from queue_server.protocol.messages import (
    CheckInData,
    DecodedRequest,
    DriveThruArrivalData,
    ErrorCode,
    IssueTicketData,
    LeaseNumbersData,
    LookupData,
    ProtocolError,
    RateData,
    SyncTicketsData,
    decode_request,
)
from queue_server.protocol.topics import KioskAction, ParsedTopic, TopicError
from queue_server.services.bookings import BookingService, CheckInRequest
from queue_server.services.container import Services
from queue_server.services.drive_thru import DriveThruService
from queue_server.services.issuing import IssuedTicket, IssueRequest, IssuingService
from queue_server.services.offline import OfflineIssuing, OfflineTicket, SyncOutcome
from queue_server.services.ratings import RatingRequest, RatingService
from queue_server.services.registrations import RegistrationService
from queue_server.services.retries import RetryKey, fingerprint
from queue_server.services.unit import Actor
from queue_server.services.views import ViewService

log = logging.getLogger(__name__)

INVALID_MESSAGE = "The message is not valid: {detail}"
NOT_AVAILABLE = "This kiosk action is not available yet."
Action = Callable[[str, RetryKey, DecodedRequest], AnswerData]


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
        drive_thru: DriveThruService | None = None,
        fingerprint_key: bytes = b"",
        registrations: RegistrationService | None = None,
    ) -> None:
        self._issuing, self._views = issuing, views
        self._registrations = registrations
        self._fingerprint_key = fingerprint_key
        self._bookings, self._offline, self._ratings = bookings, offline, ratings
        self._drive_thru = drive_thru
        self._actions: dict[KioskAction, Action] = {KioskAction.ISSUE_TICKET: self._issue}
        optional: list[tuple[object, KioskAction, Action]] = [
            (views, KioskAction.LOOKUP, self._lookup),
            (bookings, KioskAction.CHECK_IN, self._check_in),
            (offline, KioskAction.LEASE_NUMBERS, self._lease),
            (offline, KioskAction.SYNC_TICKETS, self._sync),
            (ratings, KioskAction.RATE, self._rate),
            (drive_thru, KioskAction.DRIVE_THRU_ARRIVAL, self._lane_arrival),
        ]
        for collaborator, action, run in optional:
            if collaborator is not None:
                self._actions[action] = run

    @staticmethod
    def subscriptions(office: str | None) -> list[str]:
        return [topics.kiosk_requests(office)]

    def handle(self, topic: str, payload: bytes) -> Outgoing | None:
        """The reply to publish, or None when ``topic`` is not a kiosk request."""
        try:
            parsed = topics.parse(topic)
        except TopicError:
            log.warning("ignored a message on a topic outside the contract")
            return None
        return self.answer(parsed, payload)

    def answer(self, topic: ParsedTopic, payload: bytes) -> Outgoing | None:
        """The reply to a request on the parsed ``topic`` (None when it is not a request).

        Every request gets one answer on its response topic, also a malformed one or one
        for an action the contract does not know (``unknown_action``).
        """
        if topic.kind != "kiosk_request" or topic.subject is None or topic.action is None:
            return None
        reply_to = topics.kiosk_response(topic.office, topic.subject, topic.action)
        decoded = decode_request(topic.action, payload)
        if isinstance(decoded, ProtocolError):
            messages = both(INVALID_MESSAGE, detail=decoded.detail)
            reply: OkAnswer | ErrorAnswer = error_answer(
                decoded.transaction, decoded.code, messages
            )
        else:
            reply = self._reply(topic.office, topic.subject, decoded)
        return Outgoing(reply_to, dump(reply))

    def _reply(self, office: str, device: str, request: DecodedRequest) -> OkAnswer | ErrorAnswer:
        run = self._actions.get(request.action)
        if run is None:
            return error_answer(request.transaction, ErrorCode.NOT_AVAILABLE, both(NOT_AVAILABLE))
        retry_key = RetryKey(
            device=device,
            transaction=str(request.transaction),
            fingerprint=fingerprint(
                self._fingerprint_key, request.action.value, request.data.model_dump(mode="json")
            ),
        )
        try:
            data = run(office, retry_key, request)
        except DomainError as error:
            return error_answer(
                request.transaction, error.code, both(error.template, **error.params)
            )
        return ok_answer(request.action, request.transaction, data)

    def _lookup(self, office: str, key: RetryKey, request: DecodedRequest) -> AnswerData:
        """A ticket's status by the code in its QR (the ticket token); no personal data."""
        data = request.data
        assert isinstance(data, LookupData) and self._views is not None
        return self._views.ticket_status(data.code.rsplit("/", 1)[-1])

    def _issue(self, office: str, key: RetryKey, request: DecodedRequest) -> AnswerData:
        data = request.data
        assert isinstance(data, IssueTicketData)
        if data.registration is not None:
            return self._check_in_registration(office, key, data)
        assert data.service is not None  # (IssueTicketData requires it without registration)
        issued = self._issuing.issue(
            IssueRequest(
                office=office,
                service=data.service,
                source=TicketSource.KIOSK,
                priority_category=data.priority_category,
                language=data.language,
                nik=data.nik,
                passport_no=data.passport_no,
                phone=data.phone,
                by_proxy=data.by_proxy,
                application_no=data.application_no,
            ),
            actor=Actor(name=f"kiosk:{key.device}"),
            retry_key=key,
        )
        return _ticket_answer(issued)

    def _check_in_registration(
        self, office: str, key: RetryKey, data: IssueTicketData
    ) -> AnswerData:
        """A remote registration's ticket (issued once; a second check-in is refused)."""
        if self._registrations is None or data.registration is None:
            raise RegistrationInvalid()
        issued = self._registrations.check_in(
            office=office,
            registration=data.registration,
            service=data.service,
            language=data.language,
            actor=Actor(name=f"kiosk:{key.device}"),
            retry_key=key,
        )
        return _ticket_answer(issued)

    def _check_in(self, office: str, key: RetryKey, request: DecodedRequest) -> AnswerData:
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
            actor=Actor(name=f"kiosk:{key.device}"),
            retry_key=key,
        )
        return _ticket_answer(issued)

    def _lease(self, office: str, key: RetryKey, request: DecodedRequest) -> AnswerData:
        data = request.data
        assert isinstance(data, LeaseNumbersData) and self._offline is not None
        answer = self._offline.lease(office, key.device, data.service, data.count, retry_key=key)
        return LeaseAnswer.model_validate(answer)

    def _sync(self, office: str, key: RetryKey, request: DecodedRequest) -> AnswerData:
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
        outcomes = self._offline.sync(office, key.device, tickets)
        return SyncAnswer(tickets=[_outcome_answer(outcome) for outcome in outcomes])

    def _rate(self, office: str, key: RetryKey, request: DecodedRequest) -> AnswerData:
        data = request.data
        assert isinstance(data, RateData) and self._ratings is not None
        answer = self._ratings.rate(
            RatingRequest(
                office=office, token=data.ticket_token, score=data.score, device=key.device
            ),
            retry_key=key,
        )
        return RateAnswer.model_validate(answer)

    def _lane_arrival(self, office: str, key: RetryKey, request: DecodedRequest) -> AnswerData:
        """A car scanned by a kiosk in lane mode. A resent request gets the stored answer
        (the car added: ``waiting``, its number); a new scan of a car in the lane is
        answered ``already_waiting``, nothing added."""
        data = request.data
        assert isinstance(data, DriveThruArrivalData) and self._drive_thru is not None
        answer = self._drive_thru.arrive(
            office, data.scan, lane=data.lane, device=f"kiosk:{key.device}", retry_key=key
        )
        return LaneAnswer.model_validate(answer)


def _ticket_answer(issued: IssuedTicket) -> TicketAnswer:
    return TicketAnswer(
        label=issued.label,
        token=issued.token,
        service=issued.service,
        station=issued.station.value,
        issued_at=issued.issued_at,
        people_ahead=issued.people_ahead,
        estimated_wait_minutes=issued.estimated_wait_minutes,
        priority=issued.priority,
        status_path=f"/t/{issued.token}",
    )


def _outcome_answer(outcome: SyncOutcome) -> SyncAccepted | SyncRefused:
    if outcome.error is None:
        assert outcome.label is not None and outcome.token is not None
        return SyncAccepted(
            lease=outcome.lease,
            number=outcome.number,
            status="accepted",
            label=outcome.label,
            token=outcome.token,
        )
    error = outcome.error
    messages = both(error.template, **error.params)
    return SyncRefused(
        lease=outcome.lease,
        number=outcome.number,
        status="refused",
        error=Refusal(code=error.code, messages=Bilingual(id=messages["id"], en=messages["en"])),
    )


def kiosk_requests_for(services: Services) -> KioskRequests:
    """The handler with every kiosk action wired to the server's use cases."""
    return KioskRequests(
        issuing=services.issuing,
        views=services.views,
        bookings=services.bookings,
        offline=services.offline,
        ratings=services.ratings,
        drive_thru=services.drive_thru,
        fingerprint_key=nik_key_bytes(services.config),
        registrations=services.registrations,
    )
