"""Message models of contract v1, validated at the boundary.

Every payload is a JSON object. Requests carry a ``transaction`` id (a UUID chosen by the
kiosk) that makes them idempotent; responses echo it with ``status`` ``ok`` or ``error``.
``decode_request`` never raises on bad input: it returns a :class:`ProtocolError` with a
stable code, which the server answers with an error response and no state change.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from enum import StrEnum
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)
from pydantic_core import from_json

from queue_server.protocol.base import Message
from queue_server.protocol.topics import KioskAction

log = logging.getLogger(__name__)
MAX_PAYLOAD_BYTES = 64 * 1024


class ErrorCode(StrEnum):
    """Protocol-level error codes; queue-rule errors reuse the domain's codes."""

    MALFORMED_JSON = "malformed_json"
    NOT_AN_OBJECT = "not_an_object"
    TOO_LARGE = "payload_too_large"
    INVALID_FIELD = "invalid_field"
    UNKNOWN_ACTION = "unknown_action"
    #: The server was started without this action.
    NOT_AVAILABLE = "not_available"
    #: The transaction id was already used by another device.
    TRANSACTION_TAKEN = "transaction_taken"
    #: The transaction id was already used with different data.
    TRANSACTION_REUSED = "transaction_reused"
    #: The device sent more requests than its rate allows; retry later (nothing was done).
    RATE_LIMITED = "rate_limited"
    #: The device has too many requests waiting on the server; retry later.
    BUSY = "busy"
    #: A request published with the retain flag is never acted on.
    RETAINED_NOT_ALLOWED = "retained_not_allowed"


#: A service id as it appears in topics (no leading or trailing dash), at most 40 long.
SERVICE_ID = r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$"
#: A passport's document number as the chip's MRZ holds it, without ``<`` fillers.
PASSPORT_NO = r"^[0-9A-Z]{1,9}$"
#: A component's state word in a health report.
StateWord = Annotated[str, StringConstraints(min_length=1, max_length=32)]


class IssueTicketData(Message):
    # The schema says what the validator below checks: a service, or a registration.
    model_config = ConfigDict(
        **Message.model_config,
        json_schema_extra={"anyOf": [{"required": ["service"]}, {"required": ["registration"]}]},
    )

    #: Required, except with a ``registration``: then the registration's own service is
    #: used when it is left out (a short code typed at the kiosk names no service).
    service: str | None = Field(default=None, pattern=SERVICE_ID)
    priority_category: str | None = Field(default=None, max_length=40)
    language: Literal["id", "en"] = "id"
    nik: str | None = Field(default=None, pattern=r"^\d{16}$")
    #: The document number read from an e-passport's chip (ICAO 9303, without fillers).
    passport_no: str | None = Field(default=None, pattern=PASSPORT_NO)
    phone: str | None = Field(default=None, pattern=r"^\+?\d{8,15}$")
    by_proxy: bool = False
    #: The passport application number (pickup: the application QR or typed number); the
    #: server checks its form and, for a pickup, that the passport is due. Optional.
    application_no: str | None = Field(default=None, min_length=1, max_length=40)
    #: A remote registration (WhatsApp or web): its QR text ``ANTRE-REG:...`` or its short
    #: code. The server checks the signature, office, day, service and arrival time and
    #: issues the registration's ticket once. Optional.
    registration: str | None = Field(default=None, min_length=4, max_length=200)

    @model_validator(mode="after")
    def _one_identity(self) -> IssueTicketData:
        if self.nik is not None and self.passport_no is not None:
            raise ValueError("give either nik or passport_no, not both")
        if self.service is None and self.registration is None:
            raise ValueError("service is required (it may be left out only with registration)")
        return self


class CheckInData(Message):
    booking_code: str = Field(min_length=1, max_length=512)
    documents_ready: bool
    language: Literal["id", "en"] = "id"
    nik: str | None = Field(default=None, pattern=r"^\d{16}$")


class LookupData(Message):
    code: str = Field(min_length=1, max_length=512)


class LeaseNumbersData(Message):
    service: str = Field(pattern=SERVICE_ID)
    count: int = Field(ge=1, le=500)


class OfflineTicket(Message):
    service: str = Field(pattern=SERVICE_ID)
    number: int = Field(ge=1)
    issued_at: AwareDatetime
    priority_category: str | None = Field(default=None, max_length=40)
    language: Literal["id", "en"] = "id"
    lease: str = Field(min_length=1, max_length=64)
    #: The ``issue_ticket`` transaction this ticket stands in for: the kiosk gave up
    #: waiting for its answer and printed from its lease instead.
    replaces: UUID | None = None


class SyncTicketsData(Message):
    tickets: list[OfflineTicket] = Field(min_length=1, max_length=500)


class RateData(Message):
    ticket_token: str = Field(min_length=8, max_length=64)
    score: int = Field(ge=1, le=4)


class DriveThruArrivalData(Message):
    #: The lane's id in the office file's ``drive_thru`` section.
    lane: str = Field(pattern=SERVICE_ID)
    #: What the scanner read: the application number, or the application QR's text.
    scan: str = Field(min_length=1, max_length=40)


ACTION_DATA: dict[KioskAction, type[Message]] = {
    KioskAction.ISSUE_TICKET: IssueTicketData,
    KioskAction.CHECK_IN: CheckInData,
    KioskAction.LOOKUP: LookupData,
    KioskAction.LEASE_NUMBERS: LeaseNumbersData,
    KioskAction.SYNC_TICKETS: SyncTicketsData,
    KioskAction.RATE: RateData,
    KioskAction.DRIVE_THRU_ARRIVAL: DriveThruArrivalData,
}


def request_data(action: KioskAction, data: Mapping[str, Any]) -> dict[str, Any]:
    """``data`` checked against ``action``'s model and put as the wire carries it (what a
    device sends); raises ``pydantic.ValidationError`` on bad data, before anything is sent.
    """
    model = ACTION_DATA[action].model_validate(dict(data))
    return model.model_dump(mode="json", exclude_none=True)


class Request(Message):
    transaction: UUID
    data: dict[str, Any] = Field(default_factory=dict)


class IssueTicketRequest(Message):
    """``kiosk/{device}/request/issue_ticket``."""

    transaction: UUID
    data: IssueTicketData


class CheckInRequest(Message):
    """``kiosk/{device}/request/check_in``."""

    transaction: UUID
    data: CheckInData


class LookupRequest(Message):
    """``kiosk/{device}/request/lookup``."""

    transaction: UUID
    data: LookupData


class LeaseNumbersRequest(Message):
    """``kiosk/{device}/request/lease_numbers``."""

    transaction: UUID
    data: LeaseNumbersData


class SyncTicketsRequest(Message):
    """``kiosk/{device}/request/sync_tickets``."""

    transaction: UUID
    data: SyncTicketsData


class RateRequest(Message):
    """``kiosk/{device}/request/rate``."""

    transaction: UUID
    data: RateData


class DriveThruArrivalRequest(Message):
    """``kiosk/{device}/request/drive_thru_arrival``."""

    transaction: UUID
    data: DriveThruArrivalData


#: The whole request payload of each action (what the AsyncAPI document specifies).
ACTION_REQUESTS: dict[KioskAction, type[Message]] = {
    KioskAction.ISSUE_TICKET: IssueTicketRequest,
    KioskAction.CHECK_IN: CheckInRequest,
    KioskAction.LOOKUP: LookupRequest,
    KioskAction.LEASE_NUMBERS: LeaseNumbersRequest,
    KioskAction.SYNC_TICKETS: SyncTicketsRequest,
    KioskAction.RATE: RateRequest,
    KioskAction.DRIVE_THRU_ARRIVAL: DriveThruArrivalRequest,
}


class DecodedRequest(BaseModel):
    """A valid request: its transaction id and its typed data."""

    model_config = ConfigDict(frozen=True)

    action: KioskAction
    transaction: UUID
    data: Message


class ProtocolError(BaseModel):
    """Why a payload was refused; ``transaction`` is kept when it could be read."""

    model_config = ConfigDict(frozen=True)

    code: ErrorCode
    detail: str
    transaction: UUID | None = None


def decode_request(action: str, payload: bytes) -> DecodedRequest | ProtocolError:
    """Validate a kiosk request payload for ``action``; never raises, whatever the bytes.

    Deep nesting and huge numbers are refused as ``malformed_json`` by the parser's own
    limits; an unknown ``action`` is refused (``unknown_action``) keeping the transaction.
    """
    try:
        return _decode_request(action, payload)
    except Exception:  # a defect must still give the kiosk an answer
        log.exception("a kiosk request could not be decoded")
        return ProtocolError(code=ErrorCode.INVALID_FIELD, detail="the request could not be read")


def _decode_request(action: str, payload: bytes) -> DecodedRequest | ProtocolError:
    raw = read_json(payload)
    if isinstance(raw, ProtocolError):
        return raw
    if not isinstance(raw, dict):
        return ProtocolError(code=ErrorCode.NOT_AN_OBJECT, detail="the payload must be an object")
    transaction = _transaction_of(raw)
    if action not in ACTION_DATA:
        return ProtocolError(
            code=ErrorCode.UNKNOWN_ACTION,
            detail=f"unknown action {action[:40]!r}",
            transaction=transaction,
        )
    try:
        envelope = Request.model_validate(raw)
        data = ACTION_DATA[KioskAction(action)].model_validate(envelope.data)
    except ValidationError as error:
        return ProtocolError(
            code=ErrorCode.INVALID_FIELD, detail=_first_problem(error), transaction=transaction
        )
    return DecodedRequest(action=KioskAction(action), transaction=envelope.transaction, data=data)


def read_json(payload: bytes) -> Any:
    """The JSON value in ``payload``, or a :class:`ProtocolError`; never raises.

    The parser refuses more than 64 KiB, nesting deeper than a few hundred levels, numbers
    beyond 4,300 digits, invalid UTF-8, NaN and Infinity, without recursion in Python.
    """
    if len(payload) > MAX_PAYLOAD_BYTES:
        return ProtocolError(
            code=ErrorCode.TOO_LARGE, detail=f"more than {MAX_PAYLOAD_BYTES} bytes"
        )
    try:
        return from_json(payload, allow_inf_nan=False)
    except ValueError as error:
        return ProtocolError(code=ErrorCode.MALFORMED_JSON, detail=str(error)[:200])


def _transaction_of(raw: dict[str, Any]) -> UUID | None:
    value = raw.get("transaction")
    if not isinstance(value, str) or len(value) > 64:
        return None
    try:
        return UUID(value)
    except ValueError:
        return None


def _first_problem(error: ValidationError) -> str:
    first = error.errors(include_input=False, include_url=False)[0]
    where = ".".join(str(part)[:40] for part in first["loc"]) or "payload"
    return f"{where}: {first['msg']}"[:200]


class DeviceStatus(Message):
    """``device/{id}/status`` (retained; the last will says offline)."""

    state: Literal["online", "offline"]
    kind: str | None = Field(default=None, max_length=20)
    version: str | None = Field(default=None, max_length=40)
    ts: AwareDatetime | None = None


class OutboxHealth(Message):
    """A kiosk's outbox: what it has not delivered to the server yet (counts only)."""

    waiting: int = Field(
        ge=0,
        le=1_000_000,
        description="Items not yet accepted by the server: tickets issued offline not "
        "synced, ratings and lease requests waiting for their answer.",
    )
    oldest_at: AwareDatetime | None = Field(
        default=None,
        description="When the oldest waiting item was made (kiosk clock); null when none waits.",
    )

    @model_validator(mode="after")
    def _oldest_only_when_waiting(self) -> OutboxHealth:
        if self.waiting == 0 and self.oldest_at is not None:
            raise ValueError("oldest_at is null when nothing waits")
        return self


class DeviceHealth(Message):
    """``device/{id}/health`` (retained): one state per component.

    Kiosks report ``printer``, ``scanner`` and ``card_reader``, and their ``outbox``
    (optional: a kiosk that does not send it is shown without one).
    """

    components: dict[StateWord, StateWord] = Field(max_length=32)
    outbox: OutboxHealth | None = None
    ts: AwareDatetime | None = None


def decode_device(kind: str, payload: bytes) -> DeviceStatus | DeviceHealth | ProtocolError:
    """Validate a device status or health payload; never raises, whatever the bytes."""
    model: type[DeviceStatus] | type[DeviceHealth] = (
        DeviceStatus if kind == "device_status" else DeviceHealth
    )
    try:
        raw = read_json(payload)
        if isinstance(raw, ProtocolError):
            return raw
        return model.model_validate(raw)
    except ValidationError as error:
        return ProtocolError(code=ErrorCode.INVALID_FIELD, detail=_first_problem(error))
    except Exception:  # a defect must not stop the worker
        log.exception("a device report could not be decoded")
        return ProtocolError(code=ErrorCode.INVALID_FIELD, detail="the report could not be read")
